// Vertical bars over categories (days, latency buckets), stacked when there are several series.
// Used by the latency histograms and the journal's messages-per-day chart.

import { fmtShort } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import {
  type Bar,
  barsPath,
  baseline,
  emptyChart,
  type Frame,
  line,
  niceTicks,
  plotWidth,
  rect,
  svgChart,
  text,
  yAxis,
} from './svg.js';

export interface Series {
  name: string;
  cls: string;
  values: readonly number[];
}

/** A vertical line at a fractional category position (e.g. where p90 falls in a histogram). */
export interface Marker {
  at: number;
  label: string;
  cls: string;
}

export interface BarChartInput {
  label: string;
  categories: readonly string[];
  series: readonly Series[];
  emptyMessage: string;
  markers?: readonly Marker[];
  /** Hover text per category (SVG <title>), e.g. the exact figures behind a bar. */
  titles?: readonly string[];
}

/** Beyond this many categories bars get thinner than a pixel: callers aggregate first. */
export const MAX_CATEGORIES = 400;
const FRAME: Frame = { width: 800, height: 240, left: 56, right: 16, top: 24, bottom: 40 };
const MAX_LABELS = 12;

export function barChart(input: BarChartInput): SafeHtml {
  const skip = Math.max(0, input.categories.length - MAX_CATEGORIES);
  const categories = input.categories.slice(skip);
  const n = categories.length;
  const totals = categories.map((_, i) => input.series.reduce((sum, s) => sum + (s.values[i + skip] ?? 0), 0));
  const max = Math.max(0, ...totals);
  if (n === 0 || max <= 0) return emptyChart(FRAME, input.label, input.emptyMessage);

  const axis = yAxis(FRAME, niceTicks(max), fmtShort);
  const slot = plotWidth(FRAME) / n;
  const barW = Math.max(0.5, slot * (n > 60 ? 0.9 : 0.7));
  const xOf = (i: number) => FRAME.left + i * slot + (slot - barW) / 2;

  const stackTop = categories.map(() => 0);
  const layers = input.series.map((s) => {
    const bars: Bar[] = categories.map((_, i) => {
      const v = Math.max(0, s.values[i + skip] ?? 0);
      const y0 = axis.y(stackTop[i]!);
      stackTop[i]! += v;
      const y1 = axis.y(stackTop[i]!);
      return { x: xOf(i), y: y1, w: barW, h: y0 - y1 };
    });
    return barsPath(bars, s.cls);
  });

  const every = Math.ceil(n / MAX_LABELS);
  const labels = categories.map((c, i) =>
    i % every === 0 ? text(xOf(i) + barW / 2, baseline(FRAME) + 16, clip(c, 12), 'tick', 'middle') : null,
  );
  const hovers = input.titles
    ? categories.map((_, i) =>
        rect(FRAME.left + i * slot, FRAME.top, slot, baseline(FRAME) - FRAME.top, 'hover', input.titles?.[i + skip] ?? ''),
      )
    : [];
  const markers = (input.markers ?? []).map((m) => {
    const x = FRAME.left + Math.min(n, Math.max(0, m.at)) * slot;
    return html`${line(x, FRAME.top - 4, x, baseline(FRAME), m.cls)}${text(x + 3, FRAME.top - 8, m.label, `${m.cls}-lbl`)}`;
  });
  const skipped =
    skip > 0 ? text(FRAME.width - FRAME.right, FRAME.height - 4, `last ${n} of ${n + skip} shown`, 'tick', 'end') : null;
  return svgChart(FRAME, input.label, html`${axis.body}${layers}${markers}${labels}${hovers}${skipped}`, ` data-bars="${n}"`);
}
