// Reading broadcasts and their stored facts; the lease that keeps one runner per broadcast
// (DESIGN §3 rule 6).
import type { MessageSpec, Target } from '../core/types.js';
import type { Db } from './db.js';

export interface BroadcastRow {
  id: string;
  key: string;
  name: string | null;
  target: Target;
  spec: MessageSpec;
  sourceFile: string | null;
  rowsRead: number;
  createdAt: number;
  status: 'open' | 'halted' | 'cancelled';
  reason: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
}

interface RawRow {
  id: string; key: string; name: string | null; target: string; spec: string; source_file: string | null;
  rows_read: number; created_at: number; status: string; reason: string | null; lease_owner: string | null; lease_expires_at: number | null;
}

function fromRaw(r: RawRow): BroadcastRow {
  return {
    id: r.id, key: r.key, name: r.name, target: JSON.parse(r.target) as Target, spec: JSON.parse(r.spec) as MessageSpec,
    sourceFile: r.source_file, rowsRead: r.rows_read, createdAt: r.created_at, status: r.status as BroadcastRow['status'],
    reason: r.reason, leaseOwner: r.lease_owner, leaseExpiresAt: r.lease_expires_at,
  };
}

export function getBroadcast(db: Db, id: string): BroadcastRow | null {
  const row = db.prepare('SELECT * FROM broadcasts WHERE id = ?').get(id) as RawRow | undefined;
  return row ? fromRaw(row) : null;
}

export function listBroadcasts(db: Db): BroadcastRow[] {
  return (db.prepare('SELECT * FROM broadcasts ORDER BY created_at DESC, rowid DESC').all() as RawRow[]).map(fromRaw);
}

export function setBroadcastStatus(db: Db, id: string, status: BroadcastRow['status'], reason: string | null): void {
  db.prepare('UPDATE broadcasts SET status = ?, reason = ? WHERE id = ?').run(status, reason, id);
}

/** Says whether the owner of a lease is still running (the CLI checks the pid on this host). */
export type OwnerAlive = (owner: string) => boolean;

export function leaseIsLive(b: Pick<BroadcastRow, 'leaseOwner' | 'leaseExpiresAt'>, now: number, ownerAlive: OwnerAlive): boolean {
  return b.leaseOwner !== null && (b.leaseExpiresAt ?? 0) > now && ownerAlive(b.leaseOwner);
}

/**
 * Takes the lease when it is free, expired or held by a dead process. Returns the owner that holds
 * it when it can't be taken. One IMMEDIATE transaction, so two runners can't both win.
 */
export function acquireLease(db: Db, id: string, owner: string, ttlMs: number, now: number, ownerAlive: OwnerAlive): { ok: true } | { ok: false; holder: string } {
  return db.transaction(() => {
    const b = getBroadcast(db, id);
    if (!b) throw new Error(`no broadcast ${id}`);
    if (b.leaseOwner !== null && b.leaseOwner !== owner && leaseIsLive(b, now, ownerAlive)) return { ok: false as const, holder: b.leaseOwner };
    db.prepare('UPDATE broadcasts SET lease_owner = ?, lease_expires_at = ? WHERE id = ?').run(owner, now + ttlMs, id);
    return { ok: true as const };
  }).immediate();
}

/** Extends our lease; false when somebody else has taken it over (we must stop sending). */
export function renewLease(db: Db, id: string, owner: string, ttlMs: number, now: number): boolean {
  return db.prepare('UPDATE broadcasts SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?').run(now + ttlMs, id, owner).changes === 1;
}

export function releaseLease(db: Db, id: string, owner: string): void {
  db.prepare('UPDATE broadcasts SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?').run(id, owner);
}
