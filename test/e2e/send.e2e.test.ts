// Issue 3 acceptance: sending outcomes against a sandbox process over loopback, real SQLite journal (main in process).
import { describe, expect, it } from 'vitest';
import { isChosen } from '../../src/sandbox/index.js';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { phones, writeCsv } from '../helpers/journal.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const ids = (stdout: string) => /Broadcast (b[a-z0-9]+)/.exec(stdout)?.[1];

describe('sending (e2e)', () => {
  it('a) one permanent failure of three → exit 3, status partial, the export names the error', async () => {
    const s = await sandbox(['--fail', '131026=0.34', '--seed', 'e2e-a']);
    const all = phones(60);
    const bad = all.find((p) => isChosen('e2e-a', p, 131026, 0.34))!;
    const good = all.filter((p) => !isChosen('e2e-a', p, 131026, 0.34)).slice(0, 2);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, `name,phone\nA,${good[0]}\nB,${bad}\nC,${good[1]}\n`);
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /partial: 1 failed \(mostly 131026 .*after fixing the cause: wa-send retry-failed \S+ --all-errors$/,
    );
    const id = ids(r.stdout)!;
    const status = JSON.parse((await ws.run(['status', id, '--json'])).stdout);
    expect(status).toMatchObject({ id, state: 'partial', recipients: 3, counts: { sent: 2, failed: 1 } });
    expect(status.errors).toEqual([{ code: 131026, title: 'Message undeliverable', count: 1 }]);
    expect(status).toMatchObject({ accepted: 2, send_failed: 1, delivery: { failed: 0, delivered: 0 } });
    const human = (await ws.run(['status', id])).stdout;
    expect(human).toContain('error 131026 Message undeliverable: 1');
    expect(human).toContain('accepted 2, no delivery receipts yet');
    const csvOut = (await ws.run(['status', id, '--recipients', '--state', 'failed', '--format', 'csv'])).stdout
      .trim()
      .split('\n');
    expect(csvOut).toHaveLength(2);
    expect(csvOut[1]).toContain('131026');
    expect(csvOut[1]).toContain('Message undeliverable');
    expect(csvOut[1]).toContain(`'${bad}`); // neutralized for spreadsheets
  });

  it('b) 130429 and 131000 on the first attempt → retried, all sent, exit 0, every attempt journaled', async () => {
    const s = await sandbox(['--fail', '130429=0.2', '--fail', '131000=0.2', '--seed', 'e2e-b']);
    const ws = workspace(s.env);
    const r = await ws.run(['broadcast', writeCsv(ws.dir, csvWithPhones(40)), '--template', 'hello_world', '--yes', '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.counts.sent).toBe(40);
    const stats = await s.stats();
    const failures = (stats.errors_by_code['130429'] ?? 0) + (stats.errors_by_code['131000'] ?? 0);
    expect(failures).toBeGreaterThan(0);
    expect(stats.accepted).toBe(40);
    const attempts = query<{ outcome: string; n: number }>(
      ws.journal,
      'SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome',
    );
    const total = attempts.reduce((n, a) => n + a.n, 0);
    expect(total).toBe(stats.requests);
    expect(attempts.find((a) => a.outcome === 'accepted')?.n).toBe(40);
    expect(attempts.find((a) => a.outcome === 'throttle')?.n).toBe(stats.errors_by_code['130429'] ?? undefined);
  });

  it('c) error 190 halts with no claims after it; resume sends each remaining recipient once', async () => {
    const s = await sandbox(['--fail', '190=0.05', '--seed', 'e2e-c', '--latency', '5']);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, csvWithPhones(200));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '4']);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/halted: error 190 Access token expired.*wa-send resume b/);
    const id = /resume (b[a-z0-9]+)/.exec(r.stderr)![1]!;
    const firstStats = await s.stats();
    const counts = Object.fromEntries(
      query<{ state: string; n: number }>(ws.journal, 'SELECT state, count(*) AS n FROM recipients GROUP BY state').map((x) => [
        x.state,
        x.n,
      ]),
    );
    expect(counts.sent).toBe(firstStats.accepted);
    expect(counts.pending).toBe(200 - firstStats.accepted);
    // no claims after the halt: at most `concurrency` requests were in flight when the 190 came
    expect(firstStats.errors_by_code['190']).toBeLessThanOrEqual(4);
    expect(JSON.parse((await ws.run(['status', id, '--json'])).stdout)).toMatchObject({
      state: 'halted',
      reason: expect.stringContaining('190'),
    });

    await s.configure({ failures: [] });
    const resumed = await ws.run(['resume', id]);
    expect(resumed.code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(200);
    expect(stats.duplicates).toEqual([]);
  });

  it('h) the identical broadcast command after completion sends nothing and exits 0', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const args = ['broadcast', writeCsv(ws.dir, csvWithPhones(20)), '--template', 'hello_world', '--yes'];
    expect((await ws.run(args)).code).toBe(0);
    const before = (await s.stats()).requests;
    const again = await ws.run(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/has this key already/);
    expect((await s.stats()).requests).toBe(before);
    expect(query(ws.journal, 'SELECT id FROM broadcasts')).toHaveLength(1);
  });

  it('i) retry-failed with no id sends the due retries of several broadcasts', async () => {
    const s = await sandbox(['--fail', '131000=0.3', '--seed', 'e2e-i']);
    const ws = workspace(s.env);
    const first = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(30, 0), 'one.csv'),
      '--template',
      'hello_world',
      '--yes',
      '--max-attempts',
      '1',
    ]);
    const second = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(30, 100), 'two.csv'),
      '--template',
      'hello_world',
      '--yes',
      '--max-attempts',
      '1',
    ]);
    expect(first.code).toBe(3);
    expect(second.code).toBe(3);
    const failedBefore = query<{ n: number }>(ws.journal, "SELECT count(*) AS n FROM recipients WHERE state = 'failed'")[0]!.n;
    expect(failedBefore).toBeGreaterThan(0);
    const r = await ws.run(['retry-failed', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { state: string; counts: { sent: number } }[];
    expect(list).toHaveLength(2);
    expect(list.map((x) => x.state)).toEqual(['completed', 'completed']);
    expect((await s.stats()).accepted).toBe(60);
  });

  it('a dead network: one clear line, exit 6, the journal intact', async () => {
    const ws = workspace({ WA_API_URL: 'http://127.0.0.1:9', WA_PHONE_NUMBER_ID: '1', WA_ACCESS_TOKEN: 't' });
    const r = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(5)),
      '--template',
      'hello_world',
      '--yes',
      '--max-wait',
      '2s',
    ]);
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/cannot reach the API.*ECONNREFUSED.*wa-send resume b/);
    const rows = query<{ state: string; attempts: number }>(ws.journal, 'SELECT state, attempts FROM recipients');
    expect(rows).toHaveLength(5);
    expect(rows.every((x) => (x.state === 'retry' || x.state === 'pending') && x.attempts === 0)).toBe(true);
  });

  it('refuses to send a broadcast to another target (exit 2)', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    await ws.run(['broadcast', writeCsv(ws.dir, csvWithPhones(3)), '--template', 'hello_world', '--yes', '--limit', '0']);
    const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
    const r = await ws.run(['resume', id], { env: { WA_PHONE_NUMBER_ID: '999' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/never sent to another target/);
    expect((await s.stats()).requests).toBe(0);
  });

  it('refuses to start without credentials (exit 2) and plans nothing', async () => {
    const ws = workspace();
    const r = await ws.run(['broadcast', writeCsv(ws.dir, csvWithPhones(3)), '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing credentials.*WA_PHONE_NUMBER_ID.*WA_ACCESS_TOKEN/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
