// The rows of the report SQL (report-sql.ts) turned into the port's facts, for both SQL adapters.
// Every number goes through Number(): PostgreSQL hands count() and bigint columns back as strings.
import type {
  DayFact,
  ErrorFact,
  HistogramFacts,
  PrefixFact,
  RejectionFact,
  RunFact,
  TimelineBucket,
} from '../../core/report-facts.js';
import { RECIPIENT_STATES, type StateCounts } from '../../core/types.js';
import type { AttemptScope } from './report-sql.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function runFacts(rows: readonly Row[]): RunFact[] {
  return rows.map((r) => ({
    startedAt: num(r.started_at),
    endedAt: numOrNull(r.ended_at),
    mode: String(r.mode),
    owner: String(r.owner),
    rate: num(r.rate),
    concurrency: num(r.concurrency),
    outcome: strOrNull(r.outcome),
    reason: strOrNull(r.reason),
  }));
}

/** The range form when recipientRangeSql's row shows the broadcast's ids without a gap, else the join. */
export function attemptScope(broadcastId: string, range: Row | undefined): AttemptScope {
  const [lo, hi, n] = [num(range?.lo), num(range?.hi), num(range?.n)];
  return n > 0 && hi - lo + 1 === n ? { fromId: lo, toId: hi } : { broadcastId };
}

export function timelineFacts(rows: readonly Row[], bucketMs: number): TimelineBucket[] {
  return rows.map((r) => ({
    t: num(r.k) * bucketMs,
    started: num(r.started),
    accepted: num(r.accepted),
    throttled: num(r.throttled),
    first: num(r.first),
    last: num(r.last),
  }));
}

/** A histogram grouped in SQL (k: index of the first bound ≥ the value) as counts per bucket. */
export function histogramFacts(rows: readonly Row[], bounds: readonly number[]): HistogramFacts {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  let maxMs = 0;
  for (const r of rows) {
    counts[num(r.k)] = num(r.n);
    maxMs = Math.max(maxMs, num(r.max_ms)); // a receipt that looks older than its send counts as 0
  }
  return { counts, total: counts.reduce((a, b) => a + b, 0), maxMs };
}

/**
 * Request errors (one row per example, totals repeated on each), receipt errors likewise, and the
 * titles rows hold: grouped into facts. A request error without a code takes the title of a row
 * whose error class is its outcome.
 */
export function errorFacts(
  requests: readonly Row[],
  receipts: readonly Row[],
  titles: readonly Row[],
  examples: number,
): ErrorFact[] {
  const titleOf = (code: number | null, outcome: string | null): string | null => {
    const t = titles.find((x) => numOrNull(x.code) === code && (code !== null || x.class === outcome));
    return t ? String(t.title) : null;
  };
  const facts = new Map<string, ErrorFact>();
  for (const r of requests) {
    const code = numOrNull(r.code);
    const outcome = strOrNull(r.outcome);
    const key = `request ${code} ${outcome}`;
    let f = facts.get(key);
    if (!f) {
      f = {
        source: 'request',
        code,
        outcome,
        recipients: num(r.recipients),
        requests: num(r.requests),
        title: titleOf(code, outcome),
        examples: [],
      };
      facts.set(key, f);
    }
    if (f.examples.length < examples) f.examples.push({ phone: String(r.phone), line: num(r.line), detail: strOrNull(r.detail) });
  }
  for (const r of receipts) {
    const code = numOrNull(r.code);
    const key = `receipt ${code}`;
    let f = facts.get(key);
    if (!f) {
      const total = num(r.total);
      f = { source: 'receipt', code, outcome: null, recipients: total, requests: total, title: strOrNull(r.title), examples: [] };
      facts.set(key, f);
    }
    if (f.examples.length < examples) f.examples.push({ phone: String(r.phone), line: num(r.line), detail: strOrNull(r.detail) });
  }
  return [...facts.values()];
}

export function rejectionFact(reason: string, count: number, rows: readonly Row[]): RejectionFact {
  return {
    reason,
    count,
    examples: rows.map((r) => {
      const dup = numOrNull(r.duplicate_of);
      return {
        line: num(r.line),
        input: String(r.input ?? ''),
        detail: strOrNull(r.detail) ?? (dup === null ? null : `duplicate of line ${dup}`),
      };
    }),
  };
}

/** Classes of states a prefix's rows are counted in; failed rows are always read (their wamid splits them). */
const CLASSES = {
  delivered: ['delivered', 'read'],
  sent: ['sent'],
  open: ['pending', 'sending', 'retry', 'unknown', 'skipped'],
} as const;
export type LeftOut = keyof typeof CLASSES;

/**
 * Which states prefixStatesSql reads: all but the largest class, whose count per prefix is the
 * prefix's total minus the rest. A finished broadcast with receipts then reads only its few rows
 * that were not delivered, instead of every row.
 */
export function prefixPlan(counts: StateCounts): { leftOut: LeftOut; states: string[] } {
  const size = (c: LeftOut) => CLASSES[c].reduce((n, s) => n + counts[s], 0);
  const leftOut = (['delivered', 'sent', 'open'] as const).reduce((a, b) => (size(b) > size(a) ? b : a));
  return { leftOut, states: RECIPIENT_STATES.filter((s) => !(CLASSES[leftOut] as readonly string[]).includes(s)) };
}

export function prefixFacts(totals: readonly Row[], byState: readonly Row[], leftOut: LeftOut): PrefixFact[] {
  const read = new Map(byState.map((r) => [String(r.prefix), r]));
  return totals.map((t) => {
    const recipients = num(t.recipients);
    const r = read.get(String(t.prefix));
    const rest = recipients - num(r?.n);
    const delivered = leftOut === 'delivered' ? rest : num(r?.delivered);
    const sent = leftOut === 'sent' ? rest : num(r?.sent);
    return {
      prefix: String(t.prefix),
      sample: String(t.sample),
      recipients,
      accepted: delivered + sent + num(r?.failed_after),
      delivered,
      failed: num(r?.failed_before),
    };
  });
}

export function dayFacts(broadcastId: string, rows: readonly Row[]): DayFact[] {
  return rows.map((r) => ({
    broadcastId,
    day: num(r.d) * 86_400_000,
    accepted: num(r.accepted),
    delivered: num(r.delivered),
    read: num(r.read_n),
    failed: num(r.failed),
  }));
}
