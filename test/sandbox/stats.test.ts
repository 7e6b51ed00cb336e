// Throughput cap, stats windows (max_starts_in_1s, peak_concurrency), duplicates, latency, the
// config/reset control endpoints, and a close() that leaves nothing running.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { phones, post, stopAll, textMessage } from './helpers.js';

const running: RunningSandbox[] = [];
afterEach(() => stopAll(running));
async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}) {
  const s = await startSandbox(opts);
  running.push(s);
  return s;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const control = (url: string, path: string, body: unknown = {}) =>
  fetch(`${url}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as any,
  }));

describe('mps', () => {
  it('answers 130429 above mps requests per sliding second, and recovers', async () => {
    const s = await sandbox({ mps: 5 });
    const answers = await Promise.all(phones(8).map((p) => post(s.url, textMessage(p))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    const throttled = answers.filter((a) => a.status !== 200);
    expect(throttled).toHaveLength(3);
    expect(throttled[0]!.json.error.code).toBe(130429);
    expect(s.stats().accepted).toBe(5);
    await sleep(1100);
    expect((await post(s.url, textMessage('+15559990000'))).status).toBe(200);
  });
});

describe('stats', () => {
  it('measures max_starts_in_1s over a sliding window, exactly', async () => {
    const s = await sandbox();
    for (const p of phones(3)) await post(s.url, textMessage(p));
    await sleep(1100);
    for (const p of phones(2, 15560000000)) await post(s.url, textMessage(p));
    const st = s.stats();
    expect(st.requests).toBe(5);
    expect(st.max_starts_in_1s).toBe(3); // 5 over 1.1 s, but never more than 3 within one second
    expect(st.last_request_at! - st.first_request_at!).toBeGreaterThanOrEqual(1000);
  });

  it('records peak concurrency and applies latency', async () => {
    const s = await sandbox({ latencyMs: 200 });
    const answers = await Promise.all(phones(10).map((p) => post(s.url, textMessage(p))));
    expect(answers.every((a) => a.status === 200 && a.ms >= 190)).toBe(true);
    const st = s.stats();
    expect(st.peak_concurrency).toBe(10);
    expect(st.max_starts_in_1s).toBe(10);
    expect(st.in_flight).toBe(0);
    // Sequential requests never overlap.
    s.reset();
    for (const p of phones(3)) await post(s.url, textMessage(p));
    expect(s.stats().peak_concurrency).toBe(1);
  });

  it('counts duplicates per recipient key (biz_opaque_callback_data, else to)', async () => {
    const s = await sandbox();
    for (let i = 0; i < 3; i++) await post(s.url, textMessage('+15551110000', { biz_opaque_callback_data: 'b1:7' }));
    await post(s.url, textMessage('+15551110000', { biz_opaque_callback_data: 'b1:8' }));
    await post(s.url, textMessage('+15552220000'));
    await post(s.url, textMessage('+15552220000'));
    const st = s.stats();
    expect(st.accepted).toBe(6);
    expect(st.unique_recipients_accepted).toBe(3);
    expect(st.duplicates).toEqual([
      { key: 'b1:7', count: 3 },
      { key: '+15552220000', count: 2 },
    ]);
    expect(st.accepted_by_key).toBeUndefined();
    expect(s.stats({ detail: true }).accepted_by_key).toEqual({ 'b1:7': 3, 'b1:8': 1, '+15552220000': 2 });

    const viaHttp: any = await (await fetch(`${s.url}/_sandbox/stats?detail=1`)).json();
    expect(viaHttp.accepted_by_key).toEqual({ 'b1:7': 3, 'b1:8': 1, '+15552220000': 2 });
    const plain: any = await (await fetch(`${s.url}/_sandbox/stats`)).json();
    expect(plain).toMatchObject({ requests: 6, accepted: 6, duplicates: st.duplicates });
    expect(plain.accepted_by_key).toBeUndefined();
  });

  it('counts mark-as-read calls apart from messages', async () => {
    const s = await sandbox();
    const { json } = await post(s.url, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' });
    expect(json).toEqual({ success: true });
    expect(s.stats()).toMatchObject({ requests: 1, accepted: 0, read_receipts: 1 });
  });
});

describe('control endpoints', () => {
  it('POST /_sandbox/config replaces the given options', async () => {
    const s = await sandbox();
    expect(await control(s.url, 'config', { failures: [{ code: 131026, fraction: 1 }], latency_ms: 150 })).toEqual({
      status: 200,
      json: { success: true },
    });
    const a = await post(s.url, textMessage('+15551230000'));
    expect(a.json.error.code).toBe(131026);
    expect(a.ms).toBeGreaterThanOrEqual(140);
    await control(s.url, 'config', { failures: [], latency_ms: 0, token: 'only-this' });
    expect((await post(s.url, textMessage('+15551230000'))).json.error.code).toBe(190);
    expect((await post(s.url, textMessage('+15551230000'), { token: 'only-this' })).status).toBe(200);
    await control(s.url, 'config', { token: null, mps: 1 });
    await post(s.url, textMessage('+15551230001'));
    expect((await post(s.url, textMessage('+15551230002'))).json.error.code).toBe(130429);
  });

  it('rejects bad config with error 100 and keeps the old options', async () => {
    const s = await sandbox();
    const bad = await control(s.url, 'config', { failures: [{ code: 131026, fraction: 2 }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe(100);
    expect(bad.json.error.error_data.details).toMatch(/fraction must be a number between 0 and 1/);
    const unknown = await control(s.url, 'config', { latency: 5 });
    expect(unknown.json.error.error_data.details).toMatch(/unknown config key "latency"/);
    expect((await post(s.url, textMessage('+15551230000'))).status).toBe(200);
  });

  it('POST /_sandbox/reset clears the stats', async () => {
    const s = await sandbox();
    for (const p of phones(4)) await post(s.url, textMessage(p));
    await post(s.url, textMessage('bad'));
    expect(s.stats().requests).toBe(5);
    expect(await control(s.url, 'reset')).toEqual({ status: 200, json: { success: true } });
    expect(s.stats()).toMatchObject({
      requests: 0,
      accepted: 0,
      errors_by_code: {},
      unique_recipients_accepted: 0,
      duplicates: [],
      max_starts_in_1s: 0,
      first_request_at: null,
    });
  });
});

describe('close', () => {
  it('stops listening and leaves no handles behind, even mid-latency', async () => {
    const kinds = () => process.getActiveResourcesInfo().filter((k) => k !== 'TTYWrap' && k !== 'PipeWrap');
    const before = kinds().length;
    const s = await startSandbox({ latencyMs: 5000 });
    const pending = post(s.url, textMessage('+15551230000')).catch((err: Error) => err);
    await sleep(50);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await pending).toBeInstanceOf(Error); // the connection was cut, not answered
    await sleep(100);
    expect(kinds().length).toBeLessThanOrEqual(before);
    await expect(fetch(`${s.url}/_sandbox/stats`)).rejects.toThrow();
  });
});
