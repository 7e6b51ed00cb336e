// Lease owners: this host's live processes hold their leases; a dead one, or a zombie its parent has
// not reaped yet, does not (it sends nothing, so waiting out the TTL for it would only delay a takeover).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { newOwner, ownerAlive } from '../../src/cli/owner.js';
import { until } from '../helpers/cli.js';

const owner = (pid: number, host = hostname()) => `${pid}@${host}#abc123`;

describe('ownerAlive', () => {
  it('this process is alive; a pid that does not exist is not; another host is trusted until the TTL', () => {
    expect(newOwner()).toMatch(new RegExp(`^${process.pid}@${hostname()}#[0-9a-f]{6}$`));
    expect(ownerAlive(owner(process.pid))).toBe(true);
    expect(ownerAlive(owner(2 ** 22 + 12345))).toBe(false);
    expect(ownerAlive(owner(2 ** 22 + 12345, 'another-box'))).toBe(true);
    expect(ownerAlive('not-an-owner')).toBe(true);
  });

  it('a zombie (dead, not reaped by its parent) counts as dead', async () => {
    // sh starts a short child, then becomes `sleep 30`, which never reaps it: the child turns zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))),
    );
    try {
      await until(() => /\) Z /.test(statOf(pid)), 'the child to become a zombie', 10_000);
      expect(ownerAlive(owner(pid))).toBe(false);
      expect(ownerAlive(owner(parent.pid!))).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

function statOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}
