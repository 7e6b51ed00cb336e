// The journal port's report store: what `wa-send report` reads. Aggregates only, each computed by
// the database in one grouped pass (plus a few example rows), so a 1,000,000-recipient broadcast
// costs a handful of scans and the answer stays a few kilobytes. Both adapters implement it; the
// conformance suite (test/journal/conformance/reports.ts) holds them to the same answers. The use
// case (src/core/usecases/report.ts) turns these facts into the renderer's data.
import type { BroadcastFacts } from './journal.js';

export interface ReportStore {
  /** One broadcast, all aggregates read from one snapshot of the journal; null when there is no such broadcast. */
  broadcastFacts(id: string, opts: BroadcastReportOptions): Promise<BroadcastReportFacts | null>;
  /** Every broadcast created at or after `since`, newest first, with per-day counts and error totals. */
  journalFacts(opts: JournalReportOptions): Promise<JournalReportFacts>;
}

export interface BroadcastReportOptions {
  /** About how many timeline buckets the report wants; the width comes from `timelineBucketMs`. */
  bucketTarget: number;
  /** Example rows per error and per rejection reason. */
  examples: number;
  /** Ascending upper bounds (ms) of the latency histograms. */
  latencyBoundsMs: readonly number[];
  /** The time the report is made (ms): the end of a run that is still going. */
  now: number;
}

export interface JournalReportOptions {
  since: number;
}

/** One row of the runs log (RunStore.logRunStart/logRunEnd), times in ms. */
export interface RunFact {
  startedAt: number;
  endedAt: number | null;
  mode: string;
  owner: string;
  rate: number;
  concurrency: number;
  /** The engine's stop reason (done, halted, pending, limit, interrupted, lease_lost, cancelled, journal); null: no end recorded. */
  outcome: string | null;
  reason: string | null;
}

/** Requests started in one bucket of the timeline (attempts grouped by started_at). */
export interface TimelineBucket {
  /** Start of the bucket (ms since the epoch, a multiple of the bucket width). */
  t: number;
  started: number;
  accepted: number;
  /** Throughput errors: outcome `throttle`, code 130429 or HTTP 429. */
  throttled: number;
  /** The earliest and the latest request start inside the bucket. */
  first: number;
  last: number;
}

/** A duration histogram grouped in SQL: counts[i] holds values ≤ bounds[i], counts[bounds.length] the rest. */
export interface HistogramFacts {
  counts: number[];
  total: number;
  /** The largest value (0 when there is none). */
  maxMs: number;
}

export interface ErrorExample {
  /** E.164, unmasked: the use case masks it. */
  phone: string;
  line: number;
  detail: string | null;
}

/**
 * One error as the journal saw it: an answer to a request (from `attempts`, grouped by code, and by
 * outcome when the answer had no code), or a failed delivery receipt after the API accepted the
 * message (a `failed` row with a wamid, grouped by code).
 */
export interface ErrorFact {
  source: 'request' | 'receipt';
  code: number | null;
  /** Request errors without a code: how the answer was classified (unknown, unreachable, unexpected…). */
  outcome: string | null;
  /** Distinct recipients that got it. */
  recipients: number;
  /** Requests answered with it (a receipt counts once). */
  requests: number;
  /** The title a row of the broadcast holds for it, when one still does. */
  title: string | null;
  /** First occurrences, one per recipient. */
  examples: ErrorExample[];
}

export interface RejectionFact {
  reason: string;
  count: number;
  /** In file order; `detail` already says which line a duplicate repeats. */
  examples: { line: number; input: string; detail: string | null }[];
}

/**
 * Recipients grouped by a phone prefix long enough to decide the country (+1 and the area code for
 * the North American plan, the first 7 characters otherwise), with one member as the sample the
 * use case resolves to a country.
 */
export interface PrefixFact {
  prefix: string;
  sample: string;
  recipients: number;
  /** A wamid came back (sent, delivered, read, or failed after acceptance). */
  accepted: number;
  delivered: number;
  /** Failed before the API accepted them. */
  failed: number;
}

export interface BroadcastReportFacts {
  /** The same facts `status` is built from, so the funnel equals `status --json`. */
  status: BroadcastFacts;
  /** Oldest first. */
  runs: RunFact[];
  /** Non-empty buckets in time order. */
  timeline: { bucketMs: number; buckets: TimelineBucket[] };
  /** accepted → delivered (delivered_at − sent_at) and delivered → read (read_at − delivered_at), negatives as 0. */
  latency: { acceptedToDelivered: HistogramFacts; deliveredToRead: HistogramFacts };
  errors: ErrorFact[];
  rejections: RejectionFact[];
  prefixes: PrefixFact[];
}

/** One broadcast's outcomes on one UTC day: accepted by day sent, failed (before acceptance) by day failed. */
export interface DayFact {
  broadcastId: string;
  /** Midnight UTC (ms). */
  day: number;
  accepted: number;
  /** Of those accepted that day, delivered and read by now. */
  delivered: number;
  read: number;
  failed: number;
}

export interface JournalReportFacts {
  broadcasts: BroadcastFacts[];
  days: DayFact[];
  /** Each broadcast's errors (no examples); the same code appears once per broadcast. */
  errors: ErrorFact[];
}
