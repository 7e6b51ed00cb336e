// Flag value parsers shared by commands. Each throws a usage error naming the flag.

import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { usageError } from '../core/errors.js';

export function positiveInt(flag: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? '≥ 1' : `from 1 to ${max}`;
      throw new InvalidArgumentError(`${flag} must be a whole number ${range}, got "${value}"`);
    }
    return n;
  };
}

export function nonNegativeInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} must be a whole number ≥ 0, got "${value}"`);
    }
    return n;
  };
}

export function percent(flag: string) {
  return (value: string): number => {
    const text = value.trim().replace(/%$/, '');
    const n = Number(text);
    // The regex keeps out what Number() would also accept: 0x10, 1e1, Infinity.
    if (!/^\d+(\.\d+)?$/.test(text) || n > 100) {
      throw new InvalidArgumentError(`${flag} must be a percentage between 0 and 100, got "${value}"`);
    }
    return n;
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "5m", "1h30m", "250ms" or a bare number of seconds → milliseconds. */
export function parseDurationMs(value: string): number | null {
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

export function duration(flag: string) {
  return (value: string): number => {
    const ms = parseDurationMs(value);
    if (ms === null) throw new InvalidArgumentError(`${flag} must be a duration like 90s, 5m or 1h, got "${value}"`);
    return ms;
  };
}

/** For repeatable flags: commander calls this with each value and the list so far. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The text of the file a flag names; an unreadable one is a usage error naming the flag. */
export function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
