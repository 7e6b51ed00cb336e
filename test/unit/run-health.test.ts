import { describe, expect, it } from 'vitest';
import { RunHealth } from '../../src/core/engine/run-health.js';
import type { SendOutcome } from '../../src/core/sender.js';

const throttled: SendOutcome = {
  kind: 'error',
  httpStatus: 400,
  errorClass: 'throttle',
  code: 130429,
  title: 'Rate limit hit',
  detail: null,
  retryAfterMs: null,
  fbtraceId: null,
};
const accepted: SendOutcome = { kind: 'accepted', httpStatus: 200, wamid: 'w', messageStatus: null };
const unanswered: SendOutcome = { kind: 'unknown', detail: 'headers timeout' };
const unreachable: SendOutcome = { kind: 'unreachable', detail: 'ECONNREFUSED' };

describe('RunHealth', () => {
  it('gives up after --max-wait of nothing but throttling; any other answer resets the clock', () => {
    const h = new RunHealth({ maxWaitMs: 1000, unansweredStreak: 3 });
    h.observe(throttled, true, 0);
    expect(h.stopReason(999)).toBeNull();
    h.observe(accepted, false, 500);
    expect(h.stopReason(1500)).toBeNull();
    h.observe(throttled, true, 600);
    expect(h.stopReason(1600)).toMatch(/only throttling errors \(error 130429 Rate limit hit\) for 1 s/);
  });

  it('says when --max-wait runs out, so the run wakes up on time', () => {
    const h = new RunHealth({ maxWaitMs: 1000, unansweredStreak: 3 });
    expect(h.nextCheckAt()).toBeNull();
    h.observe(throttled, true, 200);
    expect(h.nextCheckAt()).toBe(1200);
    h.observe(accepted, false, 300);
    expect(h.nextCheckAt()).toBeNull();
  });

  it('gives up after --max-wait without reaching the API at all', () => {
    const h = new RunHealth({ maxWaitMs: 1000, unansweredStreak: 3 });
    h.observe(unreachable, false, 0);
    expect(h.stopReason(999)).toBeNull();
    h.observe(unreachable, false, 500);
    expect(h.stopReason(1000)).toMatch(/cannot reach the API for 1 s, more than --max-wait: ECONNREFUSED/);
  });

  it('stops after a streak of unanswered requests; an answer or an unsent request does not extend it', () => {
    const h = new RunHealth({ maxWaitMs: 1000, unansweredStreak: 3 });
    h.observe(unanswered, false, 0);
    h.observe(unanswered, false, 0);
    h.observe(accepted, false, 0);
    h.observe(unanswered, false, 0);
    h.observe(unreachable, false, 0);
    h.observe(unanswered, false, 0);
    expect(h.stopReason(0)).toBeNull();
    h.observe(unanswered, false, 0);
    expect(h.stopReason(0)).toMatch(/stopped answering: 3 requests in a row got no answer \(headers timeout\)/);
  });
});
