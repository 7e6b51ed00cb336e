// journal copy through the port: SQLite -> PostgreSQL -> SQLite keeps every row and id, turns rows
// in flight into `unknown`, and a resume on the copy sends exactly what was left.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WaSendError } from '../../src/core/errors.js';
import type { Journal } from '../../src/core/journal.js';
import { COPY_CHUNK_ROWS, type CopyChunk, type CopyTable } from '../../src/core/journal-copy.js';
import { recipientKey } from '../../src/core/types.js';
import { copyJournal } from '../../src/core/usecases/copy-journal.js';
import { openJournal } from '../../src/journal/index.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher } from '../../src/webhook/events.js';
import { tempDir } from '../helpers/journal.js';
import { freshJournalUrl } from '../helpers/postgres.js';
import { statusBody } from '../webhook/helpers.js';
import { exchangeOf, loggedRun, phoneOf, planned, rowsOf, seeded, T } from './conformance/harness.js';

const dead = () => false;

async function dumpOf(journal: Journal): Promise<Record<CopyTable, Record<string, unknown>[]>> {
  const out: Partial<Record<CopyTable, Record<string, unknown>[]>> = {};
  for await (const chunk of journal.copy.dump()) {
    expect(chunk.rows.length).toBeLessThanOrEqual(COPY_CHUNK_ROWS);
    (out[chunk.table] ??= []).push(...(chunk.rows as unknown as Record<string, unknown>[]));
  }
  return out as Record<CopyTable, Record<string, unknown>[]>;
}

/** A SQLite journal with a broadcast stopped in the middle of a run, events, opt-outs and runs. */
async function sourceJournal(): Promise<{ journal: Journal; id: string }> {
  const journal = await openJournal(join(tempDir('wa-send-copy-'), 'journal.db'));
  const { id } = await seeded(journal, [
    { state: 'sent', wamid: 'w.0' },
    { state: 'failed', code: 131026 },
    { state: 'retry', at: T + 60_000 },
    { state: 'unknown' },
    { state: 'pending' },
    { state: 'pending' },
    { state: 'pending' },
  ]);
  // Two more rows claimed and never answered: the run "died" with them in flight.
  await exchangeOf(journal, id, { claim: 2 });
  await loggedRun(journal, id, { outcome: 'interrupted' });
  await journal.optouts.add(['+447700900123'], 'manual', 'by hand', T);
  await journal.optins.add(['+447700900124'], 'import', 'signup form', T);
  const body = statusBody([
    { id: 'w.0', status: 'delivered', timestamp: T / 1000 + 5, biz_opaque_callback_data: recipientKey(id, phoneOf(0)) },
  ]);
  await journal.events.insert(extractEvents(body, optoutMatcher(DEFAULT_OPTOUT_KEYWORDS)).events, T + 6000);
  await journal.events.applyPending(T + 6000);
  return { journal, id };
}

describe('journal copy', () => {
  it('SQLite -> PostgreSQL -> SQLite keeps every row and id; rows in flight become unknown; resume sends what was left', async () => {
    const { journal: sqlite, id } = await sourceJournal();
    const before = await dumpOf(sqlite);
    expect(before.recipients!.filter((r) => r.state === 'sending')).toHaveLength(2);

    const pg = await openJournal(freshJournalUrl());
    const first = await copyJournal(sqlite, pg, T + 20_000, dead);
    expect(first.inFlight).toBe(2);
    expect(first.counts).toMatchObject({
      broadcasts: 1,
      recipients: 7,
      attempts: 4,
      runs: 1,
      webhook_events: 1,
      optouts: 1,
      optins: 1,
    });
    // The columns of several numbers and the already-sent guard travel too; the number's lease does not.
    expect(before.broadcasts![0]).toMatchObject({ sender: 'sandbox', profile: null, require_optin: 0 });
    expect(before.recipients!.every((r) => typeof r.message_hash === 'string')).toBe(true);
    expect(await pg.runs.acquireNumberLease('sandbox', 'b-x', 'box-b', 30_000, T + 20_000, () => true)).toEqual({ ok: true });
    const inPg = await dumpOf(pg);
    const expected = before.recipients!.map((r) =>
      r.state === 'sending'
        ? {
            ...r,
            state: 'unknown',
            error_class: 'unknown',
            error_title: 'No answer recorded (may have been sent)',
            error_detail: 'it was being sent when the journal was copied',
            updated_at: T + 20_000,
          }
        : r,
    );
    expect(inPg).toEqual({ ...before, recipients: expected });
    expect((await pg.broadcasts.facts(id))!.counts).toMatchObject({
      sent: 0,
      delivered: 1,
      failed: 1,
      retry: 1,
      unknown: 3,
      pending: 1,
    });

    const back = await openJournal(join(tempDir('wa-send-copy-'), 'back.db'));
    expect((await copyJournal(pg, back, T + 30_000, dead)).inFlight).toBe(0);
    expect(await dumpOf(back)).toEqual(inPg);

    // Resuming on the copy: nothing is orphaned again, and only the pending row is claimed.
    expect(await pg.runs.acquireLease(id, 'box-b', 30_000, T + 40_000, dead)).toEqual({ ok: true });
    expect(await pg.runs.prepareRun(id, 'box-b', T + 40_000)).toEqual({ orphans: 0, settled: 0 });
    const x = await pg.runs.exchange({
      broadcastId: id,
      sender: 'sandbox',
      dedupSince: null,
      owner: 'box-b',
      leaseTtlMs: 30_000,
      now: T + 40_000,
      records: [],
      release: [],
      requeue: [],
      halt: null,
      claim: 10,
    });
    expect(x.claimed.map((r) => r.phone)).toEqual([phoneOf(6)]);
    // New rows come after the copied ones in plan order.
    const later = await planned(pg, 1, { start: 50 });
    const maxCopied = Math.max(...inPg.recipients!.map((r) => r.id as number));
    expect((await rowsOf(pg, later))[0]!.phone).toBe(phoneOf(50));
    const newIds = (await dumpOf(pg)).recipients!.filter((r) => r.broadcast_id === later).map((r) => r.id as number);
    expect(Math.min(...newIds)).toBeGreaterThan(maxCopied);
    await Promise.all([sqlite.close(), pg.close(), back.close()]);
  });

  it('refuses a non-empty target, a broadcast a live process is sending, and an empty source', async () => {
    const { journal: sqlite, id } = await sourceJournal();
    const pg = await openJournal(freshJournalUrl());
    await pg.optouts.add(['+15551230000'], 'manual', null, 1);
    const nonEmpty = await copyJournal(sqlite, pg, T + 20_000, dead).catch((e: unknown) => e);
    expect(nonEmpty).toBeInstanceOf(WaSendError);
    expect((nonEmpty as Error).message).toMatch(/is not empty; journal copy writes only into an empty journal/);
    expect((await dumpOf(pg)).optouts).toHaveLength(1);
    // The load refuses by itself too, inside its transaction.
    await expect(pg.copy.load((async function* (): AsyncGenerator<CopyChunk> {})())).rejects.toThrow(/not empty/);

    const other = await openJournal(freshJournalUrl());
    expect(await sqlite.runs.acquireLease(id, 'box-a', 30_000, T + 40_000, dead)).toEqual({ ok: true });
    const live = await copyJournal(sqlite, other, T + 40_001, () => true).catch((e: unknown) => e);
    expect((live as Error).message).toMatch(new RegExp(`broadcast ${id} in .* is being sent by box-a`));
    expect(await other.copy.isEmpty()).toBe(true);
    const empty = await openJournal(freshJournalUrl(), { readonly: true });
    expect(((await copyJournal(empty, other, T, dead).catch((e: unknown) => e)) as Error).message).toMatch(
      /is empty \(or does not exist\)/,
    );
    await Promise.all([sqlite.close(), pg.close(), other.close(), empty.close()]);
  });

  it('streams in chunks: 5,500 recipients arrive in chunks of at most COPY_CHUNK_ROWS, in plan order', async () => {
    const pg = await openJournal(freshJournalUrl());
    const id = await planned(pg, 5500);
    const sizes: number[] = [];
    for await (const chunk of pg.copy.dump()) if (chunk.table === 'recipients') sizes.push(chunk.rows.length);
    expect(sizes).toEqual([5000, 500]);
    const target = await openJournal(join(tempDir('wa-send-copy-'), 'big.db'));
    expect((await copyJournal(pg, target, T, dead)).counts.recipients).toBe(5500);
    expect((await target.broadcasts.facts(id))!.counts.pending).toBe(5500);
    await Promise.all([pg.close(), target.close()]);
  });
});
