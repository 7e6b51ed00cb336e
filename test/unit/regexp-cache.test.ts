// biome-ignore-all lint/complexity/useRegexLiterals: this file tests what `new RegExp(source)` returns
// The cache replaces the global RegExp of the thread it is installed in (the normalizing worker);
// vitest runs each test file in its own worker, so installing it here touches only this file.
import { describe, expect, it } from 'vitest';
import { normalizePhone, toCountryCode } from '../../src/core/phone.js';
import { installRegExpCache } from '../../src/threads/regexp-cache.js';

const SAMPLES: [string, string | undefined][] = [
  ['+1 (415) 201-4567', undefined],
  ['415-201-4567', 'US'],
  ['011 44 7400 123456', 'US'],
  ['00972 50-234-5678', 'IL'],
  ['050-234-5678', 'IL'],
  ['+52 1 55 1234 5678', undefined],
  ['+86 138 0013 8000', undefined],
  ['0151 23456789', 'DE'],
  ['+91 98765 43210', undefined],
  ['12345', 'US'],
  ['not a number', 'US'],
  ['+999 1234567', undefined],
  ['2019194729.0', 'US'],
  ['14152014567', undefined],
  ['+44 20 7946 0958', undefined],
  ['(212) 555-0187', 'US'],
  ['+33 6 12 34 56 78', 'FR'],
];
const all = () => SAMPLES.map(([raw, cc]) => normalizePhone(raw, cc ? toCountryCode(cc)! : undefined));

describe('installRegExpCache', () => {
  const before = all();
  installRegExpCache();

  it('normalizes exactly as without it', () => {
    expect(all()).toEqual(before);
    expect(all()).toEqual(before); // and again, from the cache
  });

  it('shares one compiled instance per flagless source, and nothing else', () => {
    expect(new RegExp('^(?:a+)$')).toBe(new RegExp('^(?:a+)$'));
    expect(new RegExp('a', 'g')).not.toBe(new RegExp('a', 'g'));
    const re = new RegExp('b');
    expect(re).toBeInstanceOf(RegExp);
    expect(re.test('abc')).toBe(true);
    expect(RegExp('c').test('c')).toBe(true); // called without new
    class Tagged extends RegExp {}
    const t = new Tagged('d');
    expect(t).toBeInstanceOf(Tagged);
    expect(t).not.toBe(new Tagged('d'));
  });
});
