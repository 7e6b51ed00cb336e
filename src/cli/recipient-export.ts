// Streaming row export for `status --recipients`: a table, NDJSON, or a CSV that is safe to open in
// a spreadsheet (cells that a spreadsheet would run as a formula are neutralized).
import type { Writable } from 'node:stream';
import type { Db } from '../journal/db.js';
import { recipientRows, type RecipientRow } from '../journal/recipient-rows.js';
import { printable, type TextSink } from './io.js';

export type RowFormat = 'table' | 'csv' | 'json';

const CSV_COLUMNS: (keyof RecipientRow)[] = [
  'line', 'input', 'phone', 'state', 'reason', 'attempts', 'error_code', 'error_title', 'error_detail', 'wamid',
  'sent_at', 'delivered_at', 'read_at', 'failed_at',
];

/** OWASP CSV injection: a leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function formatRow(format: RowFormat, r: RecipientRow): string {
  if (format === 'json') return `${JSON.stringify(r)}\n`;
  if (format === 'csv') return `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`;
  const detail = r.reason ? `${r.reason}: ${r.error_detail ?? ''}` : r.error_code !== null ? `${r.error_code} ${r.error_title ?? ''}` : (r.wamid ?? '');
  return `${[r.line, r.input ?? '', r.phone ?? '', r.state, r.attempts, detail].map((v) => printable(String(v).replace(/[\t\r\n]/g, ' '))).join('\t')}\n`;
}

const HEADERS: Record<RowFormat, string> = {
  json: '',
  csv: `${CSV_COLUMNS.join(',')}\n`,
  table: `${['LINE', 'INPUT', 'PHONE', 'STATE', 'ATTEMPTS', 'DETAIL'].join('\t')}\n`,
};

/** Writes in 64 KB chunks and waits for 'drain', so exporting a million rows to a pipe stays flat in memory. */
export async function writeRecipientRows(out: TextSink, db: Db, id: string, state: string | undefined, format: RowFormat): Promise<void> {
  let chunk = HEADERS[format];
  const stream = out as Partial<Writable>;
  const closed = () => stream.destroyed === true || stream.writableEnded === true;
  const flush = async () => {
    const ok = out.write(chunk);
    chunk = '';
    if (ok !== false || typeof stream.once !== 'function' || closed()) return;
    // Wait for room, or for the reader to go away (a closed pipe never drains).
    await new Promise<void>((resolve) => {
      const done = () => { stream.off!('drain', done); stream.off!('close', done); resolve(); };
      stream.once!('drain', done);
      stream.once!('close', done);
    });
  };
  for (const row of recipientRows(db, id, state)) {
    if (closed()) return;
    chunk += formatRow(format, row);
    if (chunk.length >= 65536) await flush();
  }
  if (chunk !== '' && !closed()) await flush();
}
