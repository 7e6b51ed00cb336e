// What an alert says, whatever carries it: the same fields become a Slack attachment or the lines of
// a plain-text mail. Pure, so both shapes are tested without a network.
import type { Alert } from '../core/alerts.js';

export interface AlertField {
  title: string;
  /** A list (problems, top errors) is one line a item: Slack joins them, a mail indents them under the title. */
  value: string | string[];
  /** Slack lays short fields out two to a row. */
  short: boolean;
}

/** Slack shows a long attachment badly and rejects a huge one: the full list stays in `wa_send.problems`. */
const SHOWN_PROBLEMS = 20;

/** Slack's attachment colours: danger for what stopped or is going wrong now, warning for what waits. */
const COLOR: Record<Alert['event'], string> = {
  halted: 'danger',
  failure_rate: 'danger',
  partial: 'warning',
  daily_limit: 'warning',
  check: 'warning',
};

export function alertFields(alert: Alert): AlertField[] {
  const fields: AlertField[] = [];
  const add = (title: string, value: string | string[] | null, short = true) => {
    if (value !== null && value.length > 0) fields.push({ title, value, short });
  };
  add('Broadcast', alert.broadcast);
  add('Number', alert.number);
  add('Profile', alert.profile);
  add('Counts', countsLine(alert.counts));
  add(
    'Top errors',
    alert.topErrors.map((e) => `${e.code} ${e.title} ×${e.count}`.replace(/ {2,}/g, ' ')),
    false,
  );
  add('Continue with', alert.continueWith, false);
  const shown = alert.problems.slice(0, SHOWN_PROBLEMS);
  const more = alert.problems.length - shown.length;
  add('Problems', [...shown, ...(more > 0 ? [`… and ${more} more (wa-send check)`] : [])], false);
  return fields;
}

/** "sent 90, failed 8, unknown 2": the states that have rows. */
function countsLine(counts: Alert['counts']): string | null {
  if (counts === null) return null;
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${state} ${n}`);
  return parts.length === 0 ? 'no rows' : parts.join(', ');
}

/** A Slack-compatible incoming-webhook body; `wa_send` carries the alert for receivers that are not Slack. */
export function slackPayload(alert: Alert) {
  return {
    text: alert.text,
    attachments: [
      {
        color: COLOR[alert.event],
        fields: alertFields(alert).map((f) => ({ ...f, value: typeof f.value === 'string' ? f.value : f.value.join('\n') })),
      },
    ],
    wa_send: {
      event: alert.event,
      broadcast: alert.broadcast,
      number: alert.number,
      profile: alert.profile,
      counts: alert.counts,
      top_errors: alert.topErrors,
      continue_with: alert.continueWith,
      problems: alert.problems,
      at: alert.at,
    },
  };
}

/** A plain-text mail: the alert's line as the subject, one "Title: value" block per field. */
export function mailContent(alert: Alert): { subject: string; text: string } {
  const blocks = alertFields(alert).map((f) =>
    typeof f.value === 'string' ? `${f.title}: ${f.value}` : [`${f.title}:`, ...f.value.map((l) => `  ${l}`)].join('\n'),
  );
  return {
    // A header is one line: a line break in it would start a new header.
    subject: alert.text.replace(/[\r\n]+/g, ' '),
    text: [alert.text, '', ...blocks, `At: ${alert.at}`, '', '-- ', 'wa-send'].join('\n').concat('\n'),
  };
}
