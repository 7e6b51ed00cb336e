// Lease owners are "pid@host#nonce". On this host a dead pid means a stale lease that can be taken
// over at once; on another host we can only wait for the lease to expire.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export function newOwner(): string {
  return `${process.pid}@${hostname()}#${randomBytes(3).toString('hex')}`;
}

export function ownerAlive(owner: string): boolean {
  const m = /^(\d+)@([^#]+)#/.exec(owner);
  if (!m || m[2] !== hostname()) return true;
  const pid = Number(m[1]);
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A killed process its parent has not reaped yet still answers kill(pid, 0), but it sends nothing. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no /proc (not Linux): trust kill(pid, 0)
  }
}
