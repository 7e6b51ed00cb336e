// The PostgreSQL journal: the port's conformance suite against a real server, and what only a
// server can do wrong.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { errorVerdict } from '../../src/cli/outcome.js';
import { WaSendError } from '../../src/core/errors.js';
import type { JournalError } from '../../src/core/journal.js';
import { openJournal, printableLocation } from '../../src/journal/index.js';
import { migrations, SCHEMA_VERSION } from '../../src/journal/postgres/migrations.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher } from '../../src/webhook/events.js';
import { until } from '../helpers/cli.js';
import { csvOf, phones, plan, tempDir, writeCsv } from '../helpers/journal.js';
import { freshJournalUrl, pgQuery, serverUrl } from '../helpers/postgres.js';
import { statusBody } from '../webhook/helpers.js';
import { exchangeOf, iso, OWNER, planned, rowsOf, seeded, T } from './conformance/harness.js';
import { journalConformance } from './conformance/index.js';

describe.concurrent('PostgreSQL journal: conformance', () => {
  journalConformance(async () => {
    const url = freshJournalUrl();
    const journal = await openJournal(url);
    return {
      journal,
      reopen: () => openJournal(url),
      cleanup: () => journal.close(),
    };
  });
});

describe.concurrent('PostgreSQL journal: the server', () => {
  it('migrates once when several processes open a new schema at the same moment (advisory lock)', async () => {
    const url = freshJournalUrl();
    const journals = await Promise.all(Array.from({ length: 6 }, () => openJournal(url)));
    // Each migration applied once.
    expect(await pgQuery(url, 'SELECT version FROM schema_version ORDER BY version')).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    await Promise.all(journals.map((j) => j.close()));
  });

  it('refuses a journal from a newer wa-send, and a schema holding another application’s tables', async () => {
    const url = freshJournalUrl();
    await (await openJournal(url)).close();
    await pgQuery(url, 'INSERT INTO schema_version VALUES (99, 0)');
    await expect(openJournal(url)).rejects.toThrow(
      new RegExp(`written by a newer wa-send \\(schema 99, this one knows ${SCHEMA_VERSION}\\)`),
    );
    const other = freshJournalUrl();
    const schema = new URL(other).searchParams.get('schema')!;
    await pgQuery(other, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.customers (id int)`);
    const err = await openJournal(other).catch((e: unknown) => e);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(
      new RegExp(
        `the schema ${schema} at 127\\.0\\.0\\.1:\\d+/postgres \\(schema ${schema}\\) holds tables of another application`,
      ),
    );
  });

  it('upgrades a journal of schema 1 in place: broadcasts get their sending number, new tables appear', async () => {
    const url = freshJournalUrl();
    const schema = new URL(url).searchParams.get('schema')!;
    await pgQuery(
      url,
      `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
       ${migrations(schema)[0]} INSERT INTO ${schema}.schema_version VALUES (1, 0)`,
    );
    const insert = `INSERT INTO broadcasts (id, key, target, spec, created_at) VALUES ($1, $1, $2, '{"message":{},"columns":[]}', 1)`;
    await pgQuery(url, insert, ['b1', JSON.stringify({ api_url: 'http://127.0.0.1:9', phone_number_id: '111' })]);
    await pgQuery(url, insert, ['b2', JSON.stringify('sandbox')]);
    // A command that only reads does not upgrade it, and says how.
    await expect(openJournal(url, { readonly: true })).rejects.toThrow(
      new RegExp(`older wa-send \\(schema 1 of ${SCHEMA_VERSION}\\) and this command only reads it`),
    );
    const journal = await openJournal(url);
    expect((await journal.broadcasts.list()).map((b) => [b.id, b.sender, b.profile, b.requireOptin])).toEqual([
      ['b2', 'sandbox', null, false],
      ['b1', '111', null, false],
    ]);
    expect(await journal.check()).toEqual([]);
    await journal.close();
  });

  it('check: a missing table is damage; a user who may only read cannot run', async () => {
    const url = freshJournalUrl();
    const schema = new URL(url).searchParams.get('schema')!;
    const journal = await openJournal(url);
    await pgQuery(url, 'DROP TABLE optins');
    expect(await journal.check()).toEqual([expect.stringMatching(/is damaged: optins missing$/)]);
    await journal.close();
    const reader = `reader_${schema}`;
    await pgQuery(
      url,
      `CREATE ROLE ${reader} LOGIN PASSWORD 'pw'; GRANT USAGE ON SCHEMA ${schema} TO ${reader};
       GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${reader}`,
    );
    const asReader = new URL(url);
    asReader.username = reader;
    asReader.password = 'pw';
    const readOnly = await openJournal(asReader.toString());
    const problems = await readOnly.check();
    expect(problems.join('\n')).toMatch(
      new RegExp(`cannot be written by user ${reader}: schema_version, broadcasts, recipients`),
    );
    await readOnly.close();
    await pgQuery(url, `DROP OWNED BY ${reader}; DROP ROLE ${reader}`);
  });

  it('read-only on a schema nobody created: an empty journal, and nothing is created', async () => {
    const url = freshJournalUrl();
    const journal = await openJournal(url, { readonly: true });
    expect(await journal.broadcasts.list()).toEqual([]);
    expect(await journal.optouts.list()).toEqual([]);
    const dry = await plan(journal, writeCsv(tempDir(), csvOf(phones(3))), undefined, { dryRun: true, requireOptin: true });
    expect(dry).toMatchObject({ broadcastId: null, recipients: 0, rejections: { no_optin: 3 } });
    expect(await journal.check()).toEqual([]);
    expect(await journal.broadcasts.metrics(T)).toMatchObject({ broadcasts: [], numbers: [] });
    await journal.close();
    const schema = new URL(url).searchParams.get('schema');
    expect(await pgQuery(url, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
  });

  it('keeps journals in different schemas of one database apart', async () => {
    const [a, b] = await Promise.all([openJournal(freshJournalUrl()), openJournal(freshJournalUrl())]);
    await planned(a, 2);
    await a.optouts.add(['+15551230000'], 'manual', null, 1);
    expect(await b.broadcasts.list()).toEqual([]);
    expect(await b.optouts.list()).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('says in one line what is wrong when it cannot open, naming the server and never the password', async () => {
    const base = new URL(serverUrl());
    const attempt = async (url: string, env: Record<string, string> = {}) => {
      const err = await openJournal(url, { env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WaSendError);
      const line = errorVerdict(err).line!;
      expect(line).not.toContain(base.password);
      expect(line).not.toContain('\n');
      expect(errorVerdict(err).code).toBe(2);
      return line;
    };
    expect(await attempt('postgres://postgres:secret-pw@127.0.0.1:1/postgres')).toMatch(
      /^cannot open the PostgreSQL journal at 127\.0\.0\.1:1\/postgres \(schema wa_send\): connection refused — check that PostgreSQL is running and listens on 127\.0\.0\.1:1/,
    );
    const wrong = new URL(base);
    wrong.password = 'not-the-password';
    expect(await attempt(wrong.toString())).toMatch(
      /password authentication failed for user postgres \(password from the URL\) — check the password/,
    );
    const noDb = new URL(base);
    noDb.pathname = '/no_such_db';
    expect(await attempt(noDb.toString())).toMatch(
      /the database no_such_db does not exist — create it \(createdb -h 127\.0\.0\.1 -p \d+ no_such_db\)/,
    );
    const noPassword = new URL(base);
    noPassword.password = '';
    expect(await attempt(noPassword.toString(), { PGPASSFILE: '/nonexistent' })).toMatch(
      /the server asks for a password for user postgres and none was given/,
    );
    await expect(openJournal(`${serverUrl()}?schema=Bad-Name`)).rejects.toThrow(
      /\?schema=Bad-Name is not a schema name wa-send accepts/,
    );
    expect(printableLocation(serverUrl())).not.toContain(base.password);
  });

  it('takes the password from PGPASSWORD, or from a private password file', async () => {
    const base = new URL(freshJournalUrl());
    const password = base.password;
    base.password = '';
    const url = base.toString();
    await (await openJournal(url, { env: { PGPASSWORD: password } })).close();
    const file = join(tempDir(), 'pgpass');
    writeFileSync(
      file,
      `# host:port:db:user:password\nother:*:*:*:nope\n127.0.0.1:${base.port}:*:postgres:${password.replace(/:/g, '\\:')}\n`,
      { mode: 0o600 },
    );
    await (await openJournal(url, { env: { PGPASSFILE: file } })).close();
    chmodSync(file, 0o644); // readable by others: ignored, as libpq does
    await expect(openJournal(url, { env: { PGPASSFILE: file } })).rejects.toThrow(/asks for a password/);
  });

  it('a row lock held past lock_timeout is `busy`; a connection the server ended is replaced', async () => {
    // Its own application_name: the server-side kill below must not end other test files' connections.
    const url = freshJournalUrl('&lock_timeout=200&application_name=wa-send-reconnect-test');
    const journal = await openJournal(url);
    const id = await planned(journal, 2);
    const holder = await holdRowLock(url, id);
    const err = await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true).catch((e: unknown) => e);
    expect((err as JournalError).fault).toBe('busy');
    expect((err as JournalError).transient).toBe(true);
    await holder.release();
    expect(await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true)).toEqual({ ok: true });
    // The server ends every connection of the journal (a restart, a failover): the next call reconnects.
    const ended = await pgQuery(
      url,
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = 'wa-send-reconnect-test' AND pid <> pg_backend_pid()",
    );
    expect(ended.length).toBeGreaterThan(0); // the journal's own connections, and only those
    await until(
      async () =>
        await journal.broadcasts.get(id).then(
          () => true,
          () => false,
        ),
      'a working call',
    );
    expect((await exchangeOf(journal, id, { claim: 2 })).claimed).toHaveLength(2);
    await journal.close();
  });

  it('two runners claiming at once never get the same row (FOR UPDATE SKIP LOCKED)', async () => {
    const url = freshJournalUrl();
    const [a, b] = await Promise.all([openJournal(url), openJournal(url)]);
    const id = await planned(a, 300);
    await a.runs.acquireLease(id, OWNER, 30_000, T, () => true);
    const claims = await Promise.all([a, b].flatMap((j) => Array.from({ length: 8 }, () => exchangeOf(j, id, { claim: 20 }))));
    const ids = claims.flatMap((c) => c.claimed.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(300);
    await Promise.all([a.close(), b.close()]);
  });

  it('two receivers applying the same stored events side by side: each event applied once, rows as if one did it', async () => {
    const url = freshJournalUrl();
    const [a, b] = await Promise.all([openJournal(url), openJournal(url)]);
    const n = 200;
    const { id } = await seeded(
      a,
      Array.from({ length: n }, (_, i) => ({ state: 'sent' as const, wamid: `w.${i}` })),
    );
    const statuses = Array.from({ length: n }, (_, i) => [
      { id: `w.${i}`, status: 'delivered', timestamp: 1_760_000_010 },
      { id: `w.${i}`, status: 'read', timestamp: 1_760_000_020 },
    ]).flat();
    const matcher = optoutMatcher(DEFAULT_OPTOUT_KEYWORDS);
    for (let i = 0; i < statuses.length; i += 100)
      await a.events.insert(extractEvents(statusBody(statuses.slice(i, i + 100)), matcher).events, T);
    const [ra, rb] = await Promise.all([a.events.applyPending(T), b.events.applyPending(T)]);
    expect(ra.applied + rb.applied).toBe(2 * n);
    expect(await a.events.countPending()).toBe(0);
    const rows = await rowsOf(a, id);
    expect(rows.every((r) => r.state === 'read' && r.delivered_at === iso(1_760_000_010_000))).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('stores text PostgreSQL cannot hold (NUL) as U+FFFD instead of failing', async () => {
    const journal = await openJournal(freshJournalUrl());
    const staging = await journal.plans.openStaging({ dedupSince: null, requireOptin: false });
    await staging.stageBatch(
      [{ line: 2, input: 'a\0b', phone: '+14152010000', vars: null, messageHash: 'h' }],
      [{ line: 3, input: 'x\0', reason: 'invalid_number', detail: null }],
    );
    const { id } = await staging.commit({
      key: 'k',
      name: null,
      target: 'sandbox',
      sender: 'sandbox',
      profile: null,
      requireOptin: false,
      spec: { message: {}, columns: [] },
      sourceFile: 'f',
      sourceSha256: 's',
      rowsRead: 2,
      createdAt: T,
    });
    await staging.drop();
    expect((await rowsOf(journal, id)).map((r) => r.input)).toEqual(['a\uFFFDb', 'x\uFFFD']);
    await journal.close();
  });
});

/** Another session holding the broadcast's row lock (a stuck process mid-transaction). */
async function holdRowLock(journalUrl: string, id: string): Promise<{ release(): Promise<void> }> {
  const url = new URL(journalUrl);
  const schema = url.searchParams.get('schema')!;
  url.search = '';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM ${schema}.broadcasts WHERE id = $1 FOR UPDATE`, [id]);
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}
