// Percentages over categories (days) as lines with dots: the journal's delivery and read rates.
// A day with no base (nothing accepted) is a gap in the line, not a drop to zero.
import { clip, html, raw, type SafeHtml } from '../html.js';
import { baseline, emptyChart, type Frame, linePath, num, plotWidth, svgChart, text, yAxis } from './svg.js';

export interface LineSeries {
  name: string;
  cls: string;
  values: readonly (number | null)[];
}

const FRAME: Frame = { width: 800, height: 240, left: 56, right: 16, top: 16, bottom: 40 };
const MAX_LABELS = 12;
const MAX_POINTS = 400;

/** Values are fractions (0..1), drawn on a 0–100 % axis. */
export function percentLineChart(
  label: string,
  categories: readonly string[],
  series: readonly LineSeries[],
  emptyMessage: string,
): SafeHtml {
  const skip = Math.max(0, categories.length - MAX_POINTS);
  const cats = categories.slice(skip);
  const n = cats.length;
  const any = series.some((s) => s.values.slice(skip).some((v) => v !== null));
  if (n === 0 || !any) return emptyChart(FRAME, label, emptyMessage);

  const axis = yAxis(FRAME, [0, 0.25, 0.5, 0.75, 1], (v) => `${Math.round(v * 100)} %`);
  const slot = plotWidth(FRAME) / n;
  const xOf = (i: number) => FRAME.left + slot * (i + 0.5);
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const lines = series.map((s) => {
    const pts = cats.map((_, i) => {
      const v = s.values[i + skip];
      return v === null || v === undefined ? null : { x: xOf(i), y: axis.y(clamp(v)) };
    });
    // Dots carry single days (a lone point draws no line) and are cheap below a few hundred.
    const dots = pts.map((p) => (p ? `<circle cx="${num(p.x)}" cy="${num(p.y)}" r="2.5"/>` : '')).join('');
    return html`${linePath(pts, `line ${s.cls}`)}${raw(`<g class="dots ${s.cls}">${dots}</g>`)}`;
  });
  const every = Math.ceil(n / MAX_LABELS);
  const labels = cats.map((c, i) => (i % every === 0 ? text(xOf(i), baseline(FRAME) + 16, clip(c, 12), 'tick', 'middle') : null));
  return svgChart(FRAME, label, html`${axis.body}${lines}${labels}`, ` data-points="${n}"`);
}
