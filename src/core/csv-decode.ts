// Turning a CSV file's bytes into text: BOM and encoding detection, a clear refusal for files that
// are not text, and line endings normalized to \n so csv-parse counts lines the way editors do.
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Looks at the first bytes of a file. Returns null when it is not text (NUL bytes without a UTF-16 BOM). */
export function detectEncoding(head: Buffer): { encoding: TextEncoding; bomLength: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (head.includes(0)) return null;
  try {
    // A cut multi-byte character at the end of the sample is not an error: decode in stream mode.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return { encoding: 'utf-8', bomLength: 0 };
  } catch {
    return { encoding: 'windows-1252', bomLength: 0 }; // what spreadsheet exports on Windows write
  }
}

/** Bytes → string chunks, CRLF and lone CR → LF (a CR at a chunk end waits for the next chunk). */
export class DecodeToText extends Transform {
  private readonly decoder: TextDecoder;
  private skip: number;
  private pendingCR = false;

  constructor(encoding: TextEncoding, bomLength: number) {
    super({ readableObjectMode: true });
    this.decoder = new TextDecoder(encoding);
    this.skip = bomLength;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let bytes = chunk;
    if (this.skip > 0) {
      const cut = Math.min(this.skip, bytes.length);
      bytes = bytes.subarray(cut);
      this.skip -= cut;
    }
    this.emitText(this.decoder.decode(bytes, { stream: true }));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.emitText(this.decoder.decode());
    if (this.pendingCR) this.push('\n');
    done();
  }

  private emitText(text: string): void {
    if (text === '') return;
    let t = this.pendingCR ? `\r${text}` : text;
    this.pendingCR = t.endsWith('\r');
    if (this.pendingCR) t = t.slice(0, -1);
    if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
    if (t !== '') this.push(t);
  }
}

/** Picks , ; or tab: whichever occurs most in the header line outside quotes (ties → comma). */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}
