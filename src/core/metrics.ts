// The journal as Prometheus samples (for `wa-send metrics`), from the facts the journal port gives.
// Pure: src/metrics renders them in the text exposition format.
import type { MetricsFacts, OwnerAlive } from './journal.js';
import { type ConfiguredNumber, numberSamples } from './number-metrics.js';
import { buildStatus } from './rules/status.js';
import type { BroadcastStatus } from './types.js';

export type { ConfiguredNumber } from './number-metrics.js';

export interface Sample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** The label names of every value, declared even when there is no value (a series family with no series yet). */
  labels: readonly string[];
  values: { labels: Record<string, string>; value: number }[];
}

export interface MetricsInput {
  facts: MetricsFacts;
  now: number;
  ownerAlive: OwnerAlive;
  /** Sending numbers of the config file's profiles (their daily limits); empty without a config file. */
  configured: readonly ConfiguredNumber[];
}

export function journalSamples({ facts, now, ownerAlive, configured }: MetricsInput): Sample[] {
  const statuses = facts.broadcasts.map((f) => buildStatus(f, now, ownerAlive));
  const byState = new Map<string, number>();
  for (const s of statuses) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const entries = (record: Record<string, number>, label: string) =>
    Object.entries(record).map(([k, value]) => ({ labels: { [label]: k }, value }));
  return [
    {
      name: 'wa_send_broadcasts',
      help: 'Broadcasts open or active in the last 24 hours, by state.',
      type: 'gauge',
      labels: ['state'],
      values: [...byState].map(([state, value]) => ({ labels: { state }, value })),
    },
    {
      name: 'wa_send_recipients',
      help: 'Recipients by broadcast and state (broadcasts open or active in the last 24 hours).',
      type: 'gauge',
      labels: ['broadcast', 'number', 'profile', 'state'],
      values: statuses.flatMap((s) =>
        Object.entries(s.counts).map(([state, value]) => ({ labels: { ...broadcastLabels(s), state }, value })),
      ),
    },
    {
      name: 'wa_send_rejected_rows',
      help: 'CSV rows that never became recipients, by broadcast and reason (broadcasts open or active in the last 24 hours).',
      type: 'gauge',
      labels: ['broadcast', 'number', 'profile', 'reason'],
      values: statuses.flatMap((s) =>
        Object.entries(s.rejections)
          .filter(([, n]) => n > 0)
          .map(([reason, value]) => ({ labels: { ...broadcastLabels(s), reason }, value })),
      ),
    },
    ...numberSamples(facts.numbers, statuses, configured),
    {
      name: 'wa_send_attempts_total',
      help: 'HTTP attempts by outcome.',
      type: 'counter',
      labels: ['outcome'],
      values: entries(facts.attemptsByOutcome, 'outcome'),
    },
    {
      name: 'wa_send_optouts',
      help: 'Numbers on the suppression list by source.',
      type: 'gauge',
      labels: ['source'],
      values: entries(facts.optoutsBySource, 'source'),
    },
    {
      name: 'wa_send_webhook_events_total',
      help: 'Webhook events stored.',
      type: 'counter',
      labels: [],
      values: [{ labels: {}, value: facts.webhookEvents }],
    },
    {
      name: 'wa_send_webhook_events_pending',
      help: 'Webhook events stored but not applied yet.',
      type: 'gauge',
      labels: [],
      values: [{ labels: {}, value: facts.webhookEventsPending }],
    },
  ];
}

/** Every broadcast-labelled series also names the sending number and profile, so it joins the per-number series. */
function broadcastLabels(s: BroadcastStatus): Record<string, string> {
  return { broadcast: s.id, number: s.sending_number, profile: s.profile ?? '' };
}
