// Streaming row export for `status --recipients`: a table, NDJSON, or a CSV that is safe to open in
// a spreadsheet (cells that a spreadsheet would run as a formula are neutralized). The first rows go
// out at once; then 64 KB chunks with back-pressure; the export stops as soon as the reader is gone
// (`| head -1` on a million rows must not run to the end).
import type { Writable } from 'node:stream';
import type { RecipientRow } from '../core/journal.js';
import { printable, type TextSink } from './io.js';

export type RowFormat = 'table' | 'csv' | 'json';

const CSV_COLUMNS: (keyof RecipientRow)[] = [
  'line',
  'input',
  'phone',
  'state',
  'reason',
  'attempts',
  'error_code',
  'error_title',
  'error_detail',
  'wamid',
  'sent_at',
  'delivered_at',
  'read_at',
  'failed_at',
];

const CHUNK = 65536;
const FIRST_FLUSH_ROWS = 20;

/** OWASP CSV injection: a leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The DETAIL column: why a row is where it is, whatever its state. */
export function rowDetail(r: RecipientRow): string {
  if (r.state === 'rejected') return `${r.reason ?? ''}: ${r.error_detail ?? ''}`;
  if (r.error_code !== null) return `${r.error_code} ${r.error_title ?? ''}${r.error_detail ? ` — ${r.error_detail}` : ''}`;
  if (r.error_title !== null || r.error_detail !== null || r.error_class !== null) {
    return [r.error_title, r.error_detail ?? r.error_class].filter((x) => x !== null).join(' — ');
  }
  return r.wamid ?? '';
}

function formatRow(format: RowFormat, r: RecipientRow): string {
  if (format === 'json') return `${JSON.stringify(r)}\n`;
  if (format === 'csv') return `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`;
  const cells = [r.line, r.input ?? '', r.phone ?? '', r.state, r.attempts, rowDetail(r)];
  return `${cells.map((v) => printable(String(v).replace(/[\t\r\n]/g, ' '))).join('\t')}\n`;
}

const HEADERS: Record<RowFormat, string> = {
  json: '',
  csv: `${CSV_COLUMNS.join(',')}\n`,
  table: `${['LINE', 'INPUT', 'PHONE', 'STATE', 'ATTEMPTS', 'DETAIL'].join('\t')}\n`,
};

export async function writeRecipientRows(out: TextSink, rows: AsyncIterable<RecipientRow>, format: RowFormat): Promise<void> {
  const stream = out as Partial<Writable>;
  const gone = () => stream.destroyed === true || stream.writableEnded === true || stream.errored != null;
  let chunk = HEADERS[format];
  let n = 0;
  const flush = async () => {
    const ok = out.write(chunk);
    chunk = '';
    if (ok !== false || typeof stream.once !== 'function' || gone()) return;
    // Wait for room, or for the reader to go away (a closed pipe never drains).
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off?.('drain', done);
        stream.off?.('close', done);
        stream.off?.('error', done);
        resolve();
      };
      stream.once?.('drain', done);
      stream.once?.('close', done);
      stream.once?.('error', done);
    });
  };
  for await (const row of rows) {
    if (gone()) return;
    chunk += formatRow(format, row);
    if (++n === FIRST_FLUSH_ROWS || chunk.length >= CHUNK) await flush();
  }
  if (chunk !== '' && !gone()) await flush();
}
