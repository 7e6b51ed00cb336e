// Request statistics that tests and benchmarks read back. Built for a million requests: arrivals
// live in a compacting Float64Array that only keeps the last second, and the sliding-window maximum
// is updated on every arrival (the busiest 1 s window always ends at an arrival), so it is exact.
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface SandboxStats {
  requests: number;
  accepted: number;
  /** Mark-as-read calls answered {"success":true} (not messages, not in `accepted`). */
  read_receipts: number;
  errors_by_code: Record<string, number>;
  unique_recipients_accepted: number;
  /** Recipient keys (biz_opaque_callback_data, else `to`) accepted more than once. */
  duplicates: { key: string; count: number }[];
  accepted_by_key?: Record<string, number>;
  in_flight: number;
  peak_concurrency: number;
  max_starts_in_1s: number;
  /**
   * The longest the sandbox's event loop ran late while requests were coming in (ms): how late an
   * arrival may have been stamped. Above the rate gate's 20 ms margin for the API's read delay,
   * max_starts_in_1s measures this machine's load as well as the sender.
   */
  max_loop_delay_ms: number;
  /** Wall-clock Unix milliseconds (fractional), null before the first request. */
  first_request_at: number | null;
  last_request_at: number | null;
  webhooks: WebhookStats;
}

export interface WebhookStats {
  enabled: boolean;
  /** POSTs answered 2xx / POST attempts that failed (each retry counts). */
  posts: number;
  post_failures: number;
  /** Distinct status events generated, by status (duplicates not included). */
  events: Record<'sent' | 'delivered' | 'read' | 'failed', number>;
  /** Extra copies of events generated on purpose. */
  duplicates: number;
  /** Status items inside POSTs that got 2xx, copies included: what a receiver should have stored. */
  events_posted: number;
  /** Status items given up on (retries exhausted, reset, or close deadline). */
  events_dropped: number;
  pending: number;
}

const WINDOW_MS = 1000;
const LOOP_SAMPLE_MS = 2;
const SAMPLE_IDLE_MS = 250;

export class StatsRecorder {
  requests = 0;
  accepted = 0;
  readReceipts = 0;
  inFlight = 0;
  private peak = 0;
  private errors = new Map<number, number>();
  private byKey = new Map<string, number>();
  private dups = new Map<string, number>();
  private arrivals = new Float64Array(4096);
  private head = 0;
  private tail = 0;
  private maxWindow = 0;
  private first: number | null = null;
  private last: number | null = null;
  /**
   * A timer every LOOP_SAMPLE_MS while requests are coming in (descheduling shows up as a late timer
   * too), off after SAMPLE_IDLE_MS without one: an idle sandbox costs no wake-ups. A stall can start
   * just after a tick, so the reported figure adds one period: an upper bound.
   */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  private sampling: NodeJS.Timeout | null = null;
  private lastArrivalAt = 0;

  /** Stops the event-loop sampling (the sandbox is closing). */
  stop(): void {
    this.stopSampling();
  }

  private sample(now: number): void {
    this.lastArrivalAt = now;
    if (this.sampling !== null) return;
    this.loopDelay.enable();
    this.sampling = setInterval(() => {
      if (performance.now() - this.lastArrivalAt > SAMPLE_IDLE_MS) this.stopSampling();
    }, SAMPLE_IDLE_MS);
    this.sampling.unref();
  }

  private stopSampling(): void {
    if (this.sampling === null) return;
    clearInterval(this.sampling);
    this.sampling = null;
    this.loopDelay.disable();
  }

  /** Records a request's arrival; returns how many arrived in the last second, this one included. */
  arrive(): number {
    const now = performance.now();
    this.requests++;
    if (++this.inFlight > this.peak) this.peak = this.inFlight;
    if (this.first === null) this.first = now;
    this.sample(now);
    this.last = now;
    if (this.tail === this.arrivals.length) this.makeRoom();
    this.arrivals[this.tail++] = now;
    const cutoff = now - WINDOW_MS;
    while (this.arrivals[this.head]! <= cutoff) this.head++;
    const inWindow = this.tail - this.head;
    if (inWindow > this.maxWindow) this.maxWindow = inWindow;
    return inWindow;
  }

  depart(): void {
    this.inFlight--;
  }

  error(code: number): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  accept(key: string): void {
    this.accepted++;
    const n = (this.byKey.get(key) ?? 0) + 1;
    this.byKey.set(key, n);
    // Kept apart so stats() lists duplicates without scanning every key.
    if (n > 1) this.dups.set(key, n);
  }

  snapshot(detail: boolean, webhooks: WebhookStats): SandboxStats {
    const wall = (t: number | null) => (t === null ? null : Math.round((performance.timeOrigin + t) * 1000) / 1000);
    const stats: SandboxStats = {
      requests: this.requests,
      accepted: this.accepted,
      read_receipts: this.readReceipts,
      errors_by_code: Object.fromEntries([...this.errors].map(([c, n]) => [String(c), n])),
      unique_recipients_accepted: this.byKey.size,
      duplicates: [...this.dups].map(([key, count]) => ({ key, count })),
      in_flight: this.inFlight,
      peak_concurrency: this.peak,
      max_starts_in_1s: this.maxWindow,
      max_loop_delay_ms: this.loopDelay.count === 0 ? 0 : Math.round(this.loopDelay.max / 1e5) / 10 + LOOP_SAMPLE_MS,
      first_request_at: wall(this.first),
      last_request_at: wall(this.last),
      webhooks,
    };
    if (detail) stats.accepted_by_key = Object.fromEntries(this.byKey);
    return stats;
  }

  /** Clears everything except requests still in flight (they will still depart). */
  reset(): void {
    this.requests = this.accepted = this.readReceipts = 0;
    this.peak = this.inFlight;
    this.errors.clear();
    this.byKey.clear();
    this.dups.clear();
    this.head = this.tail = 0;
    this.maxWindow = 0;
    this.loopDelay.reset();
    this.first = this.last = null;
  }

  /** Drops arrivals older than the window; grows only if a full second of arrivals doesn't fit. */
  private makeRoom(): void {
    if (this.head > this.arrivals.length / 2) {
      this.arrivals.copyWithin(0, this.head, this.tail);
    } else {
      const bigger = new Float64Array(this.arrivals.length * 2);
      bigger.set(this.arrivals.subarray(this.head, this.tail));
      this.arrivals = bigger;
    }
    this.tail -= this.head;
    this.head = 0;
  }
}
