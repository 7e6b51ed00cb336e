// RateGate: caps how many requests START per second (DESIGN §5); concurrency is a separate gate.
// Two mechanisms: a token bucket paces starts evenly at the current (adaptive) rate, and a ring
// of the last `maxRate` start times guarantees that no sliding window of 1 s + margin holds more
// than `maxRate` starts, whatever the pacing does. The margin absorbs the jitter between our start
// time and the moment the API sees the request.

export interface RateGateOptions {
  /** --rate: the hard cap of starts in any 1-second window. */
  maxRate: number;
  /** Extra width of the window, ms (default 20). */
  marginMs?: number;
}

const THROTTLE_FACTOR = 0.7;
const RECOVERY_STEP = 0.1; // of maxRate, per second without throttling
const MAX_PAUSE_MS = 5 * 60_000;

export class RateGate {
  readonly maxRate: number;
  private readonly windowMs: number;
  private readonly ring: Float64Array;
  private head = 0;
  private rate: number;
  private tokens: number;
  private tokensAt = -Infinity;
  private pausedUntil = 0;
  private lastThrottleAt = -Infinity;
  private lastRecoveryAt = 0;

  constructor(opts: RateGateOptions) {
    this.maxRate = opts.maxRate;
    this.windowMs = 1000 + (opts.marginMs ?? 20);
    this.ring = new Float64Array(Math.max(1, Math.floor(opts.maxRate))).fill(-Infinity);
    this.rate = this.paceFor(opts.maxRate);
    this.tokens = this.burst();
  }

  /** The rate the gate paces at now (starts per second). */
  get currentRate(): number { return this.rate; }

  /** How many requests may start right now (0 when none). */
  available(now: number): number {
    if (now < this.pausedUntil) return 0;
    this.refill(now);
    let windowFree = 0;
    for (let i = 0; i < this.ring.length; i++) {
      if (now - this.ring[(this.head + i) % this.ring.length]! < this.windowMs) break;
      windowFree++;
    }
    return Math.min(Math.floor(this.tokens), windowFree);
  }

  /** Milliseconds until at least one start is allowed (0 = now). */
  waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    this.refill(now);
    const tokenWait = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
    const oldest = this.ring[this.head]!;
    const windowWait = Math.max(0, oldest + this.windowMs - now);
    return Math.max(tokenWait, windowWait);
  }

  /** Records one start. Call only when available(now) > 0. */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
    this.ring[this.head] = now;
    this.head = (this.head + 1) % this.ring.length;
  }

  /** A throughput error (130429, 4, 80007, HTTP 429): slow down, and stop until Retry-After. */
  onThrottle(now: number, retryAfterMs: number | null): void {
    if (retryAfterMs !== null && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(retryAfterMs, MAX_PAUSE_MS));
    if (now - this.lastThrottleAt < 1000) return; // one cut per second: a burst of errors is one signal
    this.lastThrottleAt = now;
    this.lastRecoveryAt = now;
    this.rate = Math.max(1, this.rate * THROTTLE_FACTOR);
    this.tokens = Math.min(this.tokens, 1);
  }

  /** Stops all starts for a while (network down, maintenance). */
  pause(now: number, ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(ms, MAX_PAUSE_MS));
  }

  private refill(now: number): void {
    const top = this.paceFor(this.maxRate);
    if (this.rate < top && now - this.lastRecoveryAt >= 1000) {
      this.rate = Math.min(top, this.rate + this.maxRate * RECOVERY_STEP);
      this.lastRecoveryAt = now;
    }
    if (this.tokensAt !== -Infinity) this.tokens = Math.min(this.burst(), this.tokens + ((now - this.tokensAt) * this.rate) / 1000);
    this.tokensAt = now;
  }

  /** Pacing slightly under maxRate so that the hard window cap rarely has to bind. */
  private paceFor(rate: number): number { return (rate * 1000) / this.windowMs; }

  /** Up to 20 ms worth of starts at once: smooth enough, and few timer wake-ups at high rates. */
  private burst(): number { return Math.max(1, Math.ceil(this.rate / 50)); }
}
