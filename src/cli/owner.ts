// Lease owners are "pid@host#nonce". On this host a dead pid means a stale lease that can be taken
// over at once; on another host we can only wait for the lease to expire.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function newOwner(): string {
  return `${process.pid}@${hostname()}#${randomBytes(3).toString('hex')}`;
}

export function ownerAlive(owner: string): boolean {
  const m = /^(\d+)@([^#]+)#/.exec(owner);
  if (!m || m[2] !== hostname()) return true;
  try {
    process.kill(Number(m[1]), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
