// Alerts: what wa-send tells a person who is not watching (a Slack channel, a mailbox) when a run
// needs them. Core decides when and what; the notifier (src/notify) decides how it travels. An
// alert never blocks or fails a run: delivery problems are one line on stderr, nothing more.

export type AlertEvent =
  /** A run-wide error stopped the broadcast (exit 4). */
  | 'halted'
  /** The run ended with failed or unknown rows above --alert-failure-rate. */
  | 'partial'
  /** The run stopped at the number's daily messaging limit (exit 6). */
  | 'daily_limit'
  /** Mid-run: the share of failed answers over the last ones crossed --alert-failure-rate. */
  | 'failure_rate'
  /** `wa-send check` found problems over the whole journal. */
  | 'check';

export interface AlertError {
  code: number;
  title: string;
  count: number;
}

export interface Alert {
  event: AlertEvent;
  /** The one line a person reads first (also the Slack `text`). */
  text: string;
  broadcast: string | null;
  /** The sending number (phone number id, or "sandbox"). */
  number: string | null;
  profile: string | null;
  /** Row counts by state when the alert was made (null: not about one broadcast). */
  counts: Record<string, number> | null;
  topErrors: AlertError[];
  /** The exact command that continues, when there is one. */
  continueWith: string | null;
  /** `check`: one line per problem found. */
  problems: string[];
  /** ISO-8601. */
  at: string;
}

/** Delivers alerts; implementations swallow nothing silently: a failure rejects with one line. */
export interface Notifier {
  /** Where alerts go, safe to print (no secret part of the URL). */
  readonly label: string;
  send(alert: Alert): Promise<void>;
}
