// Requests started per second over the broadcast's life: stacked bars (throttled at the bottom,
// then other errors, then the rest), the --rate as a dashed line, each run as a shaded band, long
// pauses as axis breaks, halts as red lines, and a lane of ticks under the axis wherever the API
// throttled, since 5 % of a bar is easy to miss.
import type { BroadcastReportData } from '../../core/report-data.js';
import { fmtClock, fmtDuration, fmtInt, fmtShort, fmtUnix } from '../format.js';
import { clip, html, raw, type SafeHtml } from '../html.js';
import {
  type Bar,
  barsPath,
  baseline,
  emptyChart,
  type Frame,
  line,
  niceTicks,
  num,
  rect,
  svgChart,
  text,
  yAxis,
} from './svg.js';
import { type Interval, timeScale, timeTicks } from './time-scale.js';

type Timeline = BroadcastReportData['timeline'];
type Point = Timeline['points'][number];

/** About one bar per unit of the viewBox: more would only be thinner than a pixel. */
export const MAX_BARS = 900;
const FRAME: Frame = { width: 960, height: 300, left: 56, right: 20, top: 30, bottom: 58 };

/** Merges adjacent buckets (summing them) until at most `max` remain. */
export function rebucket(
  points: readonly Point[],
  bucketS: number,
  max: number = MAX_BARS,
): { points: Point[]; bucketS: number } {
  let size = Math.max(1, bucketS);
  let out = [...points].sort((a, b) => a.t - b.t);
  while (out.length > max) {
    size *= Math.max(2, Math.ceil(out.length / max));
    const merged = new Map<number, Point>();
    for (const p of out) {
      const t = Math.floor(p.t / size) * size;
      const m = merged.get(t) ?? { t, started: 0, accepted: 0, throttled: 0, errors: 0 };
      m.started += p.started;
      m.accepted += p.accepted;
      m.throttled += p.throttled;
      m.errors += p.errors;
      merged.set(t, m);
    }
    out = [...merged.values()];
  }
  return { points: out, bucketS: size };
}

type Run = Timeline['runs'][number] & { end: number };
type Scale = ReturnType<typeof timeScale>;
type Y = (v: number) => number;

export function timelineChart(timeline: Timeline): SafeHtml {
  const { points, bucketS: b } = rebucket(timeline.points, timeline.bucketS);
  const activity: Interval[] = [
    ...points.filter((p) => p.started > 0).map((p) => ({ start: p.t, end: p.t + b })),
    ...timeline.halts.map((h) => ({ start: h.at, end: h.at })),
  ];
  // A run still going (no end yet) lasts, as far as the chart knows, until its last request.
  const lastActivity = Math.max(...activity.map((iv) => iv.end), -Infinity);
  const runs: Run[] = timeline.runs.map((r) => ({ ...r, end: r.endedAt ?? Math.max(lastActivity, r.startedAt + b) }));
  activity.push(...runs.map((r) => ({ start: r.startedAt, end: r.end })));
  if (activity.length === 0) return emptyChart(FRAME, 'Send timeline', 'no requests sent yet');

  const scale = timeScale(activity, FRAME.left, FRAME.width - FRAME.left - FRAME.right, Math.max(3 * b, 60));
  const peak = Math.max(timeline.rate ?? 0, ...points.map((p) => p.started / b));
  const axis = yAxis(FRAME, niceTicks(peak * 1.1 || 1), fmtShort);
  const caption = text(FRAME.left, FRAME.height - 6, `requests started per second, ${fmtDuration(b)} per bar (UTC)`, 'tick');
  const body = html`${runBands(runs, scale)}${pauseBreaks(scale)}${axis.body}${bars(points, b, scale, axis.y)}${rateLine(timeline.rate, axis.y)}${haltLines(timeline.halts, scale)}${timeAxis(scale)}${caption}`;
  return svgChart(
    FRAME,
    `Send timeline: requests started per second, ${points.length} bars of ${fmtDuration(b)}`,
    body,
    ` data-bars="${points.length}"`,
  );
}

const BASE = baseline(FRAME);
const PLOT_H = BASE - FRAME.top;

function runBands(runs: readonly Run[], scale: Scale): SafeHtml {
  return html`${runs.map((r, i) => {
    const x = scale.x(r.startedAt);
    const w = Math.max(1, scale.x(r.end) - x);
    const label = clip(`run ${i + 1} · ${r.mode} · ${fmtInt(r.rate)}/s · ${r.outcome}`, Math.floor(w / 6.5));
    const until = r.endedAt === null ? 'still running' : fmtUnix(r.endedAt);
    const hover = `run ${i + 1} (${r.mode}, --rate ${r.rate}): ${fmtUnix(r.startedAt)} – ${until}, ${r.outcome}${r.reason ? `: ${clip(r.reason, 300)}` : ''}`;
    return html`${rect(x, FRAME.top, w, PLOT_H, 'run', hover)}${label.length > 1 ? text(x + 3, FRAME.top - 6, label, 'tick') : null}`;
  })}`;
}

function pauseBreaks(scale: Scale): SafeHtml {
  return html`${scale.gaps.map((g) => {
    // The label runs along a narrow break: minutes are precise enough for a long pause.
    const label = `paused ${fmtDuration(g.seconds >= 600 ? Math.round(g.seconds / 60) * 60 : g.seconds)}`;
    const left = g.x + 4;
    const right = g.x + g.w - 4;
    return html`${rect(left, FRAME.top, right - left, PLOT_H, 'break', `paused ${fmtDuration(g.seconds)}`)}${line(left, BASE - 5, left, BASE + 5, 'axis')}${line(right, BASE - 5, right, BASE + 5, 'axis')}${text(g.x + g.w / 2 + 4, FRAME.top + PLOT_H / 2, label, 'tick', 'middle', -90)}`;
  })}`;
}

/** Throttled at the bottom of each bar, then other errors, then the rest; a tick under the axis per throttled bar. */
function bars(points: readonly Point[], b: number, scale: Scale, y: Y): SafeHtml {
  const layers = { throttled: [] as Bar[], errors: [] as Bar[], rest: [] as Bar[] };
  let lane = '';
  for (const p of points) {
    const x = scale.x(p.t);
    const w = Math.max(0.6, (scale.x(p.t + b) - x) * 0.85);
    let level = 0;
    for (const [key, n] of [
      ['throttled', p.throttled],
      ['errors', p.errors],
      ['rest', p.started - p.throttled - p.errors],
    ] as const) {
      const bottom = y(level);
      level += Math.max(0, n) / b;
      layers[key].push({ x, y: y(level), w, h: bottom - y(level) });
    }
    if (p.throttled > 0) lane += `M${num(x + w / 2)} ${num(BASE + 4)}v7`;
  }
  const laneBody =
    lane === ''
      ? null
      : html`${raw(`<path class="throttle-tick" d="${lane}"/>`)}${text(FRAME.left - 6, BASE + 12, 'throttled', 'tick throttled-lbl', 'end')}`;
  return html`${barsPath(layers.throttled, 'bar-throttled')}${barsPath(layers.errors, 'bar-error')}${barsPath(layers.rest, 'bar-started')}${laneBody}`;
}

function rateLine(rate: number | null, y: Y): SafeHtml | null {
  if (rate === null || rate <= 0) return null;
  return html`${line(FRAME.left, y(rate), FRAME.width - FRAME.right, y(rate), 'rate')}${text(FRAME.width - FRAME.right - 2, y(rate) - 4, `--rate ${fmtInt(rate)}/s`, 'rate-lbl', 'end')}`;
}

function haltLines(halts: Timeline['halts'], scale: Scale): SafeHtml {
  return html`${halts.map((h) => {
    const x = scale.x(h.at);
    // The line is 2 units wide; a wider transparent strip carries the reason as a hover title.
    return html`${line(x, FRAME.top - 2, x, BASE, 'halt')}${rect(x - 4, FRAME.top - 2, 8, PLOT_H + 2, 'hover', `halted ${fmtUnix(h.at)}: ${clip(h.reason, 300)}`)}${text(x - 3, FRAME.top + 10, 'halted', 'halt-lbl', 'end')}`;
  })}`;
}

function timeAxis(scale: Scale): SafeHtml {
  const first = scale.segments[0]!;
  const last = scale.segments[scale.segments.length - 1]!;
  const spansDays = Math.floor(first.start / 86_400) !== Math.floor(last.end / 86_400);
  return html`${timeTicks(scale, 110).map(
    (t) =>
      html`${line(t.x, BASE, t.x, BASE + 3, 'axis')}${text(t.x, BASE + 28, fmtClock(t.t, t.step < 60, spansDays && t.first), 'tick', 'middle')}`,
  )}`;
}
