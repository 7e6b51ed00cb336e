// Streaming CSV reading: header row required, each record with the line it starts on, ragged and
// broken rows reported as rows (malformed_row), never as a crash.
import { parse, type Parser } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { usageError } from './errors.js';
import { TextDecoder } from 'node:util';
import { DecodeToText, detectDelimiter, detectEncoding, type TextEncoding } from './csv-decode.js';

export type CsvRow =
  | { line: number; values: string[]; error?: undefined }
  | { line: number; error: string; raw: string; fatal?: boolean };

export interface CsvSource {
  headers: string[];
  delimiter: string;
  encoding: TextEncoding;
  rows: AsyncIterable<CsvRow>;
}

const SAMPLE_BYTES = 64 * 1024;
/** No real recipient row comes near this; a record that does is an unclosed quote eating the file. */
const MAX_RECORD_CHARS = 1024 * 1024;
/** Errors after which the rest of the file cannot be read: planning from what came before would drop rows silently. */
const FATAL_PARSE_ERRORS = new Set(['CSV_QUOTE_NOT_CLOSED', 'CSV_MAX_RECORD_SIZE']);

export async function openCsv(path: string): Promise<CsvSource> {
  const head = await readHead(path);
  const detected = detectEncoding(head);
  if (!detected) throw usageError(`${path} is not a text CSV file (it contains NUL bytes)`);
  const sampleText = new TextDecoder(detected.encoding).decode(head.subarray(detected.bomLength));
  if (sampleText.trim() === '') throw usageError(`${path} is empty: a header row and at least one row are needed`);
  const firstLine = sampleText.replace(/^\s*\n/, '').split(/\r\n|\r|\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(firstLine);

  const parser = parse({
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const skipped: CsvRow[] = [];
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    skipped.push({ line: err.lines ?? 0, error: describeParseError(err), raw: '', fatal: FATAL_PARSE_ERRORS.has(err.code ?? '') });
  });
  createReadStream(path, { highWaterMark: SAMPLE_BYTES })
    .on('error', (err) => parser.destroy(err))
    .pipe(new DecodeToText(detected.encoding, detected.bomLength))
    .pipe(parser);

  const iterator = records(parser, skipped);
  const first = await iterator.next();
  if (first.done || first.value.error !== undefined) {
    throw usageError(`${path} has no readable header row`);
  }
  const headers = cleanHeaders(first.value.values);
  return { headers, delimiter, encoding: detected.encoding, rows: rowsAgainst(path, headers, iterator) };
}

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw usageError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw usageError(`${path} is a directory, not a CSV file`);
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Yields parsed records with their start line; parse errors arrive as rows in order. */
async function* records(parser: Parser, skipped: CsvRow[]): AsyncGenerator<CsvRow> {
  let lastEnd = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length > 0) {
      const row = skipped.shift()!;
      yield { ...row, line: Math.min(row.line, lastEnd + 1) || row.line };
    }
    let breaks = 0;
    for (const field of record) if (field.includes('\n')) breaks += field.split('\n').length - 1;
    lastEnd = info.lines;
    yield { line: info.lines - breaks, values: record };
  }
  for (const row of skipped.splice(0)) yield { ...row, line: lastEnd + 1 };
}

async function* rowsAgainst(path: string, headers: string[], iterator: AsyncGenerator<CsvRow>): AsyncGenerator<CsvRow> {
  for await (const row of { [Symbol.asyncIterator]: () => iterator }) {
    if (row.error !== undefined) {
      if (row.fatal) throw usageError(`${path} line ${row.line}: ${row.error}, so the rest of the file cannot be read; nothing was planned`);
      yield row;
      continue;
    }
    let values = row.values;
    if (values.every((v) => v.trim() === '')) continue; // a line of bare delimiters counts as blank
    if (values.length > headers.length && values.slice(headers.length).every((v) => v.trim() === '')) {
      values = values.slice(0, headers.length); // trailing empty cells, as spreadsheets export them
    }
    if (values.length !== headers.length) {
      yield { line: row.line, error: `has ${values.length} fields, the header has ${headers.length}`, raw: values.join(',') };
      continue;
    }
    yield { line: row.line, values };
  }
}

function cleanHeaders(raw: string[]): string[] {
  return raw.map((h, i) => h.replace(/^\uFEFF/, '').trim() || `column_${i + 1}`);
}

function describeParseError(err: Error & { code?: string }): string {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted field starts here and is never closed';
  if (err.code === 'CSV_MAX_RECORD_SIZE') return `a record starts here and runs past ${MAX_RECORD_CHARS / 1024 / 1024} MB (an unclosed quote?)`;
  return err.message.replace(/\s+/g, ' ').slice(0, 160);
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}
