import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsv, type CsvRow } from '../../src/core/csv.js';
import { WaSendError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'wa-csv-'));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, content);
  return path;
}

async function read(content: string | Buffer): Promise<{ headers: string[]; delimiter: string; rows: CsvRow[] }> {
  const src = await openCsv(file(content));
  const rows: CsvRow[] = [];
  for await (const r of src.rows) rows.push(r);
  return { headers: src.headers, delimiter: src.delimiter, rows };
}

describe('openCsv', () => {
  it('reads a plain file with the line each record starts on', async () => {
    const { headers, rows } = await read('name,phone\nAna,+14152014567\nBo,+14152014568\n');
    expect(headers).toEqual(['name', 'phone']);
    expect(rows).toEqual([{ line: 2, values: ['Ana', '+14152014567'] }, { line: 3, values: ['Bo', '+14152014568'] }]);
  });

  it('strips a UTF-8 BOM and keeps non-ASCII text', async () => {
    const { headers, rows } = await read('\uFEFFnäme,phone\nChloé,1\n');
    expect(headers).toEqual(['näme', 'phone']);
    expect(rows[0]).toMatchObject({ values: ['Chloé', '1'] });
  });

  it.each([[';', 'name;phone;city\nA;1;x\n'], ['\t', 'name\tphone\nA\t1\n'], [',', 'name,phone\nA,1\n']])('detects the %j delimiter', async (d, text) => {
    expect((await read(text)).delimiter).toBe(d);
  });

  it('ignores a delimiter inside a quoted header cell when detecting', async () => {
    expect((await read('"last; first",phone\n"Doe; J",1\n')).delimiter).toBe(',');
  });

  it('handles quoted fields with embedded newlines and quotes, CRLF, and counts lines right', async () => {
    const { rows } = await read('name,phone\r\n"Ana\r\nSouza",1\r\n"Xu ""Sam"" Lin",2\r\nBo,3\r\n');
    expect(rows).toEqual([
      { line: 2, values: ['Ana\nSouza', '1'] },
      { line: 4, values: ['Xu "Sam" Lin', '2'] },
      { line: 5, values: ['Bo', '3'] },
    ]);
  });

  it('skips blank lines and lines of bare delimiters, keeping line numbers true', async () => {
    const { rows } = await read('name,phone\n\nA,1\n,\n\nB,2');
    expect(rows).toEqual([{ line: 3, values: ['A', '1'] }, { line: 6, values: ['B', '2'] }]);
  });

  it('turns ragged rows into errors, not crashes; trailing empty cells are fine', async () => {
    const { rows } = await read('name,phone\nA,1,extra\nB\nC,3,,\n');
    expect(rows[0]).toMatchObject({ line: 2, error: 'has 3 fields, the header has 2' });
    expect(rows[1]).toMatchObject({ line: 3, error: 'has 1 fields, the header has 2' });
    expect(rows[2]).toEqual({ line: 4, values: ['C', '3'] });
  });

  it('refuses a file whose quote never closes, naming the line: the rows after it would be lost', async () => {
    const rest = Array.from({ length: 500 }, (_, i) => `C${i},${i}`).join('\n');
    const err = await read(`name,phone\nA,1\n"B,2\n${rest}\n`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(/line 3: a quoted field starts here and is never closed.*nothing was planned/);
  });

  it('refuses a record that runs past 1 MB instead of buffering the rest of the file', async () => {
    const huge = 'x'.repeat(1100 * 1024);
    const err = await read(`name,phone\nA,1\n"${huge},2\nC,3\n`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/line 3: a record starts here and runs past 1 MB/);
  });

  it('accepts a stray quote inside an unquoted field', async () => {
    const { rows } = await read('name,phone\nO"Brien,1\n');
    expect(rows[0]).toEqual({ line: 2, values: ['O"Brien', '1'] });
  });

  it('decodes UTF-16LE with BOM (Excel "Unicode text") and Windows-1252', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name\tphone\r\nJosé\t1\r\n', 'utf16le')]);
    expect((await read(utf16)).rows[0]).toMatchObject({ values: ['José', '1'] });
    const latin1 = Buffer.from('name,phone\nJos\xe9,1\n', 'latin1');
    expect((await read(latin1)).rows[0]).toMatchObject({ values: ['José', '1'] });
  });

  it.each([
    ['an empty file', '', /is empty/],
    ['a file of blank lines', '\n\n  \n', /is empty/],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), /not a text CSV file/],
  ])('refuses %s with a usage error', async (_name, content, message) => {
    const err = await openCsv(file(content)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a missing file with a usage error', async () => {
    const err = await openCsv(join(dir, 'nope.csv')).catch((e: unknown) => e);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(/no such file/);
  });
});
