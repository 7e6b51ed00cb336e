// Streaming CSV reading: header row required, each record with the line it starts on. Rows broken on
// their own (ragged, a bad quote within one line) come back as error rows (malformed_row); when the rows
// after an error cannot be trusted (a quote never closed or swallowing other rows, a NUL byte) reading
// stops with a usage error naming the line: nothing is planned from a half-read file.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import { type Parser, parse } from 'csv-parse';
import { usageError } from '../core/errors.js';
import type { CsvRow, RecipientSource } from '../core/recipient-source.js';
import {
  countNewlines,
  DecodeToText,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  sepLineDelimiter,
  type TextEncoding,
} from './csv-decode.js';

export type { CsvRow };

export interface CsvSource extends RecipientSource {
  delimiter: string;
  encoding: TextEncoding;
}

export interface OpenCsvOptions {
  /** The name to show and store (default: the file's base name). */
  name?: string;
  /** The hash, when the bytes were already hashed (piped input copied to a temp file). */
  sha256?: Promise<string>;
}

const SAMPLE_BYTES = 64 * 1024;
/** No real recipient row comes near this; a record that does is an unclosed quote eating the file. */
const MAX_RECORD_CHARS = 1024 * 1024;

export async function openCsv(path: string, opts: OpenCsvOptions = {}): Promise<CsvSource> {
  const label = opts.name ?? path; // what messages call the input (a temp copy of stdin is "stdin")
  const head = await readHead(path, label);
  const detected = detectEncoding(head);
  if (!detected) throw usageError(`${label} is not a text CSV file (it contains NUL bytes)`);
  let sampleText = decodeSample(head, detected);
  // Excel's `sep=;` line names the delimiter; csv-parse skips it (from_line) so line numbers stay the file's.
  const sep = sepLineDelimiter(sampleText.split(/\r\n|\r|\n/, 1)[0] ?? '');
  if (sep !== null) sampleText = sampleText.replace(/^[^\r\n]*(\r\n|\r|\n|$)/, '');
  if (sampleText.trim() === '') throw usageError(`${label} is empty: a header row and at least one row are needed`);
  const firstLine = sampleText.replace(/^\s*\n/, '').split(/\r\n|\r|\n/, 1)[0] ?? '';
  const delimiter = sep ?? detectDelimiter(firstLine);

  const parser = parse({
    delimiter,
    from_line: sep === null ? 1 : 2,
    // The record's text: line numbers are counted from it (cheaper than `info`, which copies an object per
    // record) and it shows how the record's quotes pair up (findBadClosingQuote).
    raw: true,
    relax_column_count: true,
    relax_quotes: true, // O"Brien in an unquoted field stays a value; quotes that do not pair up are caught per record
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  // pipeline: an error anywhere (I/O, a NUL byte, a parse error, the reader stopping) destroys every stream;
  // the reader sees it through the parser's iterator, so the callback has nothing left to do.
  pipeline(createReadStream(path, { highWaterMark: SAMPLE_BYTES }), new DecodeToText(detected, label), parser, () => {});

  const iterator = records(label, parser, delimiter, sep === null ? 0 : 1);
  const first = await iterator.next();
  if (first.done) throw usageError(`${label} has no readable header row`);
  if (first.value.error !== undefined)
    throw usageError(`${label} has no readable header row (line ${first.value.line}: ${first.value.error})`);
  const headers = cleanHeaders(first.value.values);
  let hash: Promise<string> | undefined = opts.sha256;
  return {
    name: opts.name ?? basename(path),
    headers,
    delimiter,
    encoding: detected.encoding,
    rows: rowsAgainst(headers, iterator),
    sha256: () => (hash ??= sha256File(path)),
  };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function readHead(path: string, label: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw usageError(`cannot read ${label}: ${describeFsError(err)}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw usageError(`${label} is a directory, not a CSV file`);
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What csv-parse attaches to its errors (the context of the record being read), as used here. */
type ParseError = Error & { code: string; lines: number; raw?: string };
const isParseError = (err: unknown): err is ParseError =>
  err instanceof Error && typeof (err as ParseError).code === 'string' && (err as ParseError).code.startsWith('CSV_');

/**
 * Yields parsed records with the line each starts on. Lines are counted from the raw text of the records:
 * it holds every character of the file in order (blank lines skipped before a record lead its raw text).
 * The parse errors left with our options (a quote never closed, a record over 1 MB) stop the parser and
 * mean the rest of the file cannot be read: each becomes a usage error naming the line its record starts
 * on, as does a record whose quotes do not pair up across lines.
 */
async function* records(path: string, parser: Parser, delimiter: string, linesBefore: number): AsyncGenerator<CsvRow> {
  let done = linesBefore; // lines fully read so far
  const fail = (line: number, error: string) => usageError(`${path} line ${line}: ${error}; nothing was planned`);
  try {
    for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const skip = leadingNewlines(raw);
      const line = done + 1 + skip;
      const inner = countNewlines(raw, skip, raw.endsWith('\n') ? raw.length - 1 : raw.length); // quoted line breaks
      done = line + inner;
      const bad = raw.includes('"') ? findBadClosingQuote(raw, delimiter) : null;
      if (bad === null) {
        yield { line, values: record };
        continue;
      }
      const after = JSON.stringify(raw[bad.close + 1]);
      if (inner === 0) {
        // One line, one record: the parser is back in step at the line end, only this row is broken.
        const value = raw.slice(bad.open + 1, bad.close).slice(0, 40);
        const error =
          `the quoted field "${value}" is followed by ${after} instead of a delimiter or the end of the line ` +
          '(a value with quotes in it must be quoted whole, its quotes doubled)';
        yield { line, error, raw: raw.trim() };
        continue;
      }
      // The record runs over several lines and its quotes do not pair up: typically an unclosed quote swallowed
      // the rows after it into one field, up to a stray quote further down. Which lines are rows cannot be known.
      const openLine = line + countNewlines(raw, skip, bad.open);
      const closeLine = line + countNewlines(raw, skip, bad.close);
      const where = closeLine === openLine ? '' : ` on line ${closeLine}`;
      throw fail(
        openLine,
        `a quoted field starts here and its closing quote${where} is followed by ${after}, not by a delimiter or the end of the line: ` +
          `the quotes in lines ${line}-${done} do not pair up (an unclosed quote?), so they cannot be split into rows`,
      );
    }
  } catch (err) {
    if (!isParseError(err)) throw err; // ours above, a NUL byte (already usage errors), an I/O error
    // err.lines is the line being read when the parser gave up; the record's raw text so far says where it began.
    const raw = err.raw ?? '';
    throw fail(err.lines - countNewlines(raw, leadingNewlines(raw), raw.length - 1), describeParseError(err));
  }
}

/**
 * The first quoted field in a record's raw text whose closing quote is not followed by the delimiter or a
 * line end, or null. Real exports (Excel, Sheets, Numbers) only quote whole fields and double embedded
 * quotes, so a closed quoted field is always followed by one of those; relax_quotes reads anything else
 * on, which is how an unclosed quote swallows the following rows up to the next stray quote. A quote
 * inside an unquoted field (O"Brien) is literal, as for csv-parse, and is skipped here.
 */
function findBadClosingQuote(raw: string, delimiter: string): { open: number; close: number } | null {
  const n = raw.length;
  let i = 0; // always at the start of a field
  while (i < n) {
    if (raw.charCodeAt(i) === 34) {
      let q = raw.indexOf('"', i + 1);
      while (q !== -1 && raw.charCodeAt(q + 1) === 34) q = raw.indexOf('"', q + 2); // "" is an embedded quote
      if (q === -1) return null; // never closed: csv-parse reports that itself
      const next = raw[q + 1];
      if (next !== undefined && next !== delimiter && next !== '\n') return { open: i, close: q };
      i = q + 2;
    } else {
      const d = raw.indexOf(delimiter, i);
      const nl = raw.indexOf('\n', i);
      const end = d === -1 ? nl : nl === -1 ? d : Math.min(d, nl);
      if (end === -1) return null;
      i = end + 1;
    }
  }
  return null;
}

function leadingNewlines(raw: string): number {
  let n = 0;
  while (raw.charCodeAt(n) === 10) n++;
  return n;
}

async function* rowsAgainst(headers: string[], iterator: AsyncGenerator<CsvRow>): AsyncGenerator<CsvRow> {
  for await (const row of iterator) {
    if (row.error !== undefined) {
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

function describeParseError(err: ParseError): string {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED')
    return 'a quoted field starts here and is never closed, so the rest of the file cannot be read';
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return `a record starts here and runs past ${MAX_RECORD_CHARS / 1024 / 1024} MB (an unclosed quote?), so the rest of the file cannot be read`;
  }
  return err.message.replace(/\s+/g, ' ').slice(0, 160);
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}
