import { describe, expect, it } from 'vitest';
import { RateGate } from '../../src/core/engine/rate-gate.js';

/** Drives the gate with a virtual clock as the engine would, returning the start times. */
function simulate(gate: RateGate, durationMs: number, onStart?: (t: number) => void): number[] {
  const starts: number[] = [];
  let t = 0;
  while (t < durationMs) {
    const n = gate.available(t);
    for (let i = 0; i < n; i++) {
      gate.take(t);
      starts.push(t);
      onStart?.(t);
    }
    t += Math.max(0.25, gate.waitMs(t));
  }
  return starts;
}

function maxInWindow(starts: number[], windowMs = 1000): number {
  let best = 0;
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RateGate', () => {
  it.each([1, 7, 50, 80, 1000])(
    'never lets more than %i requests start in any 1-second window, and sustains ≥ 97%% of it',
    (rate) => {
      const starts = simulate(new RateGate({ maxRate: rate }), 10_000);
      expect(maxInWindow(starts)).toBeLessThanOrEqual(rate);
      expect(starts.length / 10).toBeGreaterThanOrEqual(rate * 0.97 - 1);
    },
  );

  it('paces instead of bursting the whole second at once (at most a 50 ms burst)', () => {
    const starts = simulate(new RateGate({ maxRate: 1000 }), 1000);
    expect(maxInWindow(starts, 100)).toBeLessThanOrEqual(50 + 100);
  });

  it('keeps a wider window while connections warm up, so late first requests cannot bunch into one second', () => {
    const starts = simulate(new RateGate({ maxRate: 1000 }), 3000);
    expect(
      maxInWindow(
        starts.filter((t) => t < 1500),
        1060,
      ),
    ).toBeLessThanOrEqual(1000);
    expect(
      maxInWindow(
        starts.filter((t) => t >= 1500),
        1020,
      ),
    ).toBeLessThanOrEqual(1000);
  });

  it('counts a start from when its request was written: one that waited for its connection cannot bunch with the next second', () => {
    // Every 10th request of the first second leaves 80 ms late (a connection being set up).
    const writtenTimes = (report: boolean): number[] => {
      const gate = new RateGate({ maxRate: 100, marginMs: 0, warmupMarginMs: 0 });
      const written: number[] = [];
      let n = 0;
      for (let t = 0; t < 5000; t += Math.max(0.25, gate.waitMs(t))) {
        for (let i = gate.available(t); i > 0; i--) {
          const ticket = gate.take(t);
          const at = t + (n++ % 10 === 0 && t < 1000 ? 80 : 0);
          if (report) gate.markWritten(ticket, at);
          written.push(at);
        }
      }
      return written.sort((x, y) => x - y);
    };
    expect(maxInWindow(writtenTimes(false))).toBeGreaterThan(100); // counting from the decision is not enough
    const written = writtenTimes(true);
    expect(written.length).toBeGreaterThan(450);
    expect(maxInWindow(written)).toBeLessThanOrEqual(100);
  });

  it('ignores a written time for a slot that a newer start has taken over', () => {
    const gate = new RateGate({ maxRate: 1, marginMs: 0, warmupMarginMs: 0 });
    const first = gate.take(0);
    expect(gate.available(1000)).toBe(1);
    gate.take(1000);
    gate.markWritten(first, 1500); // far too late: it must not move the newer start
    expect(gate.waitMs(1000)).toBe(1000);
  });

  it('slows down on throttling and recovers gradually', () => {
    const gate = new RateGate({ maxRate: 100 });
    const before = gate.currentRate;
    gate.onThrottle(0, null);
    expect(gate.currentRate).toBeLessThan(before * 0.8);
    gate.onThrottle(10, null); // the same burst of errors counts once
    expect(gate.currentRate).toBeCloseTo(before * 0.7, 5);
    simulate(gate, 1500);
    expect(gate.currentRate).toBeCloseTo(before * 0.7, 5); // no recovery within 2 s of a throttle
    simulate(gate, 2500);
    expect(gate.currentRate).toBeGreaterThan(before * 0.7);
    simulate(gate, 12_000);
    expect(gate.currentRate).toBeCloseTo(before, 5);
  });

  it('keeps slowing down while the throttling goes on (no equilibrium at a fraction of --rate)', () => {
    const gate = new RateGate({ maxRate: 100 });
    for (let t = 0; t <= 10_000; t += 1000) {
      gate.available(t);
      gate.onThrottle(t, null);
    }
    expect(gate.currentRate).toBeLessThan(5);
  });

  it('honours Retry-After: nothing starts before it', () => {
    const gate = new RateGate({ maxRate: 100 });
    gate.onThrottle(0, 2000);
    expect(gate.available(1999)).toBe(0);
    expect(gate.waitMs(1000)).toBe(1000);
    expect(gate.available(2000)).toBeGreaterThan(0);
  });
});
