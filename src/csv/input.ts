// A CSV argument as the user gives it: a file, `-` for standard input, or a path that is a pipe
// (/dev/stdin, a FIFO, bash's <(…)). Reading a CSV takes several passes over it (a sample to detect
// the encoding and delimiter, the rows, a hash), which a pipe cannot give: such input is copied
// once into a private temporary file, hashed on the way, and read from there.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { usageError } from '../core/errors.js';
import { type CsvSource, openCsv } from './csv.js';

export interface CsvInput {
  source: CsvSource;
  /** Removes the temporary copy, if one was made. */
  close(): void;
}

/** `stdin` is read only when the argument is `-`. */
export async function openCsvInput(arg: string, stdin: () => Readable): Promise<CsvInput> {
  if (arg === '-') return spool(stdin(), 'stdin');
  if (isPipe(arg)) return spool(createReadStream(arg), basename(arg));
  return { source: await openCsv(arg), close: () => {} };
}

function isPipe(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFIFO() || st.isCharacterDevice() || st.isSocket();
  } catch {
    return false; // openCsv names the problem (no such file, permission denied)
  }
}

async function spool(input: Readable, name: string): Promise<CsvInput> {
  const dir = mkdtempSync(join(tmpdir(), 'wa-send-input-'));
  const path = join(dir, 'input.csv');
  const close = () => rmSync(dir, { recursive: true, force: true });
  const hash = createHash('sha256');
  try {
    input.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(input, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    close();
    throw usageError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { source: await openCsv(path, { name, sha256: Promise.resolve(hash.digest('hex')) }), close };
  } catch (err) {
    close();
    throw err;
  }
}
