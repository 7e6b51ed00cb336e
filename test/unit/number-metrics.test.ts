// Per-number metrics rows: which numbers, which profile label, which daily limit.
import { describe, expect, it } from 'vitest';
import type { MetricsFacts } from '../../src/core/journal.js';
import { type ConfiguredNumber, numberRows, numberSamples } from '../../src/core/number-metrics.js';
import type { BroadcastState, BroadcastStatus } from '../../src/core/types.js';

type NumberFacts = MetricsFacts['numbers'][number];
const facts = (sender: string, profile: string | null, x: Partial<NumberFacts> = {}): NumberFacts => ({
  sender,
  profile,
  sent5m: 0,
  failed5m: 0,
  reached24h: 0,
  ...x,
});
const conf = (profile: string, phoneNumberId: string, dailyLimit: number | null = null): ConfiguredNumber => ({
  profile,
  phoneNumberId,
  dailyLimit,
});
/** Only what the rows read of a status. */
const status = (number: string, state: BroadcastState) => ({ sending_number: number, state }) as BroadcastStatus;

describe('numberRows', () => {
  it.each([
    ['the latest broadcast profile wins over the config file', facts('111', 'b'), [conf('a', '111')], 'b'],
    ['without one, the first config profile of the number', facts('111', null), [conf('x', '222'), conf('a', '111')], 'a'],
    ['neither: ""', facts('111', null), [conf('x', '222')], ''],
  ])('profile label: %s', (_name, f, configured, profile) => {
    expect(numberRows([f], [], configured).find((r) => r.number === '111')!.profile).toBe(profile);
  });

  it.each([
    ['the labelled profile sets one', [conf('a', '111', 50), conf('b', '111', 10)], 'a', 50],
    [
      'the labelled profile sets none: the lowest of the number',
      [conf('a', '111'), conf('b', '111', 30), conf('c', '111', 20)],
      'a',
      20,
    ],
    ['the label comes from a broadcast of a profile the file no longer has', [conf('b', '111', 30)], 'gone', 30],
    ['no profile of the number sets one', [conf('a', '111'), conf('z', '999', 5)], 'a', null],
  ])('daily limit: %s', (_name, configured, profile, limit) => {
    expect(numberRows([facts('111', profile)], [], configured)[0]!.dailyLimit).toBe(limit);
  });

  it('lists the numbers sent from and the configured ones, sorted; counts live broadcasts per number', () => {
    const rows = numberRows(
      [facts('sandbox', null, { sent5m: 4, failed5m: 1, reached24h: 9 }), facts('111', 'a')],
      [status('111', 'running'), status('111', 'running'), status('111', 'completed'), status('sandbox', 'paused')],
      [conf('c', '333', 100)],
    );
    expect(rows).toEqual([
      { number: '111', profile: 'a', sent5m: 0, failed5m: 0, reached24h: 0, dailyLimit: null, active: 2 },
      { number: '333', profile: 'c', sent5m: 0, failed5m: 0, reached24h: 0, dailyLimit: 100, active: 0 },
      { number: 'sandbox', profile: '', sent5m: 4, failed5m: 1, reached24h: 9, dailyLimit: null, active: 0 },
    ]);
  });
});

describe('numberSamples', () => {
  it('limit and ratio only for numbers with a limit; every series labelled number and profile', () => {
    const samples = numberSamples([facts('111', 'a', { reached24h: 30 }), facts('222', 'b')], [], [conf('a', '111', 120)]);
    const byName = Object.fromEntries(samples.map((s) => [s.name, s]));
    expect(Object.keys(byName)).toEqual([
      'wa_send_number_sent_5m',
      'wa_send_number_failed_5m',
      'wa_send_number_daily_reached',
      'wa_send_number_daily_limit',
      'wa_send_number_daily_limit_used_ratio',
      'wa_send_active_broadcasts',
    ]);
    for (const s of samples) expect(s.labels).toEqual(['number', 'profile']);
    expect(byName.wa_send_number_daily_reached!.values).toHaveLength(2);
    expect(byName.wa_send_number_daily_limit!.values).toEqual([{ labels: { number: '111', profile: 'a' }, value: 120 }]);
    expect(byName.wa_send_number_daily_limit_used_ratio!.values).toEqual([
      { labels: { number: '111', profile: 'a' }, value: 0.25 },
    ]);
  });
});
