// How long receipts took: accepted → delivered and delivered → read, as percentiles and a
// histogram whose buckets the data layer chose (log-spaced: seconds to a day).
import type { LatencyStats } from '../../core/report-data.js';
import { barChart, type Marker } from '../charts/bar-chart.js';
import { fmtInt, fmtMs } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { chart, section, stats } from './common.js';
import { NO_RECEIPTS } from './funnel.js';

/** Where a duration falls on the histogram's category axis: bucket index plus the share of it. */
export function bucketPosition(histogram: LatencyStats['histogram'], ms: number): number {
  let lower = 0;
  for (let i = 0; i < histogram.length; i++) {
    const upper = histogram[i]!.upToMs;
    if (ms <= upper) return i + (upper > lower ? (ms - lower) / (upper - lower) : 1);
    lower = upper;
  }
  return histogram.length;
}

function latencyBlock(id: string, title: string, s: LatencyStats | null): SafeHtml {
  if (s === null || s.count === 0) {
    return html`<div id="${id}"><h3>${title}</h3><p class="callout">${NO_RECEIPTS}</p></div>`;
  }
  const markers: Marker[] = [
    { at: bucketPosition(s.histogram, s.p50Ms), label: 'p50', cls: 'pct' },
    { at: bucketPosition(s.histogram, s.p90Ms), label: 'p90', cls: 'pct' },
    { at: bucketPosition(s.histogram, s.p99Ms), label: 'p99', cls: 'pct' },
  ];
  const svg = barChart({
    label: `${title}: histogram of ${fmtInt(s.count)} messages`,
    categories: s.histogram.map((b) => `≤ ${fmtMs(b.upToMs)}`),
    series: [{ name: 'messages', cls: 'bar-lat', values: s.histogram.map((b) => b.count) }],
    titles: s.histogram.map((b) => `≤ ${fmtMs(b.upToMs)}: ${fmtInt(b.count)} messages`),
    markers,
    emptyMessage: 'no receipts in these buckets',
  });
  return html`<div id="${id}"><h3>${title}</h3>
${stats([
  [fmtInt(s.count), 'messages'],
  [fmtMs(s.p50Ms), 'p50'],
  [fmtMs(s.p90Ms), 'p90'],
  [fmtMs(s.p99Ms), 'p99'],
  [fmtMs(s.maxMs), 'max'],
])}
${chart(svg)}</div>`;
}

export function latencySection(l: { acceptedToDelivered: LatencyStats | null; deliveredToRead: LatencyStats | null }): SafeHtml {
  return section(
    'latency',
    'Delivery latency',
    html`
${latencyBlock('latency-delivered', 'Accepted → delivered', l.acceptedToDelivered)}
${latencyBlock('latency-read', 'Delivered → read', l.deliveredToRead)}`,
  );
}
