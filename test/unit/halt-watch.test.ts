import { describe, expect, it } from 'vitest';
import { HaltWatch } from '../../src/core/engine/halt-watch.js';
import type { AttemptRecord } from '../../src/core/journal.js';
import type { ErrorClass } from '../../src/core/sender.js';

let id = 0;
function result(code: number | null, errorClass: ErrorClass | '', httpStatus = 400): AttemptRecord {
  id++;
  const outcome =
    code === null && errorClass === ''
      ? { kind: 'accepted' as const, httpStatus: 200, wamid: `w${id}`, messageStatus: null }
      : {
          kind: 'error' as const,
          httpStatus,
          errorClass: errorClass as ErrorClass,
          code,
          title: 'Invalid parameter',
          detail: 'bad',
          retryAfterMs: null,
          fbtraceId: null,
        };
  return {
    recipient: {
      id,
      broadcastId: 'b',
      phone: `+1415201${4000 + id}`,
      vars: {},
      attempts: 1,
      recipientKey: `b:${id}`,
      pairRateHits: 0,
    },
    startedAt: 0,
    finishedAt: 1,
    outcome,
    decision: {
      state: outcome.kind === 'accepted' ? 'sent' : 'failed',
      nextAttemptAt: null,
      attemptsDelta: 0,
      errorClass: errorClass || null,
    },
  };
}

const watch = (payloadAfter: number, unexpectedAfter = 0) => new HaltWatch({ payloadAfter, unexpectedAfter });

describe('HaltWatch: payload errors', () => {
  it('halts once the first n results all fail with the same payload error, naming it and the rows to requeue', () => {
    const check = watch(3);
    const rs = [result(132000, 'payload'), result(132000, 'payload'), result(132000, 'payload')];
    expect(check.observe(rs[0]!)).toBeNull();
    expect(check.observe(rs[1]!)).toBeNull();
    const halt = check.observe(rs[2]!);
    expect(halt?.reason).toMatch(/first 3 requests all failed with error 132000 Invalid parameter: bad/);
    expect(halt?.requeue).toEqual(rs.map((r) => r.recipient.id));
    const late = result(132000, 'payload');
    expect(check.observe(late)).toBeNull(); // decided once
    expect(check.matchesHalt(late)).toBe(true); // but an answer in flight with the same error goes back too
    expect(check.matchesHalt(result(131026, 'permanent'))).toBe(false);
  });

  it.each([
    ['one success among them', () => [result(100, 'payload'), result(null, ''), result(100, 'payload')]],
    ['different payload codes', () => [result(100, 'payload'), result(132000, 'payload'), result(100, 'payload')]],
    ['per-recipient errors', () => [result(131026, 'permanent'), result(131026, 'permanent'), result(131026, 'permanent')]],
  ])('does not halt on %s', (_name, rs) => {
    const check = watch(3);
    expect(rs().map((r) => check.observe(r))).toEqual([null, null, null]);
  });

  it('is off with n = 0', () => {
    expect(watch(0).observe(result(100, 'payload'))).toBeNull();
  });
});

describe('HaltWatch: answers that are not Cloud API errors', () => {
  it('halts after n identical unexpected answers anywhere in the run, with every such row', () => {
    const check = watch(5, 3);
    const a = result(null, 'unexpected', 407);
    expect(check.observe(a)).toBeNull();
    expect(check.observe(result(null, ''))).toBeNull();
    expect(check.observe(result(null, 'unexpected', 404))).toBeNull(); // another answer: counted apart
    const b = result(null, 'unexpected', 407);
    expect(check.observe(b)).toBeNull();
    const c = result(null, 'unexpected', 407);
    const halt = check.observe(c);
    expect(halt?.reason).toMatch(/3 requests got the same answer that is not a Cloud API error/);
    expect(halt?.requeue).toEqual([a, b, c].map((r) => r.recipient.id));
  });
});
