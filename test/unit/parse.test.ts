import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDurationMs, percent, positiveInt } from '../../src/cli/parse.js';

const refuses = (fn: () => unknown) => expect(fn).toThrow(InvalidArgumentError);

describe('flag parsers', () => {
  it('percent takes plain decimals 0–100 only', () => {
    const p = percent('--max-invalid');
    expect(p('20')).toBe(20);
    expect(p('20.5%')).toBe(20.5);
    expect(p('0')).toBe(0);
    for (const bad of ['0x10', '1e1', 'Infinity', '-5', '101', 'abc', '']) refuses(() => p(bad));
  });

  it('positiveInt enforces its range', () => {
    const c = positiveInt('--concurrency', 1000);
    expect(c('1000')).toBe(1000);
    refuses(() => c('1001'));
    refuses(() => c('0'));
    refuses(() => c('1.5'));
    expect(() => c('100000')).toThrow(/from 1 to 1000/);
  });

  it('durations', () => {
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('5x')).toBeNull();
  });
});
