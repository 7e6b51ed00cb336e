// The few SVG pieces every chart is made of. Charts are drawn here, on the server side, so the
// report needs no script at all (its CSP forbids them). Colours come from CSS classes, not
// attributes, so dark mode and print restyle the charts with the rest of the page.
import { type HtmlValue, html, raw, type SafeHtml } from '../html.js';

/** Plot area inside the SVG's viewBox, margins left for the axes. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const plotWidth = (f: Frame): number => f.width - f.left - f.right;
export const plotHeight = (f: Frame): number => f.height - f.top - f.bottom;
export const baseline = (f: Frame): number => f.height - f.bottom;

/** One decimal is far below a pixel and keeps a 1,000-bar chart small. */
export function num(x: number): string {
  return String(Math.round(x * 10) / 10);
}

export function svgChart(f: Frame, label: string, body: HtmlValue, extra = ''): SafeHtml {
  return html`<svg class="chart" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${label}"${raw(extra)}>${body}</svg>`;
}

export function text(
  x: number,
  y: number,
  content: string,
  cls = 'lbl',
  anchor: 'start' | 'middle' | 'end' = 'start',
  rotate = 0,
): SafeHtml {
  const turn = rotate === 0 ? '' : ` transform="rotate(${rotate} ${num(x)} ${num(y)})"`;
  return html`<text x="${num(x)}" y="${num(y)}" class="${cls}" text-anchor="${anchor}"${raw(turn)}>${content}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, cls: string): SafeHtml {
  return raw(`<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" class="${cls}"/>`);
}

export function rect(x: number, y: number, w: number, h: number, cls: string, title?: string): SafeHtml {
  const shape = `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(0, w))}" height="${num(Math.max(0, h))}" class="${cls}"`;
  return title === undefined ? raw(`${shape}/>`) : html`${raw(shape)}><title>${title}</title></rect>`;
}

export interface Bar {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Many bars of one series as one <path>: a tenth of the bytes of one <rect> each. */
export function barsPath(bars: readonly Bar[], cls: string): SafeHtml {
  const d = bars
    .filter((b) => b.h > 0 && b.w > 0)
    .map((b) => `M${num(b.x)} ${num(b.y + b.h)}v${num(-b.h)}h${num(b.w)}v${num(b.h)}z`)
    .join('');
  return d === '' ? raw('') : raw(`<path class="${cls}" d="${d}"/>`);
}

/** A polyline through the points; null values break the line (a day with nothing to measure). */
export function linePath(points: readonly ({ x: number; y: number } | null)[], cls: string): SafeHtml {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(p.x)} ${num(p.y)}`;
    pen = true;
  }
  return d === '' ? raw('') : raw(`<path class="${cls}" d="${d}"/>`);
}

/** 0 and round steps up to at least `max`: 0, 20, 40 … never a tick at 37.5. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/** Horizontal grid lines with their labels on the left; returns the value → y mapping too. */
export function yAxis(
  f: Frame,
  ticks: readonly number[],
  fmt: (v: number) => string,
): { body: SafeHtml; y: (v: number) => number } {
  const top = ticks[ticks.length - 1] ?? 1;
  const y = (v: number) => baseline(f) - (v / top) * plotHeight(f);
  const body = ticks.map(
    (t) =>
      html`${line(f.left, y(t), f.width - f.right, y(t), t === 0 ? 'axis' : 'grid')}${text(f.left - 6, y(t) + 4, fmt(t), 'tick', 'end')}`,
  );
  return { body: html`${body}`, y };
}

/** An empty chart still draws its frame and says why it is empty. */
export function emptyChart(f: Frame, label: string, message: string): SafeHtml {
  return svgChart(
    f,
    `${label}: ${message}`,
    html`${line(f.left, baseline(f), f.width - f.right, baseline(f), 'axis')}${line(f.left, f.top, f.left, baseline(f), 'axis')}${text(f.left + plotWidth(f) / 2, f.top + plotHeight(f) / 2, message, 'empty', 'middle')}`,
  );
}
