import { describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/io.js';

describe('printable', () => {
  it('keeps a terminal safe from escape sequences quoted out of a hostile CSV', () => {
    expect(printable('tel\u001b[2J\u001b]0;pwned\u0007')).toBe('tel\\x1b[2J\\x1b]0;pwned\\x07');
    expect(printable('a\u009bb\u007f')).toBe('a\\x9bb\\x7f');
  });

  it('makes one line of several', () => {
    expect(printable('one\r\ntwo\nthree\rfour\u2028five')).toBe('one two three four five');
  });

  it('bounds the length and keeps ordinary text, non-ASCII included', () => {
    expect(printable('Chloé Müller — 名前')).toBe('Chloé Müller — 名前');
    const long = printable('x'.repeat(10_000));
    expect(long).toHaveLength(2000);
    expect(long.endsWith('…')).toBe(true);
  });
});
