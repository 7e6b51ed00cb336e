// The journal as Prometheus samples (for `wa-send metrics`), from the facts the journal port gives.
import type { MetricsFacts, OwnerAlive } from './journal.js';
import { buildStatus } from './rules/status.js';

export interface Sample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  values: { labels: Record<string, string>; value: number }[];
}

export function journalSamples(facts: MetricsFacts, now: number, ownerAlive: OwnerAlive): Sample[] {
  const statuses = facts.broadcasts.map((f) => buildStatus(f, now, ownerAlive));
  const byState = new Map<string, number>();
  for (const s of statuses) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const entries = (record: Record<string, number>, label: string) =>
    Object.entries(record).map(([k, value]) => ({ labels: { [label]: k }, value }));
  return [
    {
      name: 'wa_send_broadcasts',
      help: 'Broadcasts in the journal by state.',
      type: 'gauge',
      values: [...byState].map(([state, value]) => ({ labels: { state }, value })),
    },
    {
      name: 'wa_send_recipients',
      help: 'Recipients by broadcast and state.',
      type: 'gauge',
      values: statuses.flatMap((s) =>
        Object.entries(s.counts).map(([state, value]) => ({ labels: { broadcast: s.id, state }, value })),
      ),
    },
    {
      name: 'wa_send_rejected_rows',
      help: 'CSV rows that never became recipients, by broadcast and reason.',
      type: 'gauge',
      values: statuses.flatMap((s) =>
        Object.entries(s.rejections)
          .filter(([, n]) => n > 0)
          .map(([reason, value]) => ({ labels: { broadcast: s.id, reason }, value })),
      ),
    },
    {
      name: 'wa_send_attempts_total',
      help: 'HTTP attempts by outcome.',
      type: 'counter',
      values: entries(facts.attemptsByOutcome, 'outcome'),
    },
    {
      name: 'wa_send_optouts',
      help: 'Numbers on the suppression list by source.',
      type: 'gauge',
      values: entries(facts.optoutsBySource, 'source'),
    },
    {
      name: 'wa_send_webhook_events_total',
      help: 'Webhook events stored.',
      type: 'counter',
      values: [{ labels: {}, value: facts.webhookEvents }],
    },
    {
      name: 'wa_send_webhook_events_pending',
      help: 'Webhook events stored but not applied yet.',
      type: 'gauge',
      values: [{ labels: {}, value: facts.webhookEventsPending }],
    },
  ];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderPrometheus(samples: Sample[]): string {
  const out: string[] = [];
  for (const s of samples) {
    out.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
    for (const v of s.values) {
      const labels = Object.entries(v.labels)
        .map(([k, x]) => `${k}="${escapeLabel(x)}"`)
        .join(',');
      out.push(`${s.name}${labels ? `{${labels}}` : ''} ${v.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}
