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

/** The two histograms of latencySql's one row: cumulative counts per bound into counts per bucket. */
export function latencyFacts(row: Row | undefined, bounds: readonly number[]): [HistogramFacts, HistogramFacts] {
  const one = (h: number): HistogramFacts => {
    const total = num(row?.[`n${h}`]);
    const counts: number[] = [];
    let below = 0;
    bounds.forEach((_, i) => {
      const cumulative = num(row?.[`c${h}_${i}`]);
      counts.push(cumulative - below);
      below = cumulative;
    });
    counts.push(total - below);
    return { counts, total, maxMs: num(row?.[`max${h}`]) };
  };
  return [one(0), one(1)];
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

export function prefixFacts(rows: readonly Row[]): PrefixFact[] {
  return rows.map((r) => ({
    prefix: String(r.prefix),
    sample: String(r.sample),
    recipients: num(r.recipients),
    accepted: num(r.accepted),
    delivered: num(r.delivered),
    failed: num(r.failed),
  }));
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
