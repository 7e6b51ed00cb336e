// Human renderings of status objects (the JSON form is the object itself).
import { openCount } from '../core/rules/broadcast-state.js';
import { type BroadcastStatus, targetLabel } from '../core/types.js';
import { type IO, printable } from './io.js';

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
  lines.push(
    `  created ${s.created_at}, target ${printable(targetLabel(s.target))}, ${s.recipients} recipients from ${s.rows_read} rows`,
  );
  lines.push(`  sends from number ${printable(s.sending_number)}${s.profile ? ` (profile ${printable(s.profile)})` : ''}`);
  const counts = STATE_ORDER.filter((k) => s.counts[k] > 0)
    .map((k) => `${k} ${s.counts[k]}`)
    .join(', ');
  lines.push(`  recipients: ${counts || 'none'}`);
  const d = s.delivery;
  if (s.accepted > 0) {
    const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
    // 0% delivered reads as a disaster; with no receipt at all it only means no webhook is wired up.
    const noReceipts = d.delivered === 0 && d.read === 0 && !d.failed;
    lines.push(
      noReceipts
        ? `  delivery: accepted ${s.accepted}, no delivery receipts yet (they arrive through \`wa-send webhook\`)`
        : `  delivery: accepted ${s.accepted}, delivered ${d.delivered} (${pct(d.delivered_rate)}), read ${d.read} (${pct(d.read_rate)})${d.failed ? `, failed after acceptance ${d.failed}` : ''}`,
    );
  }
  const rejected = Object.entries(s.rejections)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  if (rejected) lines.push(`  rejected rows: ${rejected}`);
  for (const e of s.errors.slice(0, 5)) lines.push(`  error ${e.code} ${printable(e.title)}: ${e.count}`);
  if (s.next_retry_at) lines.push(`  next retry due ${s.next_retry_at}`);
  if (s.deferred_until) lines.push(`  131049 rows may be retried after ${s.deferred_until}`);
  const last = s.last_run;
  // A run that stopped with work left says why, and when (the daily limit names the time it frees up).
  if (last?.outcome && last.outcome !== 'done' && openCount(s.counts) > 0) {
    lines.push(
      `  last run (${last.mode}) stopped: ${last.outcome.replace('_', ' ')}${last.reason ? ` — ${printable(last.reason)}` : ''}`,
    );
  }
  return lines.join('\n');
}

export function renderList(io: IO, list: BroadcastStatus[]): string {
  if (list.length === 0) return 'No broadcasts yet.';
  const header = ['ID', 'NAME', 'NUMBER', 'CREATED', 'STATE', 'RECIPIENTS', 'ACCEPTED', 'FAILED', 'UNKNOWN', 'OPEN'];
  const rows = list.map((s) => [
    s.id,
    printable(s.name ?? ''),
    printable(s.profile ? `${s.sending_number} (${s.profile})` : s.sending_number),
    s.created_at.replace('T', ' ').slice(0, 16),
    s.state,
    String(s.recipients),
    String(s.accepted),
    String(s.counts.failed),
    String(s.counts.unknown),
    String(openCount(s.counts)),
  ]);
  return table(header, rows, (col, v) => (col === 4 ? colorState(io, v) : v));
}

export function table(header: string[], rows: string[][], paint: (col: number, v: string) => string = (_c, v) => v): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], p: boolean) =>
    r
      .map((v, i) => (p ? paint(i, v) : v) + ' '.repeat(widths[i]! - v.length))
      .join('  ')
      .trimEnd();
  return [line(header, false), ...rows.map((r) => line(r, true))].join('\n');
}
