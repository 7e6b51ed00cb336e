// The report store's SQL (src/core/report-facts.ts), for both SQL adapters. Each statement is one
// grouped pass over one broadcast's rows, found through the (broadcast_id, …) indexes; `param`
// turns a value into the adapter's placeholder (? or $n) and remembers it, in text order. Only
// portable SQL: CASE, integer division of integers, GROUP BY ordinals, window functions.
type Param = (value: unknown) => string;

/** Accepted by the API: a wamid came back (the base of every rate; failed rows with one failed on delivery). */
const ACCEPTED = "(state IN ('sent', 'delivered', 'read') OR (state = 'failed' AND wamid IS NOT NULL))";
const SEND_FAILED = "(state = 'failed' AND wamid IS NULL)";
const THROTTLED = "(a.outcome = 'throttle' OR a.error_code = 130429 OR a.http_status = 429)";

export function runsSql(p: Param, id: string): string {
  return `SELECT started_at, ended_at, mode, owner, rate, concurrency, outcome, reason FROM runs
    WHERE broadcast_id = ${p(id)} ORDER BY started_at, id`;
}

/** Attempts by bucket (k = started_at / bucketMs): the timeline, first and last send in one pass. */
export function timelineSql(p: Param, id: string, bucketMs: number): string {
  return `SELECT a.started_at / ${p(bucketMs)} AS k, count(*) AS started,
      sum(CASE WHEN a.outcome = 'accepted' THEN 1 ELSE 0 END) AS accepted,
      sum(CASE WHEN ${THROTTLED} THEN 1 ELSE 0 END) AS throttled,
      min(a.started_at) AS first, max(a.started_at) AS last
    FROM recipients r JOIN attempts a ON a.recipient_id = r.id
    WHERE r.broadcast_id = ${p(id)} GROUP BY 1 ORDER BY 1`;
}

/**
 * Both latency histograms in one pass over the delivered and read rows, as one row of cumulative
 * counts (c0_i: accepted → delivered ≤ bounds[i]; c1_i: delivered → read), totals and maxima:
 * conditional sums need no sort, where a GROUP BY would sort a million rows in SQLite.
 */
export function latencySql(p: Param, id: string, bounds: readonly number[]): string {
  // Receipt times are Meta's (whole seconds), sent_at is ours: a receipt can look older than its send.
  const d0 = `CASE WHEN sent_at IS NULL OR delivered_at IS NULL THEN NULL
      WHEN delivered_at > sent_at THEN delivered_at - sent_at ELSE 0 END`;
  const d1 = `CASE WHEN state <> 'read' OR delivered_at IS NULL OR read_at IS NULL THEN NULL
      WHEN read_at > delivered_at THEN read_at - delivered_at ELSE 0 END`;
  const sums = (d: string, h: number) =>
    bounds.map((b, i) => `sum(CASE WHEN ${d} <= ${p(b)} THEN 1 ELSE 0 END) AS c${h}_${i}`).join(', ');
  return `SELECT count(d0) AS n0, max(d0) AS max0, ${sums('d0', 0)}, count(d1) AS n1, max(d1) AS max1, ${sums('d1', 1)}
    FROM (SELECT ${d0} AS d0, ${d1} AS d1 FROM recipients
          WHERE broadcast_id = ${p(id)} AND state IN ('delivered', 'read')) x`;
}

/**
 * Request errors with totals and the first `examples` recipients of each, in one pass over the
 * broadcast's attempts that were not accepted. `first` marks a recipient's first attempt with
 * that error, so totals count recipients once and examples are distinct recipients.
 */
export function requestErrorsSql(p: Param, id: string, examples: number): string {
  const group = 'a.error_code, CASE WHEN a.error_code IS NULL THEN a.outcome END';
  return `SELECT code, outcome, phone, line, detail, requests, recipients FROM (
      SELECT e.*, row_number() OVER (PARTITION BY code, outcome ORDER BY first DESC, id) AS k,
        count(*) OVER (PARTITION BY code, outcome) AS requests,
        sum(first) OVER (PARTITION BY code, outcome) AS recipients
      FROM (SELECT a.id, a.error_code AS code, CASE WHEN a.error_code IS NULL THEN a.outcome END AS outcome,
              r.phone, r.line, a.detail,
              CASE WHEN row_number() OVER (PARTITION BY ${group}, a.recipient_id ORDER BY a.id) = 1 THEN 1 ELSE 0 END AS first
            FROM recipients r JOIN attempts a ON a.recipient_id = r.id
            WHERE r.broadcast_id = ${p(id)} AND a.outcome <> 'accepted') e
    ) w WHERE k <= ${p(Math.max(1, examples))} AND first = 1 ORDER BY code, outcome, k`;
}

/** Failed delivery receipts (failed rows with a wamid) by code, with the first few of each. */
export function receiptErrorsSql(p: Param, id: string, examples: number): string {
  return `SELECT code, phone, line, detail, title, total FROM (
      SELECT error_code AS code, phone, line, error_detail AS detail, error_title AS title,
        row_number() OVER (PARTITION BY error_code ORDER BY id) AS k, count(*) OVER (PARTITION BY error_code) AS total
      FROM recipients WHERE broadcast_id = ${p(id)} AND state = 'failed' AND wamid IS NOT NULL) x
    WHERE k <= ${p(Math.max(1, examples))} ORDER BY code, k`;
}

/**
 * Titles that rows still holding a request error carry (Meta's words for a code wa-send does not
 * know, say); rows with a wamid hold a receipt's title instead, which the receipt query reads.
 */
export function errorTitlesSql(p: Param, id: string): string {
  return `SELECT error_code AS code, error_class AS class, max(error_title) AS title FROM recipients
    WHERE broadcast_id = ${p(id)} AND state IN ('failed', 'retry', 'unknown') AND wamid IS NULL AND error_title IS NOT NULL
    GROUP BY 1, 2`;
}

export function rejectionCountsSql(p: Param, id: string): string {
  return `SELECT reason, count(*) AS n FROM rejections WHERE broadcast_id = ${p(id)} GROUP BY reason`;
}

/** The first rows of one reason, in the order they were read (ids follow file order within a reason). */
export function rejectionExamplesSql(p: Param, id: string, reason: string, limit: number): string {
  return `SELECT line, input, detail, duplicate_of FROM rejections
    WHERE broadcast_id = ${p(id)} AND reason = ${p(reason)} ORDER BY id LIMIT ${p(limit)}`;
}

export function prefixesSql(p: Param, id: string): string {
  return `SELECT CASE WHEN substr(phone, 1, 2) = '+1' THEN substr(phone, 1, 5) ELSE substr(phone, 1, 7) END AS prefix,
      min(phone) AS sample, count(*) AS recipients,
      sum(CASE WHEN ${ACCEPTED} THEN 1 ELSE 0 END) AS accepted,
      sum(CASE WHEN state IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered,
      sum(CASE WHEN ${SEND_FAILED} THEN 1 ELSE 0 END) AS failed
    FROM recipients WHERE broadcast_id = ${p(id)} GROUP BY 1`;
}

/** One broadcast's rows that reached an outcome, by UTC day: accepted by day sent, send failures by day failed. */
export function daysSql(p: Param, id: string): string {
  return `SELECT (CASE WHEN ${SEND_FAILED} THEN coalesce(failed_at, updated_at) ELSE coalesce(sent_at, updated_at) END) / 86400000 AS d,
      sum(CASE WHEN ${SEND_FAILED} THEN 0 ELSE 1 END) AS accepted,
      sum(CASE WHEN state IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered,
      sum(CASE WHEN state = 'read' THEN 1 ELSE 0 END) AS read_n,
      sum(CASE WHEN ${SEND_FAILED} THEN 1 ELSE 0 END) AS failed
    FROM recipients WHERE broadcast_id = ${p(id)} AND state IN ('sent', 'delivered', 'read', 'failed') GROUP BY 1 ORDER BY 1`;
}

export function broadcastsSinceSql(p: Param, since: number): string {
  return `SELECT id FROM broadcasts WHERE created_at >= ${p(since)} ORDER BY created_at DESC, id`;
}
