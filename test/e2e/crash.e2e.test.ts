// Crash safety end to end: kill -9 of the real binary, a graceful Ctrl-C, two runners at once.
import { describe, expect, it } from 'vitest';
import { collect, csvWithPhones, query, until, workspace } from '../helpers/cli.js';
import { writeCsv } from '../helpers/journal.js';
import { ExitCalled } from '../helpers/memory-io.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();

describe('crashes, signals and concurrent runners (e2e)', () => {
  it('d) kill -9 mid-run, then resume: nobody accepted twice, everybody once except the unknown ones', async () => {
    const s = await sandbox(['--latency', '40', '--jitter', '20']);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, csvWithPhones(300));
    const child = ws.spawn(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '8', '--rate', '400']);
    child.stdin!.end();
    const done = collect(child);
    for (;;) {
      // kill once a good part has been accepted
      await new Promise((r) => setTimeout(r, 100));
      if ((await s.stats()).accepted >= 100) break;
    }
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
    const resumed = await ws.run(['resume', id, '--concurrency', '8', '--rate', '400']);
    expect([0, 3]).toContain(resumed.code);
    const unknown = query<{ phone: string }>(ws.journal, "SELECT phone FROM recipients WHERE state = 'unknown'").map(
      (r) => r.phone,
    );
    expect(unknown.length).toBeLessThanOrEqual(8);
    // The exit-3 line names the command that really continues with unknown rows.
    if (unknown.length > 0)
      expect(resumed.stderr).toMatch(new RegExp(`${unknown.length} unknown.*wa-send retry-failed ${id} --include-unknown`));
    const stats = await s.stats(true);
    expect(stats.duplicates).toEqual([]);
    const acceptedKeys = new Set(Object.keys(stats.accepted_by_key));
    const all = query<{ phone: string; state: string }>(ws.journal, 'SELECT phone, state FROM recipients');
    for (const row of all) {
      if (row.state === 'unknown') continue;
      expect(row.state).toBe('sent');
      expect(acceptedKeys.has(`${id}:${row.phone}`)).toBe(true);
    }
    expect(stats.accepted).toBeGreaterThanOrEqual(300 - unknown.length);
  });

  it('e) SIGINT mid-run → exit 130 after a drain, no unknown rows, resume finishes', async () => {
    const s = await sandbox(['--latency', '30']);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, csvWithPhones(400));
    let signalled = false;
    const running = ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--rate', '200'], {
      withIO: (io) => {
        // The first Ctrl-C once a good part was accepted: an observable event, not a timer.
        void until(async () => (await s.stats()).accepted >= 50, '50 accepted').then(() => {
          signalled = true;
          io.signal('SIGINT');
        });
      },
    });
    const r = await running;
    expect(signalled).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/interrupted by SIGINT.*wa-send resume b/);
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE state IN ('unknown', 'sending')")).toEqual([]);
    const sent = query<{ n: number }>(ws.journal, "SELECT count(*) AS n FROM recipients WHERE state = 'sent'")[0]!.n;
    expect(sent).toBe((await s.stats()).accepted); // every answer received was recorded
    expect(sent).toBeLessThan(400);
    const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
    expect((await ws.run(['resume', id, '--rate', '1000'])).code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(400);
    expect(stats.duplicates).toEqual([]);
  });

  it('a second SIGINT leaves at once; the rows in flight show as unknown after a resume', async () => {
    const s = await sandbox(['--latency', '2000']);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, csvWithPhones(20));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '4'], {
      withIO: (io) => {
        void until(async () => (await s.stats()).in_flight >= 1, 'a request in flight')
          .then(() => {
            io.signal('SIGINT');
            io.signal('SIGINT'); // leaves at once: the in-memory exit() throws ExitCalled right here
          })
          .catch((err: unknown) => {
            if (!(err instanceof ExitCalled)) throw err;
          });
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/second SIGINT: exiting now; rows in flight will show as unknown — continue with: wa-send resume b/);
  });

  it('f) two resume processes on one broadcast at once → one exits 5, no duplicates', async () => {
    const s = await sandbox(['--latency', '20']);
    const ws = workspace(s.env);
    const planned = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(300)),
      '--template',
      'hello_world',
      '--yes',
      '--limit',
      '0',
    ]);
    expect(planned.code).toBe(6);
    const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
    const [one, two] = await Promise.all([ws.run(['resume', id, '--rate', '300']), ws.run(['resume', id, '--rate', '300'])]);
    expect([one.code, two.code].sort()).toEqual([0, 5]);
    expect([one, two].find((x) => x.code === 5)!.stderr).toMatch(/being sent by another process/);
    const stats = await s.stats();
    expect(stats.accepted).toBe(300);
    expect(stats.duplicates).toEqual([]);
  });
});
