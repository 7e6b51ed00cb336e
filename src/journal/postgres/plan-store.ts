// Planning in PostgreSQL (DESIGN §3 rule 1): rows are COPied into TEMP tables on a connection held
// for the staging's lifetime (private to it, gone with it: a killed plan leaves nothing), duplicates
// are found in one pass once every row is in, the rows the journal rules out (opted out, no opt-in,
// already sent) are marked, and the plan is published in one transaction.
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
import { encodeRow } from './copy-rows.js';
import type { Conn, PgDb } from './pool.js';

const RECIPIENT_COLUMNS = ['line', 'input', 'phone', 'vars', 'message_hash'] as const;
const REJECTION_COLUMNS = ['line', 'input', 'reason', 'detail', 'duplicate_of'] as const;
/** Staged rows go to the server in COPYs of about this much text (a few per 100,000 rows). */
const FLUSH_CHARS = 2 * 1024 * 1024;
const SORTED_PAGE = 20_000;

export class PgPlanStore implements PlanStore {
  constructor(private readonly db: PgDb) {}

  async openStaging(opts: StagingOptions): Promise<PlanStaging> {
    const session = await this.db.dedicated();
    try {
      // Sorting a million phones once is the whole cost of dedup: give it memory (this session only;
      // temp_buffers can only be set before the session's first TEMP table, hence no error if not).
      await session.conn.client.query("SET temp_buffers = '64MB'").catch(() => {});
      await session.conn.client.query(`
        SET work_mem = '64MB';
        CREATE TEMP TABLE stage_rows (line INTEGER NOT NULL, input TEXT NOT NULL, phone TEXT COLLATE "C" NOT NULL, vars TEXT,
          message_hash TEXT NOT NULL);
        CREATE TEMP TABLE stage_rejections (line INTEGER NOT NULL, input TEXT, reason TEXT NOT NULL, detail TEXT, duplicate_of INTEGER);
        CREATE TEMP TABLE stage_blocked (phone TEXT COLLATE "C" PRIMARY KEY, reason TEXT NOT NULL, detail TEXT);`);
    } catch (err) {
      session.release(true);
      throw this.db.translate(err);
    }
    return new PgStaging(this.db.loc.schema, session, opts);
  }
}

class PgStaging implements PlanStaging {
  private sealed = false;
  private classified = false;
  private readonly c: Conn;
  private readonly recipients = new CopyBuffer('pg_temp.stage_rows', RECIPIENT_COLUMNS);
  private readonly rejections = new CopyBuffer('pg_temp.stage_rejections', REJECTION_COLUMNS);

  constructor(
    private readonly s: string,
    private readonly session: { conn: Conn; release(destroy?: boolean): void },
    private readonly opts: StagingOptions,
  ) {
    this.c = session.conn;
  }

  async stageBatch(recipients: StagedRecipient[], rejections: StagedRejection[]): Promise<void> {
    for (const r of recipients) this.recipients.add(encodeRow([r.line, r.input, r.phone, r.vars, r.messageHash]));
    for (const r of rejections) this.rejections.add(encodeRow([r.line, r.input, r.reason, r.detail, r.duplicateOf ?? null]));
    if (this.recipients.chars + this.rejections.chars >= FLUSH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    await this.recipients.flush(this.c);
    await this.rejections.flush(this.c);
  }

  /**
   * Once every row is staged: the first row of each phone is the recipient (the lowest line, as
   * rows arrive in file order), every later one a `duplicate` naming it.
   */
  private async seal(): Promise<void> {
    if (this.sealed) return;
    await this.flush();
    await this.c.run(`
      CREATE TEMP TABLE stage_recipients AS
        SELECT DISTINCT ON (phone) line, input, phone, vars, message_hash FROM pg_temp.stage_rows ORDER BY phone, line;
      INSERT INTO pg_temp.stage_rejections (line, input, reason, detail, duplicate_of)
        SELECT s.line, s.input, 'duplicate', 'same number as line ' || r.line, r.line
        FROM pg_temp.stage_rows s JOIN pg_temp.stage_recipients r ON r.phone = s.phone AND r.line <> s.line;
      DROP TABLE pg_temp.stage_rows;
      -- TEMP tables are never analyzed by autovacuum: statistics for the joins of classify().
      ANALYZE pg_temp.stage_recipients;`);
    this.sealed = true;
  }

  /**
   * Marks the staged rows the journal rules out, in this order of precedence: opted out, no opt-in
   * (--require-optin), the identical message sent within the window. Run for the counts and again
   * inside the commit (an opt-out may have arrived meanwhile).
   */
  private async classify(): Promise<void> {
    await this.c.run(`
      TRUNCATE pg_temp.stage_blocked;
      INSERT INTO pg_temp.stage_blocked (phone, reason, detail)
        SELECT s.phone, 'opted_out', 'opted out (' || o.source || ')'
        FROM pg_temp.stage_recipients s JOIN ${this.s}.optouts o ON o.phone = s.phone;`);
    if (this.opts.requireOptin) {
      await this.c.run(`INSERT INTO pg_temp.stage_blocked (phone, reason, detail)
        SELECT s.phone, 'no_optin', 'no opt-in recorded (--require-optin)' FROM pg_temp.stage_recipients s
        WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.optins i WHERE i.phone = s.phone)
        ON CONFLICT (phone) DO NOTHING`);
    }
    if (this.opts.dedupSince !== null) {
      // The earliest such row names the broadcast (as SQLite's ORDER BY id LIMIT 1 does).
      await this.c.run(
        `INSERT INTO pg_temp.stage_blocked (phone, reason, detail)
         SELECT DISTINCT ON (s.phone) s.phone, 'already_sent', 'already sent in broadcast ' || r.broadcast_id || ' on ' ||
           to_char(to_timestamp(coalesce(r.sent_at, r.updated_at) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' (' || r.state || ')'
         FROM pg_temp.stage_recipients s JOIN ${this.s}.recipients r ON r.message_hash = s.message_hash
         WHERE ${sentSinceSql('r', '$1::bigint')}
         ORDER BY s.phone, r.id
         ON CONFLICT (phone) DO NOTHING`,
        [this.opts.dedupSince],
      );
    }
    this.classified = true;
  }

  async counts(): Promise<StagedCounts> {
    await this.seal();
    await this.classify();
    const [n] = await this.c.rows<{ recipients: number }>(
      'SELECT (SELECT count(*) FROM pg_temp.stage_recipients) - (SELECT count(*) FROM pg_temp.stage_blocked) AS recipients',
    );
    const rows = await this.c.rows<{ reason: string; n: number }>(
      `SELECT reason, count(*) AS n FROM pg_temp.stage_rejections GROUP BY reason
       UNION ALL SELECT reason, count(*) FROM pg_temp.stage_blocked GROUP BY reason`,
    );
    const rejections: Record<string, number> = {};
    for (const r of rows) rejections[r.reason] = (rejections[r.reason] ?? 0) + r.n;
    return { recipients: n!.recipients, rejections };
  }

  async examples(reasons: RejectionReason[], limit: number): Promise<StagedRejection[]> {
    await this.seal();
    return this.c.rows<StagedRejection>(
      'SELECT line, input, reason, detail FROM pg_temp.stage_rejections WHERE reason = ANY($1) ORDER BY line LIMIT $2',
      [reasons, limit],
    );
  }

  async forEachSorted(update: (phone: string, vars: string | null) => void): Promise<void> {
    await this.seal();
    // One sort, read through a cursor a page at a time: a million rows never sit in memory at once.
    await this.c.run('BEGIN');
    try {
      await this.c.run('DECLARE sorted NO SCROLL CURSOR FOR SELECT phone, vars FROM pg_temp.stage_recipients ORDER BY phone');
      for (;;) {
        const page = await this.c.rows<{ phone: string; vars: string | null }>(`FETCH ${SORTED_PAGE} FROM sorted`);
        for (const r of page) update(r.phone, r.vars);
        if (page.length < SORTED_PAGE) break;
      }
    } finally {
      await this.c.run('COMMIT');
    }
  }

  async first(): Promise<StagedRecipient | null> {
    await this.seal();
    if (!this.classified) await this.classify();
    const [row] = await this.c.rows<StagedRecipient>(
      `SELECT line, input, phone, vars, message_hash AS "messageHash" FROM pg_temp.stage_recipients s
       WHERE NOT EXISTS (SELECT 1 FROM pg_temp.stage_blocked b WHERE b.phone = s.phone) ORDER BY line LIMIT 1`,
    );
    return row ?? null;
  }

  async commit(b: NewBroadcast): Promise<{ id: string; created: boolean }> {
    await this.seal();
    await this.c.run('BEGIN');
    try {
      const result = await this.publish(b);
      await this.c.run('COMMIT');
      return result;
    } catch (err) {
      await this.c.run('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  private async publish(b: NewBroadcast): Promise<{ id: string; created: boolean }> {
    const { c, s } = this;
    let id: string | null = null;
    while (id === null) {
      // Another process may publish the same key at the same moment: its insert wins, ours does nothing.
      const insert = newBroadcastInsert(`${s}.broadcasts`, (i) => `$${i + 1}`, newBroadcastId(), b);
      const [inserted] = await c.rows<{ id: string }>(`${insert.sql} ON CONFLICT DO NOTHING RETURNING id`, insert.values);
      if (inserted) id = inserted.id;
      else {
        const [existing] = await c.rows<{ id: string }>(`SELECT id FROM ${s}.broadcasts WHERE key = $1`, [b.key]);
        if (existing) return { id: existing.id, created: false };
        // otherwise the random id was taken: draw another
      }
    }
    await this.classify();
    await c.run(
      `INSERT INTO ${s}.rejections (broadcast_id, line, input, reason, detail, duplicate_of)
       SELECT $1, line, input, reason, detail, duplicate_of FROM pg_temp.stage_rejections
       UNION ALL
       SELECT $1, r.line, r.input, b.reason, b.detail, NULL
         FROM pg_temp.stage_recipients r JOIN pg_temp.stage_blocked b ON b.phone = r.phone
       ORDER BY line`,
      [id],
    );
    await c.run(
      `INSERT INTO ${s}.recipients (broadcast_id, line, input, phone, vars, message_hash, state, updated_at)
       SELECT $1, line, input, phone, vars, message_hash, 'pending', $2 FROM pg_temp.stage_recipients r
       WHERE NOT EXISTS (SELECT 1 FROM pg_temp.stage_blocked b WHERE b.phone = r.phone) ORDER BY line`,
      [id, b.createdAt],
    );
    return { id, created: true };
  }

  async drop(): Promise<void> {
    // The TEMP tables and the session settings go with the connection.
    this.session.release(true);
  }
}

/** Rows encoded for COPY, waiting to be sent in one go. */
class CopyBuffer {
  private lines: string[] = [];
  chars = 0;

  constructor(
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  add(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
  }

  async flush(c: Conn): Promise<void> {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.chars = 0;
    await c.copyEncoded(this.table, this.columns, [lines.join('')]);
  }
}
