// Rows read → recipients → accepted → delivered → read, with where the rest went beside it: the
// rejection reasons (rows that never became recipients) and the recipients the API did not take.
import type { BroadcastReportData } from '../../core/report-data.js';
import { funnelChart } from '../charts/funnel-chart.js';
import { fmtInt, fmtPct } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { chart, LIMIT, section } from './common.js';

type Funnel = BroadcastReportData['funnel'];

export const NO_RECEIPTS = html`No delivery receipts yet (they arrive through <code>wa-send webhook</code>).`;

export function noReceipts(f: Pick<Funnel, 'accepted' | 'delivered' | 'read'>): boolean {
  return f.accepted > 0 && f.delivered === 0 && f.read === 0;
}

export function funnelSection(f: Funnel): SafeHtml {
  const stages = [
    { label: 'Rows read', value: f.rowsRead, note: '' },
    { label: 'Recipients', value: f.recipients, note: `${fmtPct(f.recipients, f.rowsRead)} of rows` },
    { label: 'Accepted', value: f.accepted, note: `${fmtPct(f.accepted, f.recipients)} of recipients` },
    { label: 'Delivered', value: f.delivered, note: `${fmtPct(f.delivered, f.accepted)} of accepted` },
    { label: 'Read', value: f.read, note: `${fmtPct(f.read, f.accepted)} of accepted` },
  ];
  const notSent: [string, number, string][] = [
    ['Failed', f.failed, 'the API refused them (see errors)'],
    ['Unknown', f.unknown, 'sent, no answer recorded; not re-sent unless asked'],
    ['Skipped', f.skipped, 'opted out after planning, or cancelled'],
    ['Open', f.open, 'not sent yet: pending or waiting for a retry'],
  ];
  const rejected = Object.entries(f.rejections)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const rejectedTotal = rejected.reduce((sum, [, n]) => sum + n, 0);
  return section(
    'funnel',
    'Funnel',
    html`
<div class="cols">
<div>${chart(funnelChart(stages))}
${noReceipts(f) ? html`<p class="note">${NO_RECEIPTS}</p>` : null}</div>
<div>
<h3>Recipients not accepted</h3>
<dl class="kv" id="funnel-not-accepted">${notSent.map(([label, n, why]) => html`<dt>${label}</dt><dd><b>${fmtInt(n)}</b> <span class="muted">${why}</span></dd>`)}</dl>
<h3>Rows rejected${rejectedTotal > 0 ? html` (${fmtInt(rejectedTotal)})` : null}</h3>
${
  rejected.length === 0
    ? html`<p class="muted">none</p>`
    : html`<dl class="kv" id="funnel-rejections">${rejected.slice(0, 20).map(([reason, n]) => html`<dt>${clip(reason, LIMIT.label)}</dt><dd><b>${fmtInt(n)}</b></dd>`)}</dl>`
}
</div>
</div>`,
  );
}
