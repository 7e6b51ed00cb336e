// A broadcasts row as a domain record and a new broadcast as a row, for both SQL adapters. The stored
// columns are those journal copy carries (src/core/journal-copy.ts) plus the lease; PostgreSQL reads
// its boolean require_optin as 0/1, the way SQLite stores it (and takes 0/1 for it).
import type { NewBroadcast } from '../../core/journal.js';
import type { CopiedBroadcast } from '../../core/journal-copy.js';
import { senderOf } from '../../core/rules/message-identity.js';
import type { BroadcastRecord, MessageSpec, StoredStatus, Target } from '../../core/types.js';

export interface RawBroadcast extends CopiedBroadcast {
  lease_owner: string | null;
  lease_expires_at: number | null;
}

export function fromRaw(r: RawBroadcast): BroadcastRecord {
  const target = JSON.parse(r.target) as Target;
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    target,
    spec: JSON.parse(r.spec) as MessageSpec,
    sourceFile: r.source_file,
    sourceSha256: r.source_sha256,
    rowsRead: r.rows_read,
    createdAt: r.created_at,
    sender: r.sender ?? senderOf(target),
    profile: r.profile,
    requireOptin: r.require_optin === 1,
    status: r.status as StoredStatus,
    reason: r.reason,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
  };
}

/**
 * The INSERT of a plan's broadcast into `table` (`mark`: the adapter's placeholder for the i-th
 * value), with its values; status and reason take their defaults.
 */
export function newBroadcastInsert(
  table: string,
  mark: (i: number) => string,
  id: string,
  b: NewBroadcast,
): { sql: string; values: unknown[] } {
  const row: Omit<CopiedBroadcast, 'status' | 'reason'> = {
    id,
    key: b.key,
    name: b.name,
    target: JSON.stringify(b.target),
    spec: JSON.stringify(b.spec),
    source_file: b.sourceFile,
    source_sha256: b.sourceSha256,
    rows_read: b.rowsRead,
    created_at: b.createdAt,
    sender: b.sender,
    profile: b.profile,
    require_optin: b.requireOptin ? 1 : 0,
  };
  const columns = Object.keys(row);
  return {
    sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => mark(i)).join(', ')})`,
    values: Object.values(row),
  };
}
