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

const NEW_BROADCAST_COLUMNS = [
  'id',
  'key',
  'name',
  'target',
  'spec',
  'source_file',
  'source_sha256',
  'rows_read',
  'created_at',
  'sender',
  'profile',
  'require_optin',
];

/** The INSERT of a plan's broadcast into `table` (`mark`: the adapter's placeholder of the i-th value of newBroadcastRow). */
export function newBroadcastSql(table: string, mark: (i: number) => string): string {
  return `INSERT INTO ${table} (${NEW_BROADCAST_COLUMNS.join(', ')}) VALUES (${NEW_BROADCAST_COLUMNS.map((_, i) => mark(i)).join(', ')})`;
}

export function newBroadcastRow(id: string, b: NewBroadcast): unknown[] {
  return [
    id,
    b.key,
    b.name,
    JSON.stringify(b.target),
    JSON.stringify(b.spec),
    b.sourceFile,
    b.sourceSha256,
    b.rowsRead,
    b.createdAt,
    b.sender,
    b.profile,
    b.requireOptin ? 1 : 0,
  ];
}
