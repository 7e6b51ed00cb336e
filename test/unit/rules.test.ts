// The domain rules of src/core/rules, as tables: no journal, no adapter.
import { describe, expect, it } from 'vitest';
import type { PreferenceEvent, StatusEvent } from '../../src/core/delivery-events.js';
import { deriveState, openCount, type StateFacts } from '../../src/core/rules/broadcast-state.js';
import { type DeliveryRow, statusEffect } from '../../src/core/rules/delivery.js';
import { canonical } from '../../src/core/rules/key-reuse.js';
import { latestPreference } from '../../src/core/rules/preferences.js';
import { type EligibilityRow, isEligible, type RetrySelection } from '../../src/core/rules/retry-eligibility.js';
import { type StateCounts, zeroStateCounts } from '../../src/core/types.js';

const counts = (c: Partial<StateCounts>): StateCounts => ({ ...zeroStateCounts(), ...c });

describe('deriveState (DESIGN §6)', () => {
  const base: StateFacts = { stored: 'open', leaseLive: false, counts: counts({}), attempted: false, failedUnaccepted: 0 };
  it.each<[string, Partial<StateFacts>, string]>([
    ['cancelled wins over everything', { stored: 'cancelled', leaseLive: true, counts: counts({ pending: 3 }) }, 'cancelled'],
    ['a live lease is running', { leaseLive: true, counts: counts({ pending: 3 }) }, 'running'],
    ['halted', { stored: 'halted', counts: counts({ pending: 3 }), attempted: true }, 'halted'],
    ['nothing attempted yet', { counts: counts({ pending: 3 }) }, 'planned'],
    ['open rows after attempts', { counts: counts({ pending: 2, sent: 1 }), attempted: true }, 'paused'],
    ['retries waiting', { counts: counts({ retry: 1, sent: 1 }), attempted: true }, 'paused'],
    ['all accepted', { counts: counts({ sent: 1, delivered: 1, read: 1 }), attempted: true }, 'completed'],
    [
      'a delivery failure after acceptance is still completed',
      { counts: counts({ sent: 1, failed: 1 }), attempted: true },
      'completed',
    ],
    [
      'a send failure makes it partial',
      { counts: counts({ sent: 1, failed: 1 }), attempted: true, failedUnaccepted: 1 },
      'partial',
    ],
    ['unknown rows make it partial', { counts: counts({ sent: 1, unknown: 1 }), attempted: true }, 'partial'],
    ['nothing accepted is failed', { counts: counts({ failed: 2 }), attempted: true, failedUnaccepted: 2 }, 'failed'],
    ['only skipped rows: completed', { counts: counts({ skipped: 2 }), attempted: true }, 'completed'],
  ])('%s', (_name, facts, state) => {
    expect(deriveState({ ...base, ...facts })).toBe(state);
  });

  it('open rows are pending, retry and sending', () => {
    expect(openCount(counts({ pending: 1, retry: 2, sending: 3, sent: 9, unknown: 9 }))).toBe(6);
  });
});

describe('statusEffect (DESIGN §3 rule 5)', () => {
  const row = (state: DeliveryRow['state'], extra: Partial<DeliveryRow> = {}): DeliveryRow => ({
    state,
    wamid: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    ...extra,
  });
  const ev = (status: StatusEvent['status'], ts: number | null = 100): StatusEvent => ({
    kind: 'status',
    wamid: 'w.1',
    status,
    timestampMs: ts,
    recipientPhones: [],
    callbackData: null,
    error: status === 'failed' ? { code: 131026, title: 'Message undeliverable', detail: null, errorClass: 'permanent' } : null,
  });
  it.each<[string, DeliveryRow, StatusEvent, string, Record<string, unknown>?]>([
    ['a row in flight waits for its answer', row('sending'), ev('read'), 'waiting'],
    ["a skipped row stays skipped (the operator's decision)", row('skipped'), ev('read'), 'ignored'],
    [
      'sent → delivered',
      row('sent', { wamid: 'w.1', sentAt: 50 }),
      ev('delivered'),
      'forward',
      { state: 'delivered', deliveredAt: 100, sentAt: 50 },
    ],
    [
      'read without delivered sets both',
      row('sent', { wamid: 'w.1', sentAt: 50 }),
      ev('read'),
      'forward',
      { deliveredAt: 100, readAt: 100 },
    ],
    [
      'an older delivered after read keeps read, earliest time',
      row('read', { wamid: 'w.1', sentAt: 1, deliveredAt: 200, readAt: 200 }),
      ev('delivered', 150),
      'forward',
      { state: 'read', deliveredAt: 150, readAt: 200 },
    ],
    [
      'a duplicate changes nothing',
      row('delivered', { wamid: 'w.1', sentAt: 100, deliveredAt: 100 }),
      ev('delivered'),
      'unchanged',
    ],
    ['sent never goes back', row('delivered', { wamid: 'w.1', sentAt: 100, deliveredAt: 100 }), ev('sent'), 'unchanged'],
    ['failed applies over sent', row('sent', { wamid: 'w.1', sentAt: 1 }), ev('failed'), 'failed', { failedAt: 100 }],
    ['failed never over delivered', row('delivered', { wamid: 'w.1', sentAt: 1, deliveredAt: 2 }), ev('failed'), 'unchanged'],
    [
      'delivered over a delivery failure',
      row('failed', { wamid: 'w.1', sentAt: 1 }),
      ev('delivered'),
      'forward',
      { state: 'delivered' },
    ],
    [
      'an unknown row is settled and cleared',
      row('unknown'),
      ev('delivered'),
      'forward',
      { state: 'delivered', wamid: 'w.1', clearError: true },
    ],
    ['a send failure is proven wrong by any status', row('failed'), ev('sent'), 'forward', { state: 'sent', clearError: true }],
    ['no timestamp: now', row('sent', { wamid: 'w.1', sentAt: 5 }), ev('delivered', null), 'forward', { deliveredAt: 999 }],
  ])('%s', (_name, r, e, kind, fields = {}) => {
    const effect = statusEffect(r, e, 999);
    expect(effect.kind).toBe(kind);
    expect(effect).toMatchObject(fields);
  });
});

describe('latestPreference', () => {
  const p = (value: 'stop' | 'resume', t: number | null): PreferenceEvent => ({
    kind: 'preference',
    waId: '1',
    phones: ['+1'],
    value,
    timestampMs: t,
    detail: null,
  });
  it.each<[string, PreferenceEvent[], string | null]>([
    ['none', [], null],
    ['the newest wins', [p('stop', 1), p('resume', 3), p('stop', 2)], 'resume'],
    ['on a tie, stop wins', [p('resume', 5), p('stop', 5)], 'stop'],
    ['on a tie, stop wins (other order)', [p('stop', 5), p('resume', 5)], 'stop'],
    ['no time counts as oldest', [p('stop', null), p('resume', 1)], 'resume'],
  ])('%s', (_name, events, value) => {
    expect(latestPreference(events)?.value ?? null).toBe(value);
  });
});

describe('isEligible (retry-failed)', () => {
  const row = (state: string, errorClass: string | null, extra: Partial<EligibilityRow> = {}): EligibilityRow => ({
    state,
    errorClass,
    nextAttemptAt: null,
    retryRounds: 0,
    ...extra,
  });
  it.each<[string, EligibilityRow, RetrySelection, boolean]>([
    ['a retryable error that ran out of attempts', row('failed', 'retryable'), {}, true],
    ['an answer that was not a Cloud API error', row('failed', 'unexpected'), {}, true],
    ['a permanent error: only with --all-errors', row('failed', 'permanent'), {}, false],
    ['a permanent error with --all-errors', row('failed', 'permanent'), { allErrors: true }, true],
    ['a payload error with --all-errors', row('failed', 'payload'), { allErrors: true }, true],
    ['131049 before its 24 h', row('failed', 'defer_24h', { nextAttemptAt: 2000 }), {}, false],
    ['131049 after its 24 h', row('failed', 'defer_24h', { nextAttemptAt: 500 }), {}, true],
    [
      '131049 is never taken early, even with --all-errors',
      row('failed', 'defer_24h', { nextAttemptAt: 2000 }),
      { allErrors: true },
      false,
    ],
    ['an opted-out row never', row('failed', 'opted_out'), { allErrors: true, includeUnknown: true }, false],
    ['unknown only with --include-unknown', row('unknown', 'unknown'), {}, false],
    ['unknown with --include-unknown', row('unknown', 'unknown'), { includeUnknown: true }, true],
    ['sent rows never', row('sent', null), { allErrors: true, includeUnknown: true }, false],
    ['the sweep leaves rows alone after its rounds', row('failed', 'retryable', { retryRounds: 3 }), { maxRounds: 3 }, false],
    ['the sweep takes rows with rounds left', row('failed', 'retryable', { retryRounds: 2 }), { maxRounds: 3 }, true],
  ])('%s', (_name, r, sel, eligible) => {
    expect(isEligible(r, sel, 1000)).toBe(eligible);
  });
});

describe('canonical (a key means one request)', () => {
  it('ignores key order, keeps array order and values', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe(canonical({ a: { c: 'x', d: [2, 1] }, b: 1 }));
    expect(canonical({ a: [1, 2] })).not.toBe(canonical({ a: [2, 1] }));
  });
});
