import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WaSendError } from '../../src/core/errors.js';
import { type CsvRow, openCsv } from '../../src/csv/csv.js';

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
    expect(rows).toEqual([
      { line: 2, values: ['Ana', '+14152014567'] },
      { line: 3, values: ['Bo', '+14152014568'] },
    ]);
  });

  it('strips a UTF-8 BOM and keeps non-ASCII text', async () => {
    const { headers, rows } = await read('\uFEFFnäme,phone\nChloé,1\n');
    expect(headers).toEqual(['näme', 'phone']);
    expect(rows[0]).toMatchObject({ values: ['Chloé', '1'] });
  });

  it.each([
    [';', 'name;phone;city\nA;1;x\n'],
    ['\t', 'name\tphone\nA\t1\n'],
    [',', 'name,phone\nA,1\n'],
  ])('detects the %j delimiter', async (d, text) => {
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
    expect(rows).toEqual([
      { line: 3, values: ['A', '1'] },
      { line: 6, values: ['B', '2'] },
    ]);
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

  it('decodes Windows-1252 text that first appears after the first 64 KB (no guessing from a sample)', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `Person ${i},+1415${String(2000000 + i).padStart(7, '0')}`).join('\n');
    const content = Buffer.concat([
      Buffer.from(`name,phone\n${ascii}\n`),
      Buffer.from('Chlo\xe9 M\xfcller \x93Ana\x94 \x80,+14155550100\n', 'latin1'),
    ]);
    expect(content.indexOf(0xe9)).toBeGreaterThan(64 * 1024);
    const { rows } = await read(content);
    expect(rows.at(-1)).toEqual({ line: 3002, values: ['Chloé Müller “Ana” €', '+14155550100'] });
  });

  it('keeps UTF-8 text right when one stray Windows-1252 byte appears in the file', async () => {
    const content = Buffer.concat([
      Buffer.from('name,phone\nChloé,1\n'),
      Buffer.from('Jos\xe9,2\n', 'latin1'),
      Buffer.from('Zoë,3\n'),
    ]);
    expect((await read(content)).rows.map((r) => r.error ?? r.values[0])).toEqual(['Chloé', 'José', 'Zoë']);
  });

  it('decodes a UTF-8 character cut by the 64 KB read boundary', async () => {
    const pad = 'x'.repeat(64 * 1024 - 'name,phone\n'.length - 1);
    const content = Buffer.from(`name,phone\n${pad}é,1\n`); // é's two bytes sit on both sides of the boundary
    expect(content[64 * 1024 - 1]).toBe(0xc3);
    expect((await read(content)).rows[0]).toMatchObject({ values: [`${pad}é`, '1'] });
  });

  it('refuses a NUL byte anywhere in the file, naming its line', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `Person ${i},+1415${String(2000000 + i).padStart(7, '0')}`).join('\n');
    const content = `name,phone\n${ascii}\nNul\u0000Name,+14155550100\nB,2\n`;
    expect(content.indexOf('\u0000')).toBeGreaterThan(64 * 1024); // past the head that is checked up front
    const err = await read(content).catch((e: unknown) => e);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(/line 3002 contains a NUL byte: not a text CSV file/);
  });

  it('refuses a U+0000 in a UTF-16 file, naming its line', async () => {
    const text = `name,phone\r\n${'A,1\r\n'.repeat(20000)}Nul\u0000,2\r\n`;
    const err = await read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/line 20002 contains a NUL byte/);
  });

  it('reads UTF-16 saved without a BOM, little- and big-endian', async () => {
    const le = Buffer.from('name\tphone\r\nJosé\t+14155550100\r\n', 'utf16le');
    expect((await read(le)).rows).toEqual([{ line: 2, values: ['José', '+14155550100'] }]);
    expect((await read(Buffer.from(le).swap16())).rows).toEqual([{ line: 2, values: ['José', '+14155550100'] }]);
  });

  it.each([
    ['sep=;', ';'],
    ['SEP=|', '|'],
    ['sep=\t', '\t'],
    ['sep=,', ','],
  ])('uses and skips an Excel %j first line, counting it as line 1', async (sepLine, d) => {
    const { headers, delimiter, rows } = await read(`${sepLine}\r\nname${d}phone\r\n\r\nAna${d}1\r\n`);
    expect(delimiter).toBe(d);
    expect(headers).toEqual(['name', 'phone']);
    expect(rows).toEqual([{ line: 4, values: ['Ana', '1'] }]);
  });

  it('refuses a file that is only a sep= line as empty', async () => {
    expect(((await read('sep=;\n').catch((e: unknown) => e)) as Error).message).toMatch(/is empty/);
  });

  it('detects | as the delimiter when the header uses no other', async () => {
    const { headers, rows } = await read('name|phone\nAna|1\n');
    expect(headers).toEqual(['name', 'phone']);
    expect(rows).toEqual([{ line: 2, values: ['Ana', '1'] }]);
  });

  it('refuses a file where an unclosed quote swallows the rows up to a stray quote, naming both lines', async () => {
    // The tester's case: row 12 opens a quote it never closes, row 22 has a stray quote. Read with relax_quotes
    // alone, lines 12-22 became one recipient whose name held ten other customers' names and numbers.
    const person = (i: number) => `Person ${i},+141520100${String(i).padStart(2, '0')}`;
    const lines = ['name,phone', ...Array.from({ length: 30 }, (_, i) => person(i))];
    lines[11] = '"Person 10,+14152010010';
    lines[21] = 'Per"son 20,+14152010020';
    const err = await read(`${lines.join('\n')}\n`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toMatch(
      /line 12: a quoted field starts here and its closing quote on line 22 is followed by "s".*lines 12-22 do not pair up.*nothing was planned/,
    );
  });

  it('refuses a record over several lines whose quotes do not pair up even when the bad quote is on its first line', async () => {
    const err = await read('name,note,phone\n"Ana"x,"12 Main St\nApt 4",1\nBo,,2\n').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /line 2: a quoted field starts here and its closing quote is followed by "x".*lines 2-3/,
    );
  });

  it('reads multi-line quoted fields (with delimiters and doubled quotes) and the rows after them', async () => {
    const content =
      'name,address,phone\n"Ana ""Nana"" Souza","12 Main St, Apt 4\nSpringfield, IL\n""Back door""",+14155550100\n' +
      'Bo,"",+14155550101\n"Xu, Li","""",+14155550102\n';
    const { rows } = await read(content);
    expect(rows).toEqual([
      { line: 2, values: ['Ana "Nana" Souza', '12 Main St, Apt 4\nSpringfield, IL\n"Back door"', '+14155550100'] },
      { line: 5, values: ['Bo', '', '+14155550101'] },
      { line: 6, values: ['Xu, Li', '"', '+14155550102'] },
    ]);
  });

  it('reads stray quotes inside unquoted fields as text', async () => {
    const { rows } = await read('name,phone\nO"Brien,1\nSam "The Man",2\n5" screen",3\n');
    expect(rows).toEqual([
      { line: 2, values: ['O"Brien', '1'] },
      { line: 3, values: ['Sam "The Man"', '2'] },
      { line: 4, values: ['5" screen"', '3'] },
    ]);
  });

  it('makes a quoted field followed by garbage a malformed row, and reads on from the next line', async () => {
    const { rows } = await read(
      'name,phone\nAna,+14155550100\n"Ana"x,+14155550101\n\n"Doc" Smith,+14155550102\nBo,+14155550103\n',
    );
    expect(rows[0]).toEqual({ line: 2, values: ['Ana', '+14155550100'] });
    expect(rows[1]).toMatchObject({
      line: 3,
      error: expect.stringMatching(/^the quoted field "Ana" is followed by "x" instead of a delimiter/),
      raw: '"Ana"x,+14155550101',
    });
    expect(rows[2]).toMatchObject({ line: 5, error: expect.stringMatching(/"Doc" is followed by " "/) });
    expect(rows[3]).toEqual({ line: 6, values: ['Bo', '+14155550103'] });
  });

  it('names the line an unclosed quote starts on after blank lines and multi-line records', async () => {
    const err = await read('name,phone\n"A\nB",1\n\n\n"C,2\nD,3\n').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/line 6: a quoted field starts here and is never closed/);
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
