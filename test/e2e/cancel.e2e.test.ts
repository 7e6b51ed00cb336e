// cancel through the real binary: open rows become skipped and are never sent; a finished
// broadcast keeps its state.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { csvWithPhones, type SandboxProcess, startSandboxProcess, workspace } from '../helpers/cli.js';

const sandboxes: SandboxProcess[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.stop()));
});

describe('cancel (e2e)', () => {
  it('skips the open rows; resume then sends nothing; a second cancel changes nothing', async () => {
    const s = await startSandboxProcess();
    sandboxes.push(s);
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
});
