// The journal misbehaving under a run: another process holding its write lock (a backup, a sqlite3
// shell, `optout import`). The run keeps its answers in memory and carries on when the lock goes.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, until, workspace } from '../helpers/cli.js';
import { writeCsv } from '../helpers/journal.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();

describe('journal faults during a run (e2e)', () => {
  it('a write lock held for 1 s mid-run: no error, no unknown row, every recipient accepted once', async () => {
    const s = await sandbox(['--latency', '50']);
    const ws = workspace(s.env);
    const csv = writeCsv(ws.dir, csvWithPhones(200));
    let locking: Promise<{ held: number; acceptedBefore: number }> | null = null;
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--rate', '100'], {
      withIO: () => {
        locking = until(async () => (await s.stats()).accepted >= 50, '50 accepted').then(async () => {
          const lock = new Database(ws.journal);
          lock.exec('BEGIN EXCLUSIVE');
          const acceptedBefore = (await s.stats()).accepted;
          const t0 = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 1000)); // the lock's lifetime, not a race
          lock.exec('ROLLBACK');
          lock.close();
          return { held: Date.now() - t0, acceptedBefore };
        });
      },
    });
    const lock = await locking!;
    expect(lock.held).toBeGreaterThanOrEqual(990); // a 1 s timer, read with a 1 ms clock
    expect(lock.acceptedBefore).toBeLessThan(200); // the lock came while the run was sending
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/SqliteError|at .*\.js:\d+/);
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE state <> 'sent'")).toEqual([]);
    const stats = await s.stats();
    expect(stats.accepted).toBe(200);
    expect(stats.duplicates).toEqual([]);
  });
});
