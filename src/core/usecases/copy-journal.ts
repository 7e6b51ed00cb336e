// journal copy: every row of one journal into an empty other one (SQLite <-> PostgreSQL), the way a
// crash would leave it: a row that was `sending` becomes `unknown` (DESIGN §3 rule 4), since its
// request may have reached the API and the copy cannot know. Broadcasts arrive without a lease.
// A broadcast a live process is sending is refused: it would go on in the source while the copy
// is resumed elsewhere, and every row would be sent twice.
import { usageError } from '../errors.js';
import type { Journal, OwnerAlive } from '../journal.js';
import type { CopiedRecipient, CopyChunk, CopyCounts } from '../journal-copy.js';
import { leaseIsLive } from '../rules/status.js';

export interface CopySummary {
  counts: CopyCounts;
  /** Rows that were `sending` in the source: `unknown` in the copy. */
  inFlight: number;
}

export async function copyJournal(from: Journal, to: Journal, now: number, ownerAlive: OwnerAlive): Promise<CopySummary> {
  if (await from.copy.isEmpty()) throw usageError(`the journal ${from.location} is empty (or does not exist): nothing to copy`);
  for (const b of await from.broadcasts.list()) {
    if (leaseIsLive(b, now, ownerAlive)) {
      throw usageError(
        `broadcast ${b.id} in ${from.location} is being sent by ${b.leaseOwner}; copy the journal once that run has stopped`,
        `stop it (Ctrl-C, or wait) and check with: wa-send status ${b.id}`,
      );
    }
  }
  if (!(await to.copy.isEmpty())) {
    throw usageError(
      `the journal ${to.location} is not empty; journal copy writes only into an empty journal`,
      'give a new file, or a new ?schema= for PostgreSQL',
    );
  }
  let inFlight = 0;
  const counts = await to.copy.load(
    (async function* (): AsyncGenerator<CopyChunk> {
      for await (const chunk of from.copy.dump()) {
        if (chunk.table !== 'recipients') {
          yield chunk;
          continue;
        }
        const rows = chunk.rows.map((r) => (r.state === 'sending' ? orphaned(r, now) : r));
        inFlight += chunk.rows.filter((r) => r.state === 'sending').length;
        yield { table: 'recipients', rows };
      }
    })(),
  );
  return { counts, inFlight };
}

/** What resume does to a row a dead runner left `sending` (the journals' prepareRun). */
function orphaned(r: CopiedRecipient, now: number): CopiedRecipient {
  return {
    ...r,
    state: 'unknown',
    error_class: 'unknown',
    error_code: null,
    error_title: 'No answer recorded (may have been sent)',
    error_detail: 'it was being sent when the journal was copied',
    updated_at: now,
  };
}
