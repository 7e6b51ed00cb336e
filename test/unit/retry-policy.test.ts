import { describe, expect, it } from 'vitest';
import { decide } from '../../src/core/engine/retry-policy.js';
import type { ErrorClass, SendOutcome } from '../../src/core/sender.js';

const opts = { maxAttempts: 3, baseMs: 1000, capMs: 60_000 };
const err = (errorClass: ErrorClass, code: number, retryAfterMs: number | null = null): SendOutcome => ({
  kind: 'error',
  httpStatus: 400,
  errorClass,
  code,
  title: 't',
  detail: null,
  retryAfterMs,
  fbtraceId: null,
});
const half = () => 0.5;

describe('decide', () => {
  it('accepted → sent', () => {
    expect(decide({ kind: 'accepted', httpStatus: 200, wamid: 'w', messageStatus: null }, 1, 0, opts, 0, half).state).toBe(
      'sent',
    );
  });

  it('unknown stays unknown (never re-sent automatically)', () => {
    expect(decide({ kind: 'unknown', detail: 'timeout' }, 1, 0, opts, 0, half)).toMatchObject({
      state: 'unknown',
      nextAttemptAt: null,
    });
  });

  it('unreachable: retried, the attempt does not count, the network is flagged', () => {
    expect(decide({ kind: 'unreachable', detail: 'ECONNREFUSED' }, 3, 0, opts, 0, half)).toMatchObject({
      state: 'retry',
      attemptsDelta: -1,
      networkDown: true,
    });
  });

  it('retryable: full-jitter exponential backoff, then failed when attempts run out', () => {
    expect(decide(err('retryable', 131000), 1, 0, opts, 0, half)).toMatchObject({ state: 'retry', nextAttemptAt: 500 });
    expect(decide(err('retryable', 131000), 2, 0, opts, 0, half)).toMatchObject({ state: 'retry', nextAttemptAt: 1000 });
    expect(decide(err('retryable', 131000), 2, 0, opts, 0, () => 0.999)).toMatchObject({ nextAttemptAt: 1998 });
    expect(decide(err('retryable', 131000), 3, 0, opts, 0, half)).toMatchObject({ state: 'failed', errorClass: 'retryable' });
  });

  it('backoff is capped', () => {
    expect(decide(err('retryable', 2), 30, 0, { ...opts, maxAttempts: 99 }, 0, () => 0.999)!.nextAttemptAt).toBeLessThanOrEqual(
      60_000,
    );
  });

  it('throttle does not spend an attempt and honours Retry-After', () => {
    expect(decide(err('throttle', 130429, 7000), 5, 0, opts, 0, half)).toMatchObject({
      state: 'retry',
      attemptsDelta: -1,
      nextAttemptAt: 7000,
      throttle: true,
    });
    expect(decide(err('throttle', 130429), 5, 0, opts, 0, half)).toMatchObject({
      state: 'retry',
      attemptsDelta: -1,
      nextAttemptAt: 1500,
    });
  });

  it('131056 retries only that recipient after 4^x seconds', () => {
    expect(decide(err('pair_rate', 131056), 1, 0, opts, 0, half).nextAttemptAt).toBe(1000);
    expect(decide(err('pair_rate', 131056), 2, 2, opts, 0, half).nextAttemptAt).toBe(16_000);
  });

  it('permanent and payload errors fail the row', () => {
    expect(decide(err('permanent', 131026), 1, 0, opts, 0, half)).toMatchObject({ state: 'failed', errorClass: 'permanent' });
    expect(decide(err('payload', 132000), 1, 0, opts, 0, half)).toMatchObject({ state: 'failed', errorClass: 'payload' });
  });

  it('131050 skips the row and records an opt-out', () => {
    expect(decide(err('opted_out', 131050), 1, 0, opts, 0, half)).toMatchObject({ state: 'skipped', optOut: true });
  });

  it('131049 fails the row and defers any retry by 24 hours', () => {
    expect(decide(err('defer_24h', 131049), 1, 0, opts, 1000, half)).toMatchObject({
      state: 'failed',
      nextAttemptAt: 1000 + 86_400_000,
    });
  });

  it('run-wide errors put the row back to pending and halt', () => {
    expect(decide(err('halt', 190), 1, 0, opts, 0, half)).toMatchObject({ state: 'pending', attemptsDelta: -1, halt: true });
  });

  it('code 1 gets at most 3 attempts', () => {
    expect(decide(err('retryable', 1), 3, 0, { ...opts, maxAttempts: 10 }, 0, half).state).toBe('failed');
  });
});
