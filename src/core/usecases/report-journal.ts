// The journal report's data from the report store's journal facts: the broadcasts of the period
// with their status figures, messages per day per sending number, delivery and read rates by the
// day messages were sent, and the errors seen most.
import type { OwnerAlive } from '../journal.js';
import type { JournalReportData } from '../report-data.js';
import type { JournalReportFacts } from '../report-facts.js';
import { mergeErrors, type TitleOf } from '../rules/report-errors.js';
import { sendingNumberOf } from '../rules/report-shape.js';
import { buildStatus } from '../rules/status.js';

/** The errors table of the journal report. */
export const TOP_ERRORS = 10;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function summarizeJournal(
  facts: JournalReportFacts,
  since: number,
  opts: { now: number; ownerAlive: OwnerAlive; titleOf: TitleOf },
): JournalReportData {
  const numberOf = new Map<string, string>();
  const broadcasts = facts.broadcasts.map((f) => {
    const s = buildStatus(f, opts.now, opts.ownerAlive);
    const sendingNumber = sendingNumberOf(f.broadcast.target);
    numberOf.set(s.id, sendingNumber);
    return {
      id: s.id,
      name: s.name,
      state: s.state,
      createdAt: s.created_at,
      sendingNumber,
      recipients: s.recipients,
      accepted: s.accepted,
      delivered: s.delivery.delivered,
      read: s.delivery.read,
      failed: s.send_failed,
    };
  });

  const perDay = new Map<string, JournalReportData['perDay'][number]>();
  const rates = new Map<string, JournalReportData['ratesOverTime'][number]>();
  for (const d of facts.days) {
    const day = dayOf(d.day);
    const sendingNumber = numberOf.get(d.broadcastId) ?? 'unknown';
    const key = `${day} ${sendingNumber}`;
    const p = perDay.get(key) ?? { day, sendingNumber, accepted: 0, failed: 0 };
    p.accepted += d.accepted;
    p.failed += d.failed;
    perDay.set(key, p);
    const r = rates.get(day) ?? { day, accepted: 0, delivered: 0, read: 0 };
    r.accepted += d.accepted;
    r.delivered += d.delivered;
    r.read += d.read;
    rates.set(day, r);
  }
  const byDay = <T extends { day: string; sendingNumber?: string }>(list: Iterable<T>) =>
    [...list].sort((a, b) => a.day.localeCompare(b.day) || (a.sendingNumber ?? '').localeCompare(b.sendingNumber ?? ''));

  return {
    generatedAt: new Date(opts.now).toISOString(),
    since: new Date(since).toISOString(),
    broadcasts,
    perDay: byDay(perDay.values()),
    ratesOverTime: byDay(rates.values()),
    topErrors: mergeErrors(facts.errors, opts.titleOf, 0)
      .slice(0, TOP_ERRORS)
      .map(({ code, title, action, count }) => ({ code, title, action, count })),
  };
}
