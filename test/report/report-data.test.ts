import { describe, expect, it } from 'vitest';
import {
  countryName,
  countryOfPhone,
  errorAction,
  histogramOf,
  latencyStats,
  maskPhone,
  percentile,
  percentileFromHistogram,
  stateMeaning,
} from '../../src/core/report-data.js';
import { BROADCAST_STATES } from '../../src/core/types.js';

describe('maskPhone', () => {
  it.each([
    ['+14155552671', '+1 415 ••• 2671'],
    ['+35312345678', '+353 1 ••• 5678'],
    ['+4915123456789', '+49 1512 ••• 6789'],
    ['+5511987654321', '+55 11 ••• 4321'],
    ['+525512345678', '+52 55 ••• 5678'],
    ['+79123456789', '+7 912 ••• 6789'],
    ['+5491123456789', '+54 9 ••• 6789'],
    ['+8613812345678', '+86 138 ••• 5678'],
    // Keeping the first group and the last 4 would hide fewer than 3 digits (2, 2, 1, none):
    // the first group goes too.
    ['+447400123456', '+44 ••• 3456'],
    ['+4930123456', '+49 ••• 3456'],
    ['+919876543210', '+91 ••• 3210'],
    ['+3546111234', '+354 ••• 1234'],
    // One group after the country code: only the last digits stay.
    ['+861381234567', '+86 ••• 4567'],
    // Short national numbers (Niue, St Helena) keep only their last 2 digits.
    ['+6837012', '+683 ••• 12'],
    ['+29022123', '+290 ••• 23'],
    // Not a possible number: first 3 and last 2 characters.
    ['+999123456789', '+99•••89'],
    ['not a phone', 'not•••ne'],
    ['+123', '•••'],
    ['', '•••'],
  ])('%s → %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });

  it('never shows the digits it hides', () => {
    for (const phone of ['+14155552671', '+447400123456', '+4915123456789', '+3546111234']) {
      const masked = maskPhone(phone);
      const shown = masked.replace(/\D/g, '');
      expect(shown.length).toBeLessThanOrEqual(phone.length - 1 - 3);
    }
  });
});

describe('countries', () => {
  it('reads the country from the number, ?? when it has none', () => {
    expect(countryOfPhone('+525512345678')).toBe('MX');
    expect(countryOfPhone('+80012345678')).toBe('??');
    expect(countryName('MX')).toBe('Mexico');
    expect(countryName('??')).toBe('Unknown country');
  });
});

describe('percentiles and histograms', () => {
  it('nearest rank over a sorted array', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('latencyStats sorts, counts every value once and keeps the max', () => {
    const s = latencyStats([90_000, 500, 1500, 1500, 7_000_000_000]);
    expect(s).not.toBeNull();
    expect(s!.count).toBe(5);
    expect(s!.p50Ms).toBe(1500);
    expect(s!.maxMs).toBe(7_000_000_000);
    expect(s!.histogram.reduce((n, b) => n + b.count, 0)).toBe(5);
    // Beyond the last bound: one more bucket, labelled with the real maximum.
    expect(s!.histogram[s!.histogram.length - 1]).toEqual({ upToMs: 7_000_000_000, count: 1 });
    expect(latencyStats([])).toBeNull();
  });

  it('histogramOf drops empty buckets at the end only', () => {
    expect(histogramOf([1500, 1800], [1000, 2000, 5000])).toEqual([
      { upToMs: 1000, count: 0 },
      { upToMs: 2000, count: 2 },
    ]);
  });

  it('percentileFromHistogram interpolates inside the bucket and never passes the max', () => {
    const h = [
      { upToMs: 1000, count: 50 },
      { upToMs: 2000, count: 50 },
    ];
    expect(percentileFromHistogram(h, 50, 1900)).toBe(1000);
    expect(percentileFromHistogram(h, 75, 1900)).toBe(1500);
    expect(percentileFromHistogram(h, 100, 1900)).toBe(1900);
    expect(percentileFromHistogram([], 50, 0)).toBe(0);
  });
});

describe('wording', () => {
  it('every state has a one-sentence meaning', () => {
    for (const state of BROADCAST_STATES) expect(stateMeaning(state)).toMatch(/^[a-z].{10,}[^.]$/);
    expect(stateMeaning('halted')).toBe('a run-wide error stopped it; fix the cause, then resume');
  });

  it('every code has an action, unknown ones say so', () => {
    expect(errorAction(131026)).toMatch(/another way/);
    expect(errorAction(190)).toMatch(/new access token/);
    expect(errorAction(250)).toBe(errorAction(200));
    expect(errorAction(999_999)).toMatch(/Not an error wa-send knows/);
    expect(errorAction(null)).toMatch(/No error code/);
  });
});
