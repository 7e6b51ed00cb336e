// Turning a CSV file's bytes into text: BOM and encoding detection, a clear refusal for files that
// are not text, and line endings normalized to \n so csv-parse counts lines the way editors do.
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { usageError } from '../core/errors.js';

/**
 * 'utf-8' means UTF-8 where every byte that is not part of a valid UTF-8 sequence is read as
 * Windows-1252: valid UTF-8 always decodes right, pure 1252 files (Excel on Windows) decode right
 * (1252 text practically never forms valid multi-byte sequences), and so do files that mix both,
 * wherever in the file the other encoding shows up. Guessing one encoding from a sample cannot.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DetectedEncoding {
  encoding: TextEncoding;
  bomLength: number;
}

/** Looks at the first bytes of a file. Returns null when it is not text (NUL bytes, not UTF-16). */
export function detectEncoding(head: Buffer): DetectedEncoding | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (!head.includes(0)) return { encoding: 'utf-8', bomLength: 0 };
  const utf16 = utf16WithoutBom(head);
  return utf16 === null ? null : { encoding: utf16, bomLength: 0 };
}

/**
 * UTF-16 saved without a BOM: a CSV is mostly ASCII (digits, delimiters, newlines), so nearly every
 * code unit has a zero high byte (odd bytes for LE, even for BE) and a non-zero low byte.
 */
function utf16WithoutBom(head: Buffer): 'utf-16le' | 'utf-16be' | null {
  const units = head.length >> 1;
  if (units < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const mostly = (n: number) => n >= units * 0.5;
  const rarely = (n: number) => n <= units * 0.02;
  const guess = mostly(oddZero) && rarely(evenZero) ? 'utf-16le' : mostly(evenZero) && rarely(oddZero) ? 'utf-16be' : null;
  if (guess === null) return null;
  try {
    const text = new TextDecoder(guess, { fatal: true }).decode(head, { stream: true });
    return text.includes('\0') ? null : guess; // a zero code unit is not text in any encoding
  } catch {
    return null; // unpaired surrogates: binary that happens to have the zero pattern
  }
}

/** The text of the file's first bytes, decoded exactly as the whole file will be. */
export function decodeSample(head: Buffer, detected: DetectedEncoding): string {
  return decoderFor(detected)(head.subarray(detected.bomLength), false);
}

/** A streaming decoder for the detected encoding; `final` flushes what a chunk boundary cut. */
function decoderFor(detected: DetectedEncoding): (bytes: Buffer, final: boolean) => string {
  if (detected.encoding === 'utf-8') {
    const d = new Utf8Or1252();
    return (bytes, final) => d.decode(bytes, final);
  }
  const d = new TextDecoder(detected.encoding);
  return (bytes, final) => d.decode(bytes, { stream: !final });
}

/**
 * Windows-1252 for bytes 0x80–0xFF, as WHATWG defines it (0x81 0x8D 0x8F 0x90 0x9D stay C1 controls, as
 * Windows maps them). A table, not TextDecoder('windows-1252'): Node 20's decodes 0x80–0x9F as Latin-1,
 * which turns € and curly quotes into invisible controls.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178' +
  String.fromCharCode(...Array.from({ length: 96 }, (_, i) => 0xa0 + i));

/** Streaming UTF-8 decoder whose invalid bytes become Windows-1252 characters instead of U+FFFD. */
export class Utf8Or1252 {
  private readonly strict = new TextDecoder('utf-8', { fatal: true });
  private carry: Buffer | null = null; // a multi-byte sequence cut by the chunk boundary

  decode(chunk: Buffer, final: boolean): string {
    const bytes = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    const end = final ? bytes.length : completeEnd(bytes);
    this.carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : null;
    try {
      return this.strict.decode(bytes.subarray(0, end)); // fast path: the chunk is valid UTF-8
    } catch {
      return decodeMixed(bytes, end);
    }
  }
}

/** Where a trailing, still incomplete UTF-8 sequence starts (bytes.length when there is none). */
function completeEnd(bytes: Buffer): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i]!;
    if (b < 0x80) return n;
    if (b >= 0xc0) return n - i < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? i : n;
  }
  return n;
}

/** The slow path: valid runs decode as UTF-8, each byte outside a valid sequence as Windows-1252. */
function decodeMixed(bytes: Buffer, end: number): string {
  let out = '';
  let run = 0;
  let i = 0;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = validSequenceLength(bytes, i, end);
    if (len > 0) {
      i += len;
      continue;
    }
    out += bytes.toString('utf8', run, i) + CP1252_HIGH[b - 0x80];
    run = ++i;
  }
  return out + bytes.toString('utf8', run, end);
}

/** Length of the well-formed UTF-8 sequence at i (Unicode table 3-7: no overlongs or surrogates), or 0. */
function validSequenceLength(bytes: Buffer, i: number, end: number): number {
  const b = bytes[i]!;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) len = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    if (b === 0xe0) lo = 0xa0;
    if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    if (b === 0xf0) lo = 0x90;
    if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + len > end) return 0;
  const second = bytes[i + 1]!;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < len; k++) {
    const c = bytes[i + k]!;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return len;
}

/**
 * Bytes → string chunks, CRLF and lone CR → LF (a CR at a chunk end waits for the next chunk).
 * A NUL anywhere is refused (destroying the stream with a usage error naming the line): it means the
 * file is not text, and a NUL must never reach a message.
 */
export class DecodeToText extends Transform {
  private readonly decode: (bytes: Buffer, final: boolean) => string;
  private skip: number;
  private pendingCR = false;
  private linesBefore = 0; // newlines already pushed, to name the line of a NUL

  constructor(
    detected: DetectedEncoding,
    private readonly path: string,
  ) {
    super({ readableObjectMode: true });
    this.decode = decoderFor(detected);
    this.skip = detected.bomLength;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let bytes = chunk;
    if (this.skip > 0) {
      const cut = Math.min(this.skip, bytes.length);
      bytes = bytes.subarray(cut);
      this.skip -= cut;
    }
    done(this.emitText(this.decode(bytes, false)));
  }

  override _flush(done: TransformCallback): void {
    const err = this.emitText(this.decode(Buffer.alloc(0), true));
    if (err === undefined && this.pendingCR) this.push('\n');
    done(err);
  }

  private emitText(text: string): Error | undefined {
    if (text === '') return undefined;
    let t = this.pendingCR ? `\r${text}` : text;
    this.pendingCR = t.endsWith('\r');
    if (this.pendingCR) t = t.slice(0, -1);
    if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
    const nul = t.indexOf('\0');
    if (nul !== -1) {
      const line = this.linesBefore + countNewlines(t, 0, nul) + 1;
      return usageError(`${this.path} line ${line} contains a NUL byte: not a text CSV file; nothing was planned`);
    }
    this.linesBefore += countNewlines(t, 0, t.length);
    if (t !== '') this.push(t);
    return undefined;
  }
}

/** Line breaks in text[from, to). */
export function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let p = text.indexOf('\n', from); p !== -1 && p < to; p = text.indexOf('\n', p + 1)) n++;
  return n;
}

/** Excel's `sep=;` first line: names the delimiter and is not part of the data. */
export function sepLineDelimiter(firstLine: string): string | null {
  const m = /^sep=(,|;|\||\t|\\t)$/i.exec(firstLine);
  if (m === null) return null;
  return m[1] === '\\t' ? '\t' : m[1]!;
}

/**
 * Picks , ; or tab: whichever occurs most in the header line outside quotes (ties → comma).
 * `|` only when none of those occurs: a header such as `a|b,phone` stays comma-separated.
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (d !== '|' && n > counts.get(best)!) best = d;
  return counts.get(best)! === 0 && counts.get('|')! > 0 ? '|' : best;
}
