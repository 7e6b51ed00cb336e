// When requests went out: the chart, its legend, and the runs and halts in words (the chart's
// hover titles do not print, and a screen reader cannot hover).
import type { BroadcastReportData } from '../../core/report-data.js';
import { timelineChart } from '../charts/timeline-chart.js';
import { fmtInt, fmtPct, fmtUnix } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { chart, LIMIT, legend, section, stats, table, td, tdNoWrap, tdNum, tdWrap } from './common.js';

type Timeline = BroadcastReportData['timeline'];

export function timelineSection(tl: Timeline): SafeHtml {
  let started = 0;
  let throttled = 0;
  let errors = 0;
  let peak = 0;
  for (const p of tl.points) {
    started += p.started;
    throttled += p.throttled;
    errors += p.errors;
    peak = Math.max(peak, p.started / Math.max(1, tl.bucketS));
  }
  const runs = tl.runs.map((r, i) => [
    tdNum(i + 1),
    tdNoWrap(fmtUnix(r.startedAt)),
    tdNoWrap(r.endedAt === null ? 'running' : fmtUnix(r.endedAt)),
    td(clip(r.mode, LIMIT.label)),
    tdNum(`${fmtInt(r.rate)}/s`),
    td(clip(r.outcome, LIMIT.label)),
    tdWrap(r.reason ? clip(r.reason, LIMIT.cell) : ''),
  ]);
  const halts = tl.halts.map((h) => html`<li>${fmtUnix(h.at)}: ${clip(h.reason, LIMIT.reason)}</li>`);
  return section(
    'timeline',
    'Send timeline',
    html`
${stats([
  [fmtInt(started), 'requests started'],
  [`${fmtInt(throttled)} (${fmtPct(throttled, started)})`, 'throttled (130429 / 429)'],
  [fmtInt(errors), 'other errors'],
  [`${peak >= 10 ? fmtInt(peak) : String(Math.round(peak * 10) / 10)}/s`, 'busiest bar'],
  [tl.rate === null ? '–' : `${fmtInt(tl.rate)}/s`, '--rate'],
])}
${chart(timelineChart(tl))}
${legend([
  ['sw-started', 'started'],
  ['sw-error', 'errors'],
  ['sw-throttled', 'throttled'],
  ['sw-rate', '--rate'],
  ['sw-run', 'a run (gaps between are pauses)'],
])}
${halts.length > 0 ? html`<div class="callout bad"><strong>Halts</strong><ul>${halts}</ul></div>` : null}
${runs.length > 0 ? html`<h3>Runs</h3>${table([{ label: '#', num: true }, { label: 'Started' }, { label: 'Ended' }, { label: 'Mode' }, { label: 'Rate', num: true }, { label: 'Outcome' }, { label: 'Reason' }], runs)}` : null}`,
  );
}
