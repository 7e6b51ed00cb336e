// Planning in SQLite: TEMP tables for staging (private to this connection, deleted with it, and
// writing them takes no lock on the journal), one IMMEDIATE transaction to publish the plan.
import type {
  NewBroadcast,
  PlanStaging,
  PlanStore,
  StagedCounts,
  StagedRecipient,
  StagedRejection,
  StagingOptions,
} from '../../core/journal.js';
import type { RejectionReason } from '../../core/types.js';
import { sentSinceSql } from '../shared/already-sent.js';
import { newBroadcastId } from '../shared/broadcast-id.js';
import { newBroadcastInsert } from '../shared/broadcast-row.js';
import type { Db } from './db.js';
import type { JournalFile } from './journal-file.js';

export class SqlitePlanStore implements PlanStore {
  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
  ) {}

  async openStaging(opts: StagingOptions): Promise<PlanStaging> {
    return this.file.run(() => new SqliteStaging(this.db, this.file, opts));
  }
}

class SqliteStaging implements PlanStaging {
  private readonly stage: (recipients: StagedRecipient[], rejections: StagedRejection[]) => void;

  constructor(
    private readonly db: Db,
    private readonly file: JournalFile,
    private readonly opts: StagingOptions,
  ) {
    db.exec(`
      PRAGMA temp.cache_size = -8192;
      DROP TABLE IF EXISTS temp.stage_recipients;
      DROP TABLE IF EXISTS temp.stage_rejections;
      CREATE TEMP TABLE stage_recipients (line INTEGER NOT NULL, input TEXT NOT NULL, phone TEXT NOT NULL UNIQUE, vars TEXT,
        message_hash TEXT NOT NULL, blocked TEXT, blocked_detail TEXT);
      CREATE TEMP TABLE stage_rejections (line INTEGER NOT NULL, input TEXT, reason TEXT NOT NULL, detail TEXT, duplicate_of INTEGER);
    `);
    const insertRecipient = db.prepare(
      'INSERT OR IGNORE INTO temp.stage_recipients (line, input, phone, vars, message_hash) VALUES (?, ?, ?, ?, ?)',
    );
    const firstLine = db.prepare('SELECT line FROM temp.stage_recipients WHERE phone = ?').pluck();
    const insertRejection = db.prepare(
      'INSERT INTO temp.stage_rejections (line, input, reason, detail, duplicate_of) VALUES (?, ?, ?, ?, ?)',
    );
    this.stage = db.transaction((recipients: StagedRecipient[], rejections: StagedRejection[]) => {
      for (const r of rejections) insertRejection.run(r.line, r.input, r.reason, r.detail, r.duplicateOf ?? null);
      for (const r of recipients) {
        if (insertRecipient.run(r.line, r.input, r.phone, r.vars, r.messageHash).changes === 0) {
          const original = firstLine.get(r.phone) as number;
          insertRejection.run(r.line, r.input, 'duplicate', `same number as line ${original}`, original);
        }
      }
    });
  }

  async stageBatch(recipients: StagedRecipient[], rejections: StagedRejection[]): Promise<void> {
    this.file.run(() => this.stage(recipients, rejections));
  }

  /**
   * Marks the staged rows the journal already rules out: opted out, or sent the identical message
   * within the window. Run for the counts and again inside the commit (an opt-out may have arrived).
   */
  private classify(): void {
    this.db.exec(`
      UPDATE temp.stage_recipients SET blocked = NULL, blocked_detail = NULL;
      UPDATE temp.stage_recipients SET blocked = 'opted_out',
        blocked_detail = 'opted out (' || (SELECT o.source FROM main.optouts o WHERE o.phone = stage_recipients.phone) || ')'
        WHERE EXISTS (SELECT 1 FROM main.optouts o WHERE o.phone = stage_recipients.phone);
    `);
    if (this.opts.requireOptin) {
      this.db.exec(`UPDATE temp.stage_recipients SET blocked = 'no_optin', blocked_detail = 'no opt-in recorded (--require-optin)'
        WHERE blocked IS NULL AND NOT EXISTS (SELECT 1 FROM main.optins i WHERE i.phone = stage_recipients.phone)`);
    }
    if (this.opts.dedupSince === null) return;
    this.db
      .prepare(
        `UPDATE temp.stage_recipients SET blocked = 'already_sent', blocked_detail = (
           SELECT 'already sent in broadcast ' || r.broadcast_id || ' on ' ||
             strftime('%Y-%m-%d', coalesce(r.sent_at, r.updated_at) / 1000, 'unixepoch') || ' (' || r.state || ')'
           FROM main.recipients r WHERE r.message_hash = stage_recipients.message_hash AND ${sentSinceSql('r', '@since')}
           ORDER BY r.id LIMIT 1)
         WHERE blocked IS NULL AND EXISTS (
           SELECT 1 FROM main.recipients r WHERE r.message_hash = stage_recipients.message_hash AND ${sentSinceSql('r', '@since')})`,
      )
      .run({ since: this.opts.dedupSince });
  }

  async counts(): Promise<StagedCounts> {
    return this.file.run(() => {
      this.classify();
      const recipients = this.db
        .prepare('SELECT count(*) FROM temp.stage_recipients WHERE blocked IS NULL')
        .pluck()
        .get() as number;
      const rows = this.db
        .prepare(
          `SELECT reason, count(*) AS n FROM temp.stage_rejections GROUP BY reason
           UNION ALL SELECT blocked, count(*) FROM temp.stage_recipients WHERE blocked IS NOT NULL GROUP BY blocked`,
        )
        .all() as { reason: string; n: number }[];
      const rejections: Record<string, number> = {};
      for (const r of rows) rejections[r.reason] = (rejections[r.reason] ?? 0) + r.n;
      return { recipients, rejections };
    });
  }

  async examples(reasons: RejectionReason[], limit: number): Promise<StagedRejection[]> {
    const marks = reasons.map(() => '?').join(',');
    return this.db
      .prepare(`SELECT line, input, reason, detail FROM temp.stage_rejections WHERE reason IN (${marks}) ORDER BY line LIMIT ?`)
      .all(...reasons, limit) as StagedRejection[];
  }

  async forEachSorted(update: (phone: string, vars: string | null) => void): Promise<void> {
    const rows = this.db.prepare('SELECT phone, vars FROM temp.stage_recipients ORDER BY phone').raw().iterate() as Iterable<
      [string, string | null]
    >;
    for (const [phone, vars] of rows) update(phone, vars);
  }

  async first(): Promise<StagedRecipient | null> {
    const row = this.db
      .prepare(
        `SELECT line, input, phone, vars, message_hash AS messageHash FROM temp.stage_recipients
         WHERE blocked IS NULL ORDER BY rowid LIMIT 1`,
      )
      .get() as StagedRecipient | undefined;
    return row ?? null;
  }

  async commit(b: NewBroadcast): Promise<{ id: string; created: boolean }> {
    const db = this.db;
    return this.file.run(() =>
      db
        .transaction(() => {
          // Another process may have published the same key since we looked: theirs stands.
          const existing = db.prepare('SELECT id FROM broadcasts WHERE key = ?').pluck().get(b.key) as string | undefined;
          if (existing !== undefined) return { id: existing, created: false };
          let id = newBroadcastId();
          while (db.prepare('SELECT 1 FROM broadcasts WHERE id = ?').get(id)) id = newBroadcastId();
          const insert = newBroadcastInsert('broadcasts', () => '?', id, b);
          db.prepare(insert.sql).run(insert.values);
          db.prepare(
            `INSERT INTO rejections (broadcast_id, line, input, reason, detail, duplicate_of)
           SELECT ?, line, input, reason, detail, duplicate_of FROM temp.stage_rejections ORDER BY rowid`,
          ).run(id);
          this.classify();
          db.prepare(
            `INSERT INTO rejections (broadcast_id, line, input, reason, detail)
             SELECT ?, line, input, blocked, blocked_detail FROM temp.stage_recipients WHERE blocked IS NOT NULL ORDER BY rowid`,
          ).run(id);
          db.prepare(
            `INSERT INTO recipients (broadcast_id, line, input, phone, vars, message_hash, state, updated_at)
             SELECT ?, line, input, phone, vars, message_hash, 'pending', ? FROM temp.stage_recipients
             WHERE blocked IS NULL ORDER BY rowid`,
          ).run(id, b.createdAt);
          return { id, created: true };
        })
        .immediate(),
    );
  }

  async drop(): Promise<void> {
    this.db.exec('DROP TABLE IF EXISTS temp.stage_recipients; DROP TABLE IF EXISTS temp.stage_rejections;');
  }
}
