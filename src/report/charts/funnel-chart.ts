// The funnel as horizontal bars, each as long as its count against the first stage, so each drop
// (rows rejected, recipients not accepted, messages not delivered) shows as a shorter bar.

import { fmtInt } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { emptyChart, type Frame, rect, svgChart, text } from './svg.js';

export interface Stage {
  label: string;
  value: number;
  note: string;
}

const ROW = 34;
const LABEL_W = 96;
const VALUE_W = 190;
const WIDTH = 640;

export function funnelChart(stages: readonly Stage[]): SafeHtml {
  const frame: Frame = {
    width: WIDTH,
    height: Math.max(ROW, stages.length * ROW) + 8,
    left: LABEL_W,
    right: VALUE_W,
    top: 4,
    bottom: 4,
  };
  const max = Math.max(0, ...stages.map((s) => s.value));
  if (stages.length === 0 || max <= 0) return emptyChart({ ...frame, height: 120, bottom: 24 }, 'Funnel', 'no rows read');
  const barMax = frame.width - LABEL_W - VALUE_W - 12;
  const rows = stages.map((s, i) => {
    const y = frame.top + i * ROW;
    // A stage that is not zero stays visible however small next to a million.
    const w = s.value > 0 ? Math.max(2, (s.value / max) * barMax) : 0;
    return html`${text(LABEL_W - 10, y + 21, s.label, 'lbl', 'end')}${rect(LABEL_W, y + 6, barMax, ROW - 12, 'track')}${rect(LABEL_W, y + 6, w, ROW - 12, `fun fun${i}`, `${s.label}: ${fmtInt(s.value)}`)}${text(LABEL_W + barMax + 10, y + 21, fmtInt(s.value), 'val')}${text(frame.width - 4, y + 21, s.note, 'tick', 'end')}`;
  });
  return svgChart(frame, `Funnel: ${stages.map((s) => `${s.label} ${fmtInt(s.value)}`).join(', ')}`, rows);
}
