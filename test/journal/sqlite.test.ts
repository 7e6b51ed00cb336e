// The SQLite journal: the port's conformance suite, and what only a file can do wrong.

import { chmodSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { WaSendError } from '../../src/core/errors.js';
import { JournalError } from '../../src/core/journal.js';
import { openDatabase } from '../../src/journal/sqlite/db.js';
import { openSqliteJournal } from '../../src/journal/sqlite/journal.js';
import { JournalFile } from '../../src/journal/sqlite/journal-file.js';
import { MIGRATIONS } from '../../src/journal/sqlite/migrations.js';
import { SqliteRunStore } from '../../src/journal/sqlite/run-store.js';
import { csvOf, phones, plan, tempDir, writeCsv } from '../helpers/journal.js';
import { exchangeOf, OWNER, outcomes, planned, recordOf, T } from './conformance/harness.js';
import { journalConformance } from './conformance/index.js';

function openTemp() {
  const dir = tempDir('wa-send-sqlite-');
  const path = join(dir, 'journal.db');
  return { dir, path, journal: openSqliteJournal(path) };
}

describe('SQLite journal: conformance', () => {
  journalConformance(async () => {
    const { dir, path, journal } = openTemp();
    return {
      journal,
      reopen: async () => openSqliteJournal(path),
      cleanup: async () => {
        await journal.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

describe('SQLite journal: after an exchange commits', () => {
  it('a failure applying waiting webhook events does not make the exchange look failed (nothing recorded twice, no claim lost)', async () => {
    const { dir, path, journal } = openTemp();
    const id = await planned(journal, 4);
    await journal.close();
    // The same file, with a run store whose event application fails (as a busy journal would).
    const db = openDatabase(path);
    const file = new JournalFile(db, path);
    const runs = new SqliteRunStore(db, file, () => {
      throw new JournalError('busy', `the journal ${path} is locked by another process`);
    });
    await runs.acquireLease(id, OWNER, 30_000, T, () => true);
    const first = await runs.exchange({ ...exchangeBase(id), claim: 2 });
    expect(first.claimed).toHaveLength(2);
    const second = await runs.exchange({
      ...exchangeBase(id),
      records: [recordOf(first.claimed[0]!, outcomes.accepted('wamid.A'), T + 10)],
      claim: 2,
    });
    expect(second.claimed).toHaveLength(2);
    expect(db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(1);
    expect(db.prepare("SELECT count(*) FROM recipients WHERE state = 'sending'").pluck().get()).toBe(3);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

function exchangeBase(id: string) {
  return {
    broadcastId: id,
    sender: 'sandbox',
    owner: OWNER,
    leaseTtlMs: 30_000,
    now: T + 10,
    records: [],
    release: [],
    requeue: [],
    halt: null,
    claim: 0,
    dedupSince: null,
  };
}

describe('SQLite journal: the file', () => {
  it('is created private (0600), and an existing read-only journal is never made writable', async () => {
    const { path, journal } = openTemp();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await journal.close();
    chmodSync(path, 0o400);
    const again = openSqliteJournal(path, { readonly: true });
    await again.close();
    expect(statSync(path).mode & 0o777).toBe(0o400);
  });

  it('a journal an older wa-send wrote: a command that only reads refuses it, naming the upgrade; one that writes upgrades it', async () => {
    const path = join(tempDir('wa-send-sqlite-'), 'old.db');
    const old = new Database(path);
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m);
    old.pragma('user_version = 3');
    old.close();
    const refusal = (() => {
      try {
        openSqliteJournal(path, { readonly: true });
        return null;
      } catch (err) {
        return err as WaSendError;
      }
    })();
    expect(refusal?.message).toMatch(
      new RegExp(`was written by an older wa-send \\(schema 3 of ${MIGRATIONS.length}\\) and this command only reads it`),
    );
    expect(refusal?.hint).toMatch(`wa-send doctor --journal ${path}`);
    await openSqliteJournal(path).close();
    const reader = openSqliteJournal(path, { readonly: true });
    expect(await reader.optins.list()).toEqual([]);
    await reader.close();
  });

  it('staging does not lock the journal: another connection can write while rows are staged', async () => {
    const { dir, path, journal } = openTemp();
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    const staging = await journal.plans.openStaging({ dedupSince: null, requireOptin: false });
    await staging.stageBatch(
      phones(2000).map((phone, i) => ({ line: i + 2, input: phone, phone, vars: null, messageHash: phone })),
      [],
    );
    other.prepare("INSERT INTO optouts (phone, source, created_at) VALUES ('+14150000000', 'manual', 0)").run();
    await staging.drop();
    other.close();
    expect((await plan(journal, writeCsv(dir, csvOf(phones(3))))).recipients).toBe(3);
    await journal.close();
  });

  it('a lock held by another process is `busy`: the engine retries, a command reports exit 5', async () => {
    const { path, journal } = openTemp();
    const id = await planned(journal, 2);
    await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const err = await exchangeOf(journal, id, { claim: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalError);
    expect((err as JournalError).fault).toBe('busy');
    other.exec('ROLLBACK');
    other.close();
    expect((await exchangeOf(journal, id, { claim: 1 })).claimed).toHaveLength(1);
    await journal.close();
  });

  it('notices that its file was deleted or replaced while a run uses it', async () => {
    const { path, journal } = openTemp();
    const id = await planned(journal, 2);
    await journal.runs.acquireLease(id, OWNER, 30_000, T, () => true);
    unlinkSync(path);
    const err = await exchangeOf(journal, id, { claim: 1 }).catch((e: unknown) => e);
    expect((err as JournalError).fault).toBe('gone');
    expect((err as Error).message).toMatch(/was deleted while this run was using it/);
    await journal.close();
    const second = openTemp();
    const id2 = await planned(second.journal, 1);
    await second.journal.runs.acquireLease(id2, OWNER, 30_000, T, () => true);
    rmSync(second.path);
    writeFileSync(second.path, '');
    expect(((await exchangeOf(second.journal, id2, { claim: 1 }).catch((e: unknown) => e)) as Error).message).toMatch(
      /replaced by another file/,
    );
    await second.journal.close();
  });
});
