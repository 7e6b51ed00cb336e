// The sections of the journal report: the broadcasts of the period, messages per day per sending
// number, delivery and read rates per day, and the errors seen most.
import type { JournalReportData } from '../../core/report-data.js';
import { barChart, MAX_CATEGORIES, type Series } from '../charts/bar-chart.js';
import { percentLineChart } from '../charts/line-chart.js';
import { fmtInt, fmtIso, fmtPct } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { chart, LIMIT, legend, section, stateBadge, table, td, tdNoWrap, tdNum, tdWrap } from './common.js';
import { errorRows } from './errors.js';

/** Distinct colours: the busiest numbers get their own, the rest share "other". */
const MAX_NUMBERS = 5;

/**
 * Every day from the first to the last given (YYYY-MM-DD), so a day with nothing sent shows as an
 * empty slot instead of vanishing from the axis. Capped: older days are dropped first.
 */
export function dayRange(days: readonly string[], max = MAX_CATEGORIES): string[] {
  const valid = days.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d))).sort();
  const first = valid[0];
  const last = valid[valid.length - 1];
  if (first === undefined || last === undefined) return [...new Set(days)].sort().slice(-max);
  const out: string[] = [];
  for (let t = Date.parse(last); t >= Date.parse(first) && out.length < max; t -= 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out.reverse();
}

export function broadcastsSection(list: JournalReportData['broadcasts']): SafeHtml {
  if (list.length === 0) return section('broadcasts', 'Broadcasts', html`<p class="muted">No broadcasts in this period.</p>`);
  const rows = [...list]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((b) => [
      tdNoWrap(html`<code>${clip(b.id, LIMIT.id)}</code>`),
      tdWrap(b.name ? clip(b.name, LIMIT.name) : ''),
      td(stateBadge(b.state)),
      tdNoWrap(fmtIso(b.createdAt)),
      tdWrap(clip(b.sendingNumber, LIMIT.label)),
      tdNum(fmtInt(b.recipients)),
      tdNum(fmtInt(b.accepted)),
      tdNum(fmtPct(b.delivered, b.accepted)),
      tdNum(fmtPct(b.read, b.accepted)),
      tdNum(fmtInt(b.failed)),
    ]);
  return section(
    'broadcasts',
    'Broadcasts',
    table(
      [
        { label: 'ID' },
        { label: 'Name' },
        { label: 'State' },
        { label: 'Created' },
        { label: 'Sending number' },
        { label: 'Recipients', num: true },
        { label: 'Accepted', num: true },
        { label: 'Delivered', num: true },
        { label: 'Read', num: true },
        { label: 'Failed', num: true },
      ],
      rows,
    ),
  );
}

export function perDaySection(perDay: JournalReportData['perDay']): SafeHtml {
  const days = dayRange(perDay.map((d) => d.day));
  const volume = new Map<string, number>();
  for (const d of perDay) volume.set(d.sendingNumber, (volume.get(d.sendingNumber) ?? 0) + d.accepted);
  const numbers = [...volume.keys()].sort((a, b) => (volume.get(b) ?? 0) - (volume.get(a) ?? 0));
  const own = numbers.slice(0, numbers.length > MAX_NUMBERS + 1 ? MAX_NUMBERS : MAX_NUMBERS + 1);
  const keyOf = (n: string) => (own.includes(n) ? n : 'other numbers');
  const keys = [...own, ...(own.length < numbers.length ? ['other numbers'] : [])];
  const index = new Map(days.map((d, i) => [d, i]));
  const accepted = new Map(keys.map((k) => [k, days.map(() => 0)]));
  const failed = days.map(() => 0);
  for (const d of perDay) {
    const i = index.get(d.day);
    if (i === undefined) continue; // older than the days drawn
    accepted.get(keyOf(d.sendingNumber))![i]! += d.accepted;
    failed[i]! += d.failed;
  }
  const series: Series[] = keys.map((k, i) => ({ name: k, cls: `n${i}`, values: accepted.get(k)! }));
  series.push({ name: 'failed', cls: 'bar-failed', values: failed });
  const titles = days.map(
    (day, i) => `${day}: ${series.map((s) => `${clip(s.name, LIMIT.label)} ${fmtInt(s.values[i] ?? 0)}`).join(', ')}`,
  );
  const svg = barChart({
    label: 'Messages per day per sending number',
    categories: days,
    series,
    titles,
    emptyMessage: 'no messages sent in this period',
  });
  return section(
    'per-day',
    'Messages per day',
    html`${chart(svg)}
${legend([...keys.map((k, i): [string, string] => [`sw-n${i}`, `${clip(k, LIMIT.label)} (accepted)`]), ['sw-failed', 'failed (all numbers)']])}`,
  );
}

export function ratesSection(rates: JournalReportData['ratesOverTime']): SafeHtml {
  const byDay = new Map(rates.map((r) => [r.day, r]));
  const days = dayRange(rates.map((r) => r.day));
  const share = (pick: (r: JournalReportData['ratesOverTime'][number]) => number) =>
    days.map((d) => {
      const r = byDay.get(d);
      return r && r.accepted > 0 ? pick(r) / r.accepted : null;
    });
  const svg = percentLineChart(
    'Delivery and read rates per day',
    days,
    [
      { name: 'delivered', cls: 's-delivered', values: share((r) => r.delivered) },
      { name: 'read', cls: 's-read', values: share((r) => r.read) },
    ],
    'no accepted messages in this period',
  );
  return section(
    'rates',
    'Delivery and read rates',
    html`${chart(svg)}
${legend([
  ['sw-delivered', 'delivered, % of accepted'],
  ['sw-read', 'read, % of accepted'],
])}
<p class="note">Receipts arrive through <code>wa-send webhook</code>; without it both rates stay at 0.</p>`,
  );
}

export function topErrorsSection(errors: JournalReportData['topErrors']): SafeHtml {
  if (errors.length === 0) return section('errors', 'Top errors', html`<p class="muted">No API errors in this period.</p>`);
  return section(
    'errors',
    'Top errors',
    table(
      [{ label: 'Code', num: true }, { label: 'Error' }, { label: 'What to do' }, { label: 'Count', num: true }],
      errorRows(errors),
    ),
  );
}
