import { describe, expect, it } from 'vitest';
import { PayloadHaltCheck } from '../../src/core/payload-halt.js';
import type { AttemptRecord } from '../../src/core/send-store.js';

let id = 0;
function result(code: number | null, errorClass: string): AttemptRecord {
  id++;
  const outcome = code === null
    ? { kind: 'accepted' as const, httpStatus: 200, wamid: `w${id}`, messageStatus: null }
    : { kind: 'error' as const, httpStatus: 400, errorClass: errorClass as 'payload', code, title: 'Invalid parameter', detail: 'bad', retryAfterMs: null, fbtraceId: null };
  return {
    recipient: { id, broadcastId: 'b', phone: `+1415201${4000 + id}`, vars: {}, attempts: 1, recipientKey: `b:${id}` },
    startedAt: 0, finishedAt: 1, outcome,
    decision: { state: code === null ? 'sent' : 'failed', nextAttemptAt: null, attemptsDelta: 0, errorClass: code === null ? null : errorClass },
  };
}

describe('PayloadHaltCheck', () => {
  it('halts once the first n results all fail with the same payload error, naming it and the rows to requeue', () => {
    const check = new PayloadHaltCheck(3);
    const rs = [result(132000, 'payload'), result(132000, 'payload'), result(132000, 'payload')];
    expect(check.observe(rs[0]!)).toBeNull();
    expect(check.observe(rs[1]!)).toBeNull();
    const halt = check.observe(rs[2]!);
    expect(halt?.reason).toMatch(/first 3 requests all failed with error 132000 Invalid parameter: bad/);
    expect(halt?.requeue).toEqual(rs.map((r) => r.recipient.id));
    expect(check.observe(result(132000, 'payload'))).toBeNull(); // only the first n count
  });

  it.each([
    ['one success among them', [result(100, 'payload'), result(null, ''), result(100, 'payload')]],
    ['different payload codes', [result(100, 'payload'), result(132000, 'payload'), result(100, 'payload')]],
    ['per-recipient errors', [result(131026, 'permanent'), result(131026, 'permanent'), result(131026, 'permanent')]],
  ])('does not halt on %s', (_name, rs) => {
    const check = new PayloadHaltCheck(3);
    expect(rs.map((r) => check.observe(r))).toEqual([null, null, null]);
  });

  it('is off with n = 0', () => {
    const check = new PayloadHaltCheck(0);
    expect(check.observe(result(100, 'payload'))).toBeNull();
  });
});
