// The SQLite PlanStore: TEMP tables for staging (private to this connection, deleted with it, and
// writing them takes no lock on the journal), one IMMEDIATE transaction to publish the plan.
import { randomBytes } from 'node:crypto';
import type { NewBroadcast, PlanStore, StagedCounts, StagedRecipient, StagedRejection } from '../core/plan-store.js';
import type { RejectionReason } from '../core/types.js';
import type { Db } from './db.js';

const ID_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz'; // no 0/1/i/l/o: easy to read out and type

export function newBroadcastId(): string {
  const bytes = randomBytes(7);
  return `b${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

export class SqlitePlanStore implements PlanStore {
  constructor(private readonly db: Db) {}

  findIdByKey(key: string): string | null {
    const row = this.db.prepare('SELECT id FROM broadcasts WHERE key = ?').get(key) as { id: string } | undefined;
    return row?.id ?? null;
  }

  startStaging(): void {
    this.db.exec(`
      PRAGMA temp.cache_size = -8192;
      DROP TABLE IF EXISTS temp.stage_recipients;
      DROP TABLE IF EXISTS temp.stage_rejections;
      CREATE TEMP TABLE stage_recipients (line INTEGER NOT NULL, input TEXT NOT NULL, phone TEXT NOT NULL UNIQUE, vars TEXT);
      CREATE TEMP TABLE stage_rejections (line INTEGER NOT NULL, input TEXT, reason TEXT NOT NULL, detail TEXT, duplicate_of INTEGER);
    `);
    const insertRecipient = this.db.prepare('INSERT OR IGNORE INTO temp.stage_recipients (line, input, phone, vars) VALUES (?, ?, ?, ?)');
    const firstLine = this.db.prepare('SELECT line FROM temp.stage_recipients WHERE phone = ?').pluck();
    const insertRejection = this.db.prepare('INSERT INTO temp.stage_rejections (line, input, reason, detail, duplicate_of) VALUES (?, ?, ?, ?, ?)');
    this.stage = this.db.transaction((recipients: StagedRecipient[], rejections: StagedRejection[]) => {
      for (const r of rejections) insertRejection.run(r.line, r.input, r.reason, r.detail, r.duplicateOf ?? null);
      for (const r of recipients) {
        if (insertRecipient.run(r.line, r.input, r.phone, r.vars).changes === 0) {
          const original = firstLine.get(r.phone) as number;
          insertRejection.run(r.line, r.input, 'duplicate', `same number as line ${original}`, original);
        }
      }
    });
  }

  private stage: ((recipients: StagedRecipient[], rejections: StagedRejection[]) => void) | null = null;

  stageBatch(recipients: StagedRecipient[], rejections: StagedRejection[]): void {
    if (!this.stage) throw new Error('startStaging() first');
    this.stage(recipients, rejections);
  }

  stagedCounts(): StagedCounts {
    const recipients = this.db.prepare('SELECT count(*) FROM temp.stage_recipients').pluck().get() as number;
    const optedOut = this.db.prepare(
      'SELECT count(*) FROM temp.stage_recipients s JOIN main.optouts o ON o.phone = s.phone',
    ).pluck().get() as number;
    const rows = this.db.prepare('SELECT reason, count(*) AS n FROM temp.stage_rejections GROUP BY reason').all() as { reason: string; n: number }[];
    const rejections: Record<string, number> = Object.fromEntries(rows.map((r) => [r.reason, r.n]));
    if (optedOut > 0) rejections.opted_out = (rejections.opted_out ?? 0) + optedOut;
    return { recipients: recipients - optedOut, optedOut, rejections };
  }

  stagedExamples(reasons: RejectionReason[], limit: number): StagedRejection[] {
    const marks = reasons.map(() => '?').join(',');
    const rows = this.db.prepare(
      `SELECT line, input, reason, detail FROM temp.stage_rejections WHERE reason IN (${marks}) ORDER BY line LIMIT ?`,
    ).all(...reasons, limit) as StagedRejection[];
    return rows;
  }

  forEachStagedSorted(update: (phone: string, vars: string | null) => void): void {
    const rows = this.db.prepare('SELECT phone, vars FROM temp.stage_recipients ORDER BY phone').raw().iterate() as Iterable<[string, string | null]>;
    for (const [phone, vars] of rows) update(phone, vars);
  }

  firstStaged(): StagedRecipient | null {
    return (this.db.prepare(
      'SELECT line, input, phone, vars FROM temp.stage_recipients s WHERE NOT EXISTS (SELECT 1 FROM main.optouts o WHERE o.phone = s.phone) ORDER BY rowid LIMIT 1',
    ).get() as StagedRecipient | undefined) ?? null;
  }

  commit(b: NewBroadcast): string {
    const now = Date.now();
    return this.db.transaction(() => {
      let id = newBroadcastId();
      while (this.db.prepare('SELECT 1 FROM broadcasts WHERE id = ?').get(id)) id = newBroadcastId();
      this.db.prepare(`INSERT INTO broadcasts (id, key, name, target, spec, source_file, source_sha256, rows_read, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        id, b.key, b.name, JSON.stringify(b.target), JSON.stringify(b.spec), b.sourceFile, b.sourceSha256, b.rowsRead, now);
      this.db.prepare(`INSERT INTO rejections (broadcast_id, line, input, reason, detail, duplicate_of)
        SELECT ?, line, input, reason, detail, duplicate_of FROM temp.stage_rejections ORDER BY rowid`).run(id);
      this.db.prepare(`INSERT INTO rejections (broadcast_id, line, input, reason, detail)
        SELECT ?, s.line, s.input, 'opted_out', 'opted out (' || o.source || ')' FROM temp.stage_recipients s
        JOIN main.optouts o ON o.phone = s.phone ORDER BY s.rowid`).run(id);
      this.db.prepare(`INSERT INTO recipients (broadcast_id, line, input, phone, vars, state, updated_at)
        SELECT ?, line, input, phone, vars, 'pending', ? FROM temp.stage_recipients s
        WHERE NOT EXISTS (SELECT 1 FROM main.optouts o WHERE o.phone = s.phone) ORDER BY s.rowid`).run(id, now);
      return id;
    }).immediate();
  }

  dropStaging(): void {
    this.db.exec('DROP TABLE IF EXISTS temp.stage_recipients; DROP TABLE IF EXISTS temp.stage_rejections;');
    this.stage = null;
  }
}
