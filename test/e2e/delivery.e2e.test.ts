// Issue 4 acceptance through real processes: `wa-send webhook`, `wa-send sandbox` emitting signed
// webhooks, and broadcasts, all on 127.0.0.1 with one temp journal.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/webhook/signature.js';
import {
  collect,
  csvWithPhones,
  query,
  type SandboxProcess,
  startSandboxProcess,
  until as untilTrue,
  waitForOutput,
  workspace,
} from '../helpers/cli.js';
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';

const SECRET = 'e2e-app-secret';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

async function sandbox(args: string[] = []): Promise<SandboxProcess> {
  const s = await startSandboxProcess(args);
  stops.push(() => s.stop());
  return s;
}

async function webhook(ws: ReturnType<typeof workspace>): Promise<string> {
  const child = ws.spawn(['webhook', '--port', '0'], { env: { WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'vt' } });
  const done = collect(child);
  stops.push(async () => {
    child.kill('SIGTERM');
    await done;
  });
  const url = await waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
  return url;
}

const until = (what: string, check: () => Promise<boolean> | boolean) => untilTrue(check, what);

describe('delivery receipts and opt-outs (e2e)', () => {
  it('f) an inbound "Stop" opts the sender out, and the next broadcast rejects that number as opted_out', async () => {
    const ws = workspace();
    const url = await webhook(ws);
    const body = readFileSync(join(WHATSAPP_SAMPLES, 'synthetic', 'inbound-text-stop.json'), 'utf8')
      .replace(/"body":\s*"[^"]*"/, '"body": "  Stop "')
      .replaceAll('15551230000', '14152019999'); // the fixture's 555 number is fictional: planning would reject it
    const waId = /"wa_id":\s*"(\d+)"/.exec(body)![1]!;
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureHeader(body, SECRET) },
    });
    expect(res.status).toBe(200);
    await until('the opt-out', async () => (await ws.run(['optout', 'list', '--json'])).stdout.includes(waId));
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, `name,phone\nStopper,+${waId}\nOther,+14152010001\n`);
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recipients: 1, rejections: { opted_out: 1 }, counts: { sent: 1 } });
  });

  it('g) an opt-out added while a broadcast runs makes that recipient skipped, not sent', async () => {
    // One request at a time, 200 ms each: the opt-out arrives after the first answer, long before the
    // last row is claimed (claims check the suppression list just before each send).
    const s = await sandbox(['--latency', '200']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(8));
    const last = '+14152010007';
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '1'], {
      withIO: () => {
        void until('the first send', async () => (await s.stats()).accepted >= 1).then(() => ws.run(['optout', 'add', last]));
      },
    });
    expect(r.code).toBe(0);
    expect(query<{ state: string }>(ws.journal, `SELECT state FROM recipients WHERE phone = '${last}'`)).toEqual([
      { state: 'skipped' },
    ]);
    const stats = await s.stats(true);
    expect(stats.accepted).toBe(7);
    expect(Object.keys(stats.accepted_by_key).some((k) => k.endsWith(last))).toBe(false);
  });

  it('h) the whole loop: sandbox webhooks into `wa-send webhook`; status shows what the sandbox sent', async () => {
    const ws = workspace();
    const url = await webhook(ws);
    const s = await sandbox([
      '--webhook-url',
      url,
      '--app-secret',
      SECRET,
      '--read-fraction',
      '0.5',
      '--async-fail',
      '131026=0.1',
      '--latency',
      '5',
    ]);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(150));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--rate', '500'], { env: s.env });
    expect(r.code).toBe(0);
    await until('all webhooks posted', async () => {
      const w = (await s.stats()).webhooks;
      return w.pending === 0 && w.events.sent === 150;
    });
    const emitted = (await s.stats()).webhooks;
    expect(emitted.events_dropped).toBe(0);
    const id = JSON.parse((await ws.run(['status', '--json'])).stdout)[0].id as string;
    await until(
      'every event applied',
      () => query(ws.journal, 'SELECT 1 FROM webhook_events WHERE applied_at IS NULL').length === 0,
    );
    const status = JSON.parse((await ws.run(['status', id, '--json'])).stdout);
    expect(status.counts.read).toBe(emitted.events.read);
    expect(status.counts.delivered + status.counts.read).toBe(emitted.events.delivered);
    expect(status.counts.failed).toBe(emitted.events.failed);
    expect(status.counts.sent).toBe(150 - emitted.events.delivered - emitted.events.failed);
    expect(emitted.events.read).toBeGreaterThan(0);
    expect(emitted.duplicates).toBeGreaterThan(0);
    // Every message was accepted by the API; the rates are taken over all of them.
    expect(status.accepted).toBe(150);
    expect(status.send_failed).toBe(0);
    expect(status.delivery.failed).toBe(emitted.events.failed);
    expect(status.delivery.delivered_rate).toBeCloseTo(emitted.events.delivered / 150, 3);
    expect(status.delivery.read_rate).toBeCloseTo(emitted.events.read / 150, 3);
    const human = (await ws.run(['status', id])).stdout;
    expect(human).toMatch(new RegExp(`delivered ${emitted.events.delivered} `));
    expect(human).toMatch(new RegExp(`read ${emitted.events.read} `));
    if (emitted.events.failed > 0) expect(human).toContain(`failed after acceptance ${emitted.events.failed}`);
  });
});
