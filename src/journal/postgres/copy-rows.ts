// Bulk loads with COPY … FROM STDIN (pg-copy-streams): rows encoded in COPY's text format and
// streamed in chunks, so a large load needs neither one statement per row nor the whole load in
// memory.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const CHUNK_CHARS = 256 * 1024;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

export async function copyRows(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
): Promise<void> {
  await copyText(client, table, columns, encode(rows));
}

/** COPY rows already encoded by encodeRow. */
export async function copyText(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  chunks: Iterable<string>,
): Promise<void> {
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks), sink);
}

/** One row in COPY's text format, newline included. */
export function encodeRow(row: readonly unknown[]): string {
  return `${row.map(field).join('\t')}\n`;
}

function* encode(rows: Iterable<readonly unknown[]>): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += encodeRow(row);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // NUL cannot be stored in PostgreSQL text (see pool.ts noNul).
  return String(value).replace(/[\\\t\n\r\0]/g, (ch) => ESCAPES[ch]!);
}
