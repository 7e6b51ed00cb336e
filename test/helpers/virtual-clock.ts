// Virtual time for the engine and the use cases: sleep() registers a timer; run() lets every
// microtask and I/O callback settle, then jumps to the next timer, until the work is done. A run
// that takes minutes of virtual time finishes in milliseconds, and the same inputs give the same
// schedule.
import type { Clock } from '../../src/core/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 10, 26, 9, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, wake?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (wake?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      wake?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by ms (firing the timers on the way). */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (next === undefined || next.at > until) break;
      this.fire(next);
    }
    this.t = until;
  }

  /** A stall (the process stopped, a long GC): time moves on at once; timers due by then fire next. */
  jump(ms: number): void {
    this.t += ms;
  }

  /** Runs `work` to completion on virtual time. */
  async run<T>(work: Promise<T>, maxVirtualMs = 24 * 3600_000): Promise<T> {
    let done = false;
    let failure: unknown;
    let value: T | undefined;
    work.then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = true;
        failure = e ?? new Error('rejected');
      },
    );
    const limit = this.t + maxVirtualMs;
    for (;;) {
      await settle();
      if (done) break;
      const next = this.earliest();
      if (next === undefined) throw new Error('virtual clock: the work waits for something that is not a timer');
      if (next.at > limit) throw new Error(`virtual clock: still running after ${maxVirtualMs} ms of virtual time`);
      this.fire(next);
    }
    if (failure !== undefined) throw failure;
    return value as T;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.resolve();
  }
}

/** Lets pending promise callbacks and immediate callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
