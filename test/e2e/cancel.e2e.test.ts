// cancel through the real binary: open rows become skipped and are never sent; a finished
// broadcast keeps its state.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();

describe('cancel (e2e)', () => {
  it('skips the open rows; resume then sends nothing; a second cancel changes nothing', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(20));
    const planned = await ws.run(['broadcast', csv, '--template', 'hello_world', '--limit', '5', '--json']);
    expect(planned.code).toBe(6);
    const id = JSON.parse(planned.stdout).id as string;
    const cancelled = await ws.run(['cancel', id]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`Broadcast ${id} cancelled: 15 recipients will not be sent.`);
    const resumed = await ws.run(['resume', id, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'cancelled', counts: { sent: 5, skipped: 15, pending: 0 } });
    expect((await s.stats()).requests).toBe(5);
    const again = await ws.run(['cancel', id]);
    expect(again.stdout).toContain('is cancelled: nothing left to cancel');
  });

  it('leaves a completed broadcast completed', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(3));
    const sent = await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--json']);
    const id = JSON.parse(sent.stdout).id as string;
    const r = await ws.run(['cancel', id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Broadcast ${id} is completed: nothing left to cancel.`);
    expect(JSON.parse((await ws.run(['status', id, '--json'])).stdout)).toMatchObject({
      state: 'completed',
      counts: { sent: 3, skipped: 0 },
    });
  });

  it('retry-failed on a cancelled broadcast changes nothing: it stays cancelled with no open rows', async () => {
    const s = await sandbox(['--fail', '131000=1']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(10));
    const first = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--max-attempts', '1', '--json']);
    expect(first.code).toBe(3); // every row failed with a retryable error
    const id = JSON.parse(first.stdout).id as string;
    expect((await ws.run(['cancel', id])).stdout).toContain(`Broadcast ${id} cancelled`);
    const before = (await s.stats()).requests;
    const r = await ws.run(['retry-failed', id, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`broadcast ${id} is cancelled: nothing is sent`);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'cancelled', counts: { pending: 0, retry: 0, sending: 0, failed: 10 } });
    expect((await s.stats()).requests).toBe(before);
    // The sweep leaves it alone as well.
    expect((await ws.run(['retry-failed'])).stderr).toContain('No broadcast has retries due.');
  });

  it('retry-failed on a broadcast another process holds exits 5 and queues nothing again', async () => {
    const s = await sandbox(['--fail', '131000=1']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(4));
    const first = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--max-attempts', '1', '--json']);
    const id = JSON.parse(first.stdout).id as string;
    // Another runner (alive: this test process) holds the lease.
    const db = new Database(ws.journal);
    db.prepare('UPDATE broadcasts SET lease_owner = ?, lease_expires_at = ? WHERE id = ?').run(
      `${process.pid}@${hostname()}#other`,
      Date.now() + 60_000,
      id,
    );
    db.close();
    const r = await ws.run(['retry-failed', id]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/being sent by another process/);
    expect(query(ws.journal, "SELECT state, attempts FROM recipients WHERE state <> 'failed'")).toEqual([]);
  });
});
