// The report store's SQL (src/core/report-facts.ts), for both SQL adapters. Each statement is one
// grouped pass over one broadcast's rows, found through the (broadcast_id, …) indexes; `param`
// turns a value into the adapter's placeholder (? or $n) and remembers it, in text order. Only
// portable SQL: CASE, integer division of integers, GROUP BY ordinals, window functions.
type Param = (value: unknown) => string;

/** Failed before the API accepted them (a failed row with a wamid failed on delivery, after acceptance). */
const SEND_FAILED = "(state = 'failed' AND wamid IS NULL)";
const THROTTLED = "(a.outcome = 'throttle' OR a.error_code = 130429 OR a.http_status = 429)";

export function runsSql(p: Param, id: string): string {
  return `SELECT started_at, ended_at, mode, owner, rate, concurrency, outcome, reason FROM runs
    WHERE broadcast_id = ${p(id)} ORDER BY started_at, id`;
}

/**
 * Which attempts are the broadcast's: those of its recipients (a join through the recipients
 * index), or, when its recipients' ids form one unbroken range (a plan is one INSERT, and
 * recipientRangeSql proves it for this broadcast), those whose recipient_id is in the range: read
 * from the attempts index alone, a third cheaper on a million attempts.
 */
export type AttemptScope = { broadcastId: string } | { fromId: number; toId: number };

export function recipientRangeSql(p: Param, id: string): string {
  return `SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM recipients WHERE broadcast_id = ${p(id)}`;
}

/** FROM … WHERE … over the scope's attempts `a` (with their recipient `r` when asked). */
function attemptsOf(p: Param, scope: AttemptScope, withRecipient: boolean): string {
  if ('broadcastId' in scope) {
    return `recipients r JOIN attempts a ON a.recipient_id = r.id WHERE r.broadcast_id = ${p(scope.broadcastId)}`;
  }
  const join = withRecipient ? ' JOIN recipients r ON r.id = a.recipient_id' : '';
  return `attempts a${join} WHERE a.recipient_id BETWEEN ${p(scope.fromId)} AND ${p(scope.toId)}`;
}

/** Attempts by bucket (k = started_at / bucketMs): the timeline, first and last send in one pass. */
export function timelineSql(p: Param, scope: AttemptScope, bucketMs: number): string {
  return `SELECT a.started_at / ${p(bucketMs)} AS k, count(*) AS started,
      sum(CASE WHEN a.outcome = 'accepted' THEN 1 ELSE 0 END) AS accepted,
      sum(CASE WHEN ${THROTTLED} THEN 1 ELSE 0 END) AS throttled,
      min(a.started_at) AS first, max(a.started_at) AS last
    FROM ${attemptsOf(p, scope, false)} GROUP BY 1 ORDER BY 1`;
}

/**
 * The index of the first bound ≥ d as a binary tree of CASEs: about log2(n) comparisons per row
 * where a chain would take up to n. A negative d (a receipt that looks older than its send: Meta's
 * times are whole seconds) lands in the first bucket.
 */
function bucketOf(p: Param, d: string, bounds: readonly number[], lo = 0, hi = bounds.length): string {
  if (lo === hi) return String(lo);
  const mid = Math.floor((lo + hi) / 2);
  return `CASE WHEN ${d} <= ${p(bounds[mid])} THEN ${bucketOf(p, d, bounds, lo, mid)} ELSE ${bucketOf(p, d, bounds, mid + 1, hi)} END`;
}

/** A latency histogram bucketed in SQL: accepted → delivered (delivered and read rows) or delivered → read. */
export function latencySql(p: Param, id: string, which: 'delivered' | 'read', bounds: readonly number[]): string {
  const [from, to, states] =
    which === 'delivered' ? ['sent_at', 'delivered_at', "('delivered', 'read')"] : ['delivered_at', 'read_at', "('read')"];
  const d = `${to} - ${from}`;
  return `SELECT ${bucketOf(p, d, bounds)} AS k, count(*) AS n, max(${d}) AS max_ms FROM recipients
    WHERE broadcast_id = ${p(id)} AND state IN ${states} AND ${from} IS NOT NULL AND ${to} IS NOT NULL GROUP BY 1`;
}

/**
 * Request errors with totals and the first `examples` recipients of each, in one pass over the
 * broadcast's attempts that were not accepted. `is_first` marks a recipient's first attempt with
 * that error, so totals count recipients once and examples are distinct recipients.
 */
export function requestErrorsSql(p: Param, scope: AttemptScope, examples: number): string {
  const group = 'a.error_code, CASE WHEN a.error_code IS NULL THEN a.outcome END';
  return `SELECT code, outcome, phone, line, detail, requests, recipients FROM (
      SELECT e.*, row_number() OVER (PARTITION BY code, outcome ORDER BY is_first DESC, id) AS k,
        count(*) OVER (PARTITION BY code, outcome) AS requests,
        sum(is_first) OVER (PARTITION BY code, outcome) AS recipients
      FROM (SELECT a.id, a.error_code AS code, CASE WHEN a.error_code IS NULL THEN a.outcome END AS outcome,
              r.phone, r.line, a.detail,
              CASE WHEN row_number() OVER (PARTITION BY ${group}, a.recipient_id ORDER BY a.id) = 1 THEN 1 ELSE 0 END AS is_first
            FROM ${attemptsOf(p, scope, true)} AND a.outcome <> 'accepted') e
    ) w WHERE k <= ${p(Math.max(1, examples))} AND is_first = 1 ORDER BY code, outcome, k`;
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
  return `SELECT reason, count(*) AS n FROM rejections WHERE broadcast_id = ${p(id)} GROUP BY reason ORDER BY reason`;
}

/** The first rows of one reason, in the order they were read (ids follow file order within a reason). */
export function rejectionExamplesSql(p: Param, id: string, reason: string, limit: number): string {
  return `SELECT line, input, detail, duplicate_of FROM rejections
    WHERE broadcast_id = ${p(id)} AND reason = ${p(reason)} ORDER BY id LIMIT ${p(limit)}`;
}

const PREFIX = "CASE WHEN substr(phone, 1, 2) = '+1' THEN substr(phone, 1, 5) ELSE substr(phone, 1, 7) END";

/** Recipients per prefix with a sample: read from the (broadcast_id, phone) index alone. */
export function prefixesSql(p: Param, id: string): string {
  return `SELECT ${PREFIX} AS prefix, min(phone) AS sample, count(*) AS recipients FROM recipients
    WHERE broadcast_id = ${p(id)} GROUP BY 1 ORDER BY 1`;
}

/**
 * Per prefix, the rows in the given states by class: delivered (delivered, read), sent, failed
 * after acceptance, failed before it, and the rest (not sent). The caller leaves out the largest
 * class (through the state index only the other rows are read) and derives it from the totals.
 */
export function prefixStatesSql(p: Param, id: string, states: readonly string[]): string {
  return `SELECT ${PREFIX} AS prefix, count(*) AS n,
      sum(CASE WHEN state IN ('delivered', 'read') THEN 1 ELSE 0 END) AS delivered,
      sum(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS sent,
      sum(CASE WHEN state = 'failed' AND wamid IS NOT NULL THEN 1 ELSE 0 END) AS failed_after,
      sum(CASE WHEN ${SEND_FAILED} THEN 1 ELSE 0 END) AS failed_before
    FROM recipients WHERE broadcast_id = ${p(id)} AND state IN (${states.map((s) => p(s)).join(', ')}) GROUP BY 1`;
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
