// Human renderings of status objects (the JSON form is the object itself).
import { openCount } from '../core/broadcast-state.js';
import type { BroadcastStatus } from '../core/types.js';
import { targetLabel } from '../core/types.js';
import { printable, type IO } from './io.js';

const STATE_ORDER = ['pending', 'sending', 'retry', 'sent', 'delivered', 'read', 'failed', 'unknown', 'skipped'] as const;

export function colorState(io: IO, state: string): string {
  const c = io.color;
  if (state === 'completed') return c.green(state);
  if (state === 'partial' || state === 'paused' || state === 'running') return c.yellow(state);
  if (state === 'halted' || state === 'failed') return c.red(state);
  return state;
}

export function renderStatus(io: IO, s: BroadcastStatus): string {
  const lines: string[] = [];
  const title = s.name ? `${s.id} (${printable(s.name)})` : s.id;
  lines.push(`Broadcast ${title}: ${colorState(io, s.state)}${s.reason ? ` — ${printable(s.reason)}` : ''}`);
  lines.push(`  created ${s.created_at}, target ${targetLabel(s.target)}, ${s.recipients} recipients from ${String(s.rows_read ?? '?')} rows`);
  const counts = STATE_ORDER.filter((k) => s.counts[k] > 0).map((k) => `${k} ${s.counts[k]}`).join(', ');
  lines.push(`  recipients: ${counts || 'none'}`);
  const delivery = s.delivery as { failed: number; delivered: number; read: number; delivered_rate: number | null; read_rate: number | null };
  if (delivery && (s.accepted as number) > 0) {
    const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
    // 0% delivered reads as a disaster; with no receipt at all it only means no webhook is wired up.
    const noReceipts = delivery.delivered === 0 && delivery.read === 0 && !delivery.failed;
    lines.push(noReceipts
      ? `  delivery: accepted ${String(s.accepted)}, no delivery receipts yet (they arrive through \`wa-send webhook\`)`
      : `  delivery: accepted ${String(s.accepted)}, delivered ${delivery.delivered} (${pct(delivery.delivered_rate)}), read ${delivery.read} (${pct(delivery.read_rate)})${delivery.failed ? `, failed after acceptance ${delivery.failed}` : ''}`);
  }
  const rejected = Object.entries(s.rejections).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
  if (rejected) lines.push(`  rejected rows: ${rejected}`);
  for (const e of s.errors.slice(0, 5)) lines.push(`  error ${e.code} ${e.title}: ${e.count}`);
  if (s.next_retry_at) lines.push(`  next retry due ${String(s.next_retry_at)}`);
  return lines.join('\n');
}

export function renderList(io: IO, list: BroadcastStatus[]): string {
  if (list.length === 0) return 'No broadcasts yet.';
  const header = ['ID', 'NAME', 'CREATED', 'STATE', 'RECIPIENTS', 'ACCEPTED', 'FAILED', 'OPEN'];
  const rows = list.map((s) => [
    s.id, s.name ?? '', s.created_at.replace('T', ' ').slice(0, 16), s.state, String(s.recipients),
    String(s.accepted ?? 0), String(s.counts.failed + s.counts.unknown), String(openCount(s.counts)),
  ]);
  return table(header, rows, (col, v) => (col === 3 ? colorState(io, v) : v));
}

export function table(header: string[], rows: string[][], paint: (col: number, v: string) => string = (_c, v) => v): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], p: boolean) => r.map((v, i) => (p ? paint(i, v) : v) + ' '.repeat(widths[i]! - v.length)).join('  ').trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, true))].join('\n');
}
