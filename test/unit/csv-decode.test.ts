import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding, sepLineDelimiter, Utf8Or1252 } from '../../src/csv/csv-decode.js';

/** Decodes `bytes` fed in the given chunk sizes (cycled), as a file stream would. */
function decodeInChunks(bytes: Buffer, sizes: number[]): string {
  const d = new Utf8Or1252();
  let out = '';
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    out += d.decode(bytes.subarray(at, at + size), false);
    at += size;
  }
  return out + d.decode(Buffer.alloc(0), true);
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('Utf8Or1252', () => {
  it('decodes valid UTF-8 the same whatever the chunk boundaries (multi-byte sequences cut anywhere)', () => {
    const text = 'Chloé Müller → 日本 😀 €,+1\n'.repeat(3);
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7, 64]) expect(decodeInChunks(bytes, [size])).toBe(text);
  });

  it('reads bytes that are not UTF-8 as Windows-1252, per character, in a mixed file', () => {
    const bytes = Buffer.concat([
      Buffer.from('Chloé,'),
      latin1('Chlo\xe9 M\xfcller,'),
      Buffer.from([0x80, 0x93, 0x94, 0x96, 0x97]),
      Buffer.from(' Zoë'),
    ]);
    const expected = 'Chloé,Chloé Müller,€“”–— Zoë';
    expect(decodeInChunks(bytes, [1000])).toBe(expected);
    for (const size of [1, 2, 3]) expect(decodeInChunks(bytes, [size])).toBe(expected);
  });

  it('follows WHATWG windows-1252 for the five undefined bytes (C1 controls, as Windows does)', () => {
    expect(decodeInChunks(Buffer.from([0x81, 0x8d, 0x8f, 0x90, 0x9d]), [10])).toBe('\u0081\u008d\u008f\u0090\u009d');
  });

  it('decodes a sequence truncated at the end of the file byte by byte as 1252', () => {
    expect(decodeInChunks(Buffer.from([0x41, 0xc3]), [1])).toBe('AÃ');
    expect(decodeInChunks(Buffer.from([0x41, 0xe2, 0x82]), [2])).toBe('Aâ‚');
    expect(decodeInChunks(Buffer.from([0xf0, 0x9f, 0x98]), [3])).toBe('ðŸ˜');
  });

  it('treats overlong forms, surrogates and a cut sequence followed by ASCII as 1252 bytes', () => {
    expect(decodeInChunks(Buffer.from([0xc0, 0x80]), [5])).toBe('À€');
    expect(decodeInChunks(Buffer.from([0xed, 0xa0, 0x80]), [1])).toBe('\u00ed\u00a0\u20ac'); // 0xA0 is a no-break space
    expect(decodeInChunks(Buffer.from([0xe2, 0x82, 0x41]), [1])).toBe('â‚A');
  });
});

describe('detectEncoding', () => {
  it('recognizes BOMs', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toEqual({ encoding: 'utf-16le', bomLength: 2 });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toEqual({ encoding: 'utf-16be', bomLength: 2 });
  });

  it('recognizes UTF-16 without a BOM from the zero high bytes of ASCII text', () => {
    const le = Buffer.from('name,phone\nJosé,+14155550100\n', 'utf16le');
    expect(detectEncoding(le)).toEqual({ encoding: 'utf-16le', bomLength: 0 });
    expect(detectEncoding(Buffer.from(le).swap16())).toEqual({ encoding: 'utf-16be', bomLength: 0 });
    expect(detectEncoding(le.subarray(0, le.length - 1))).toEqual({ encoding: 'utf-16le', bomLength: 0 }); // cut sample
  });

  it('refuses NUL bytes that are not UTF-16 text', () => {
    expect(detectEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]))).toBeNull();
    expect(detectEncoding(Buffer.from('name,phone\nAna\0,1\n'))).toBeNull();
    expect(detectEncoding(Buffer.from('name\0\0,phone', 'utf16le'))).toBeNull(); // a zero code unit
  });
});

describe('delimiters', () => {
  it.each([
    ['sep=;', ';'],
    ['SEP=,', ','],
    ['sep=\t', '\t'],
    ['sep=\\t', '\t'],
    ['Sep=|', '|'],
    ['sep=;;', null],
    ['name,sep=;', null],
    ['sep=x', null],
  ])('reads the Excel line %j', (line, expected) => {
    expect(sepLineDelimiter(line)).toBe(expected);
  });

  it('detects | only when no other delimiter occurs outside quotes', () => {
    expect(detectDelimiter('name|phone|city')).toBe('|');
    expect(detectDelimiter('a|b|c,phone')).toBe(',');
    expect(detectDelimiter('a|b|c;phone')).toBe(';');
    expect(detectDelimiter('"a,b"|phone')).toBe('|');
    expect(detectDelimiter('phone')).toBe(',');
  });
});
