// Streaming row export for `status --recipients`: a table, NDJSON, or a CSV that is safe to open in
// a spreadsheet (cells that a spreadsheet would run as a formula are neutralized).
import type { Db } from '../journal/db.js';
import { recipientRows, type RecipientRow } from '../journal/recipient-rows.js';
import type { TextSink } from './io.js';

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
  return `${[r.line, r.input ?? '', r.phone ?? '', r.state, r.attempts, detail].map((v) => String(v).replace(/[\t\n]/g, ' ')).join('\t')}\n`;
}

const HEADERS: Record<RowFormat, string> = {
  json: '',
  csv: `${CSV_COLUMNS.join(',')}\n`,
  table: `${['LINE', 'INPUT', 'PHONE', 'STATE', 'ATTEMPTS', 'DETAIL'].join('\t')}\n`,
};

/** Writes in 64 KB chunks and waits for 'drain', so exporting a million rows to a pipe stays flat in memory. */
export async function writeRecipientRows(out: TextSink, db: Db, id: string, state: string | undefined, format: RowFormat): Promise<void> {
  let chunk = HEADERS[format];
  const flush = async () => {
    const ok = out.write(chunk);
    chunk = '';
    const emitter = out as Partial<NodeJS.WritableStream>;
    if (ok === false && typeof emitter.once === 'function') await new Promise((resolve) => emitter.once!('drain', resolve));
  };
  for (const row of recipientRows(db, id, state)) {
    chunk += formatRow(format, row);
    if (chunk.length >= 65536) await flush();
  }
  if (chunk !== '') await flush();
}
