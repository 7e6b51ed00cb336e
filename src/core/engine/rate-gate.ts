// RateGate: caps how many requests START per second (DESIGN §5); concurrency is a separate gate.
// Two mechanisms: pacing spaces starts evenly at the current (adaptive) rate and never banks time
// (after a stall or a pause it goes on at the same pace, it does not catch up), and a ring of the
// last `maxRate` start times guarantees that no sliding window of 1 s + margin holds more than
// `maxRate` starts, whatever the pacing does.
//
// What the API counts is when each request reaches it, not when we decided to send it. Two delays
// sit in between and both vary: ours (the socket may still be connecting, the event loop may be
// busy) and the server's (its event loop reading the request). Ours is taken out exactly: each ring
// entry is moved to the moment the request was actually written (markWritten), so a request that
// waited 50 ms for its connection counts from when it left. The margin absorbs the server's side:
// a few ms, more under CPU contention and while connections are being accepted, so the window is
// wider during the first seconds.

export interface RateGateOptions {
  /** --rate: the hard cap of starts in any 1-second window. */
  maxRate: number;
  /** Extra width of the window once warmed up, ms (default 20). */
  marginMs?: number;
  /** Extra width during the first `warmupMs` after the first start (default 60 over 1500 ms). */
  warmupMarginMs?: number;
  warmupMs?: number;
}

/** The window the gate keeps is 1 s + this, once warmed up: room for the server's read delay. */
export const WINDOW_MARGIN_MS = 20;

const THROTTLE_FACTOR = 0.7;
const RECOVERY_STEP = 0.1; // of maxRate, per second without throttling
/** Recovery starts only after this long without a throttling error: under steady throttling the rate keeps falling. */
const RECOVERY_QUIET_MS = 2000;
const MAX_PAUSE_MS = 5 * 60_000;
/**
 * The most pacing may lag behind the clock and still be made up: timers fire late by a
 * millisecond or two, a journal write holds the loop for a few, and at high rates several starts
 * fall due within one wake-up. Anything longer (a stall, a pause) is lost time, not credit. 10 ms
 * was measured against 2 and 25 at --rate 1000 over 100 ± 50 ms: 946 starts/s sustained (921 with
 * 2) and at most 992 in any second at the stand-in (1,000, the cap itself, with 25).
 */
export const SLACK_MS = 10;

export class RateGate {
  readonly maxRate: number;
  private readonly steadyWindowMs: number;
  private readonly warmupWindowMs: number;
  private readonly warmupMs: number;
  private firstStartAt: number | null = null;
  private readonly ring: Float64Array;
  /** Starts so far; start n lives in ring slot n % maxRate until start n + maxRate takes the slot. */
  private nextTicket = 0;
  private head = 0;
  private rate: number;
  /** When the next start is due by pacing. */
  private nextStartAt = -Infinity;
  private pausedUntil = 0;
  private lastThrottleAt = -Infinity;
  private lastRecoveryAt = 0;

  constructor(opts: RateGateOptions) {
    this.maxRate = opts.maxRate;
    this.steadyWindowMs = 1000 + (opts.marginMs ?? WINDOW_MARGIN_MS);
    this.warmupWindowMs = 1000 + (opts.warmupMarginMs ?? 60);
    this.warmupMs = opts.warmupMs ?? 1500;
    this.ring = new Float64Array(Math.max(1, Math.floor(opts.maxRate))).fill(-Infinity);
    this.rate = this.paceFor(opts.maxRate);
  }

  /** The rate the gate paces at now (starts per second). */
  get currentRate(): number {
    return this.rate;
  }

  /** How many requests may start at `now` (0 when none). */
  available(now: number): number {
    return this.availableAt(now, now);
  }

  /** How many requests could start from now until `now + aheadMs` (to claim rows a little ahead). */
  availableWithin(now: number, aheadMs: number): number {
    return this.availableAt(now, now + aheadMs);
  }

  /** Milliseconds until at least one start is allowed (0 = now). */
  waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.recover(now);
    const paceWait = Math.max(0, this.nextStartAt - now);
    const oldest = this.ring[this.head]!;
    const windowWait = Math.max(0, oldest + this.windowAt(now) - now);
    return Math.max(paceWait, windowWait);
  }

  /** Records one start and returns its ticket for markWritten. Call only when available(now) > 0. */
  take(now: number): number {
    this.firstStartAt ??= now;
    this.recover(now);
    this.nextStartAt = Math.max(this.nextStartAt, now - SLACK_MS) + 1000 / this.rate;
    const ticket = this.nextTicket++;
    this.ring[this.head] = now;
    this.head = (this.head + 1) % this.ring.length;
    return ticket;
  }

  /**
   * The request of `ticket` was written to the socket at `at`: from now on the window counts it
   * from then. Entries only move later, so the ring may be out of order; the window count reads
   * expired entries from the oldest and stops at the first live one, which can only under-count.
   */
  markWritten(ticket: number, at: number): void {
    if (this.nextTicket - ticket > this.ring.length) return; // a newer start holds that slot now
    const slot = ticket % this.ring.length;
    if (at > this.ring[slot]!) this.ring[slot] = at;
  }

  /** A throughput error (130429, 4, 80007, HTTP 429): slow down, and stop until Retry-After. */
  onThrottle(now: number, retryAfterMs: number | null): void {
    if (retryAfterMs !== null && retryAfterMs > 0) this.pause(now, retryAfterMs);
    if (now - this.lastThrottleAt < 1000) return; // one cut per second: a burst of errors is one signal
    this.lastThrottleAt = now;
    this.lastRecoveryAt = now;
    this.rate = Math.max(1, this.rate * THROTTLE_FACTOR);
  }

  /** Stops all starts for a while (network down, Retry-After). */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(ms, MAX_PAUSE_MS));
  }

  private availableAt(now: number, until: number): number {
    if (until < this.pausedUntil) return 0;
    this.recover(now);
    const from = Math.max(this.nextStartAt, now - SLACK_MS, this.pausedUntil);
    if (from > until) return 0;
    const paced = Math.floor(((until - from) * this.rate) / 1000) + 1;
    return this.windowFree(until, paced);
  }

  /**
   * Starts the window still allows at `at`, up to `atMost`: ring entries older than the window,
   * counted from the oldest. Stopping at `atMost` keeps this O(starts asked for), not O(--rate): at
   * a high --rate with a slower real pace nearly every entry is expired.
   */
  private windowFree(at: number, atMost: number): number {
    const windowMs = this.windowAt(at);
    const limit = Math.min(atMost, this.ring.length);
    let free = 0;
    for (let i = 0; i < limit; i++) {
      if (at - this.ring[(this.head + i) % this.ring.length]! < windowMs) break;
      free++;
    }
    return free;
  }

  private recover(now: number): void {
    const top = this.paceFor(this.maxRate);
    if (this.rate < top && now - this.lastRecoveryAt >= 1000 && now - this.lastThrottleAt >= RECOVERY_QUIET_MS) {
      this.rate = Math.min(top, this.rate + this.maxRate * RECOVERY_STEP);
      this.lastRecoveryAt = now;
    }
  }

  private windowAt(now: number): number {
    return this.firstStartAt === null || now - this.firstStartAt < this.warmupMs ? this.warmupWindowMs : this.steadyWindowMs;
  }

  /** Pacing slightly under maxRate so that the hard window cap rarely has to bind. */
  private paceFor(rate: number): number {
    return (rate * 1000) / this.steadyWindowMs;
  }
}
