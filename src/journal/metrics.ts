// Numbers for `wa-send metrics`, read from the journal in one pass per table.
import { listBroadcasts, type OwnerAlive } from './broadcasts.js';
import type { Db } from './db.js';
import { broadcastStatus } from './status.js';
import { countPendingEvents } from './webhook-events.js';

export interface Sample { name: string; help: string; type: 'gauge' | 'counter'; values: { labels: Record<string, string>; value: number }[] }

export function journalMetrics(db: Db, now: number, ownerAlive: OwnerAlive): Sample[] {
  const statuses = listBroadcasts(db).map((b) => broadcastStatus(db, b, now, ownerAlive));
  const byState = new Map<string, number>();
  for (const s of statuses) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const attempts = db.prepare('SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome').all() as { outcome: string; n: number }[];
  const optouts = db.prepare('SELECT source, count(*) AS n FROM optouts GROUP BY source').all() as { source: string; n: number }[];
  const pending = countPendingEvents(db);
  const events = db.prepare('SELECT count(*) FROM webhook_events').pluck().get() as number;
  return [
    { name: 'wa_send_broadcasts', help: 'Broadcasts in the journal by state.', type: 'gauge', values: [...byState].map(([state, value]) => ({ labels: { state }, value })) },
    {
      name: 'wa_send_recipients', help: 'Recipients by broadcast and state.', type: 'gauge',
      values: statuses.flatMap((s) => Object.entries(s.counts).map(([state, value]) => ({ labels: { broadcast: s.id, state }, value }))),
    },
    {
      name: 'wa_send_rejected_rows', help: 'CSV rows that never became recipients, by broadcast and reason.', type: 'gauge',
      values: statuses.flatMap((s) => Object.entries(s.rejections).filter(([, n]) => n > 0).map(([reason, value]) => ({ labels: { broadcast: s.id, reason }, value }))),
    },
    { name: 'wa_send_attempts_total', help: 'HTTP attempts by outcome.', type: 'counter', values: attempts.map((a) => ({ labels: { outcome: a.outcome }, value: a.n })) },
    { name: 'wa_send_optouts', help: 'Numbers on the suppression list by source.', type: 'gauge', values: optouts.map((o) => ({ labels: { source: o.source }, value: o.n })) },
    { name: 'wa_send_webhook_events_total', help: 'Webhook events stored.', type: 'counter', values: [{ labels: {}, value: events }] },
    { name: 'wa_send_webhook_events_pending', help: 'Webhook events stored but not applied yet.', type: 'gauge', values: [{ labels: {}, value: pending }] },
  ];
}
