// Reading broadcast rows, and the facts a status is computed from (shared by the stores).
import type Database from 'better-sqlite3';
import type { BroadcastFacts } from '../../core/journal.js';
import type { BroadcastRecord, ErrorCount } from '../../core/types.js';
import { fromRaw, type RawBroadcast } from '../shared/broadcast-row.js';
import { type Db, perConnection } from './db.js';
import { nextRetryAtMs, stateCounts } from './queries.js';

type Statement = Database.Statement<unknown[], unknown>;
type RecordQuery =
  | 'get'
  | 'byKey'
  | 'list'
  | 'rejections'
  | 'attempted'
  | 'failedUnaccepted'
  | 'errors'
  | 'cancel'
  | 'skipOpen'
  | 'leaseOwner'
  | 'deferredUntil'
  | 'lastRunEnded'
  | 'lastRun';

/** Typed by name: the emitted declarations cannot name better-sqlite3's inner Statement type. */
export const records: (db: Db) => Record<RecordQuery, Statement> = perConnection((db) => ({
  get: db.prepare('SELECT * FROM broadcasts WHERE id = ?'),
  byKey: db.prepare('SELECT * FROM broadcasts WHERE key = ?'),
  list: db.prepare('SELECT * FROM broadcasts ORDER BY created_at DESC, rowid DESC'),
  rejections: db.prepare('SELECT reason, count(*) AS n FROM rejections WHERE broadcast_id = ? GROUP BY reason'),
  attempted: db.prepare(
    "SELECT 1 FROM recipients WHERE broadcast_id = ? AND (state <> 'pending' OR attempts > 0 OR error_code IS NOT NULL) LIMIT 1",
  ),
  failedUnaccepted: db
    .prepare("SELECT count(*) FROM recipients WHERE broadcast_id = ? AND state = 'failed' AND wamid IS NULL")
    .pluck(),
  errors: db.prepare(`SELECT error_code AS code, max(error_title) AS title, count(*) AS count FROM recipients
    WHERE broadcast_id = ? AND state = 'failed' AND error_code IS NOT NULL
    GROUP BY error_code ORDER BY count DESC, error_code LIMIT 20`),
  cancel: db.prepare("UPDATE broadcasts SET status = 'cancelled', reason = 'cancelled by the operator' WHERE id = ?"),
  skipOpen: db.prepare(`UPDATE recipients SET state = 'skipped', error_class = 'cancelled', error_detail = 'broadcast cancelled',
    next_attempt_at = NULL, updated_at = ? WHERE broadcast_id = ? AND state IN ('pending', 'retry')`),
  leaseOwner: db.prepare('SELECT lease_owner FROM broadcasts WHERE id = ?').pluck(),
  deferredUntil: db
    .prepare(
      "SELECT min(next_attempt_at) FROM recipients WHERE broadcast_id = ? AND state = 'failed' AND error_class = 'defer_24h'",
    )
    .pluck(),
  lastRunEnded: db.prepare('SELECT max(ended_at) FROM runs WHERE broadcast_id = ?').pluck(),
  lastRun: db.prepare(
    'SELECT mode, outcome, reason, ended_at AS endedAt FROM runs WHERE broadcast_id = ? ORDER BY started_at DESC, id DESC LIMIT 1',
  ),
}));

export function getBroadcast(db: Db, id: string): BroadcastRecord | null {
  const row = records(db).get.get(id) as RawBroadcast | undefined;
  return row ? fromRaw(row) : null;
}

export function broadcastFacts(db: Db, b: BroadcastRecord): BroadcastFacts {
  const s = records(db);
  const counts = stateCounts(db, b.id);
  const rejections: Record<string, number> = {};
  for (const r of s.rejections.all(b.id) as { reason: string; n: number }[]) rejections[r.reason] = r.n;
  return {
    broadcast: b,
    counts,
    rejections,
    errors: s.errors.all(b.id) as ErrorCount[],
    attempted: s.attempted.get(b.id) !== undefined,
    failedUnaccepted: counts.failed === 0 ? 0 : (s.failedUnaccepted.get(b.id) as number),
    nextRetryAt: nextRetryAtMs(db, b.id),
    deferredUntil: counts.failed === 0 ? null : (s.deferredUntil.get(b.id) as number | null),
    lastRunEndedAt: s.lastRunEnded.get(b.id) as number | null,
    lastRun: (s.lastRun.get(b.id) as BroadcastFacts['lastRun'] | undefined) ?? null,
  };
}
