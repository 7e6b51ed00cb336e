// The send engine (DESIGN §5): claim → rate gate → bounded concurrency → send → classify → record.
// Crash safety comes from the order of writes: a row is durably `sending` before its request
// leaves (claim), and a slot is only freed once its outcome is committed (group commit), so at any
// instant at most `concurrency` rows can be `sending` — the most a kill -9 can leave `unknown`.
import { PayloadHaltCheck } from './payload-halt.js';
import { RateGate } from './rate-gate.js';
import { RunHealth } from './run-health.js';
import { decide, RETRY_DEFAULTS, type Decision } from './retry-policy.js';
import type { AttemptRecord, SendStore } from './send-store.js';
import { describeApiError, type Sender } from './sender.js';
import type { RecipientToSend } from './types.js';

export interface EngineOptions {
  rate: number;
  concurrency: number;
  maxAttempts: number;
  /** Total time this run may sit idle waiting for scheduled retries (or a dead network). */
  maxWaitMs: number;
  /** Most requests this run may start (--limit). */
  limit?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Halt when this many first results of the run are all the same payload error (0 = never). */
  payloadHaltAfter?: number;
  leaseOwner: string;
  leaseTtlMs?: number;
}

export type StopReason = 'done' | 'halted' | 'pending' | 'limit' | 'interrupted' | 'lease_lost';

export interface RunResult {
  stop: StopReason;
  reason: string | null;
  started: number;
  accepted: number;
  failed: number;
  unknown: number;
  lastNetworkError: string | null;
}

export interface EngineProgress { started: number; accepted: number; failed: number; retrying: number; unknown: number; inFlight: number; rate: number }

export interface EngineDeps {
  store: SendStore;
  sender: Sender;
  buildBody(r: RecipientToSend): Record<string, unknown>;
  now(): number;
  random(): number;
  onProgress?(p: EngineProgress): void;
}

const CLAIM_MAX = 64;
/** Consecutive unanswered requests that stop the run: a few for tiny pools, at most 10. */
const unansweredStreakFor = (concurrency: number) => Math.max(3, Math.min(concurrency, 10));
const NETWORK_PAUSE_MAX_MS = 30_000;

export class Engine {
  private readonly gate: RateGate;
  private inFlight = 0;
  private readonly finished: AttemptRecord[] = [];
  private flushScheduled = false;
  private wake: (() => void) | null = null;
  private stopReason: StopReason | null = null;
  private haltReason: string | null = null;
  private readonly payloadHalt: PayloadHaltCheck;
  private readonly health: RunHealth;
  private requeueAfterFlush: number[] = [];
  private networkPauseMs = 0;
  private networkPausedUntil = 0;
  private readonly result: RunResult = { stop: 'done', reason: null, started: 0, accepted: 0, failed: 0, unknown: 0, lastNetworkError: null };
  private retrying = 0;

  constructor(private readonly broadcastId: string, private readonly opts: EngineOptions, private readonly deps: EngineDeps) {
    this.gate = new RateGate({ maxRate: opts.rate });
    this.payloadHalt = new PayloadHaltCheck(opts.payloadHaltAfter ?? 5);
    this.health = new RunHealth({ maxWaitMs: opts.maxWaitMs, unansweredStreak: unansweredStreakFor(opts.concurrency) });
  }

  /** First SIGINT/SIGTERM: stop claiming, let in-flight requests finish and be recorded. */
  stop(reason: StopReason = 'interrupted'): void {
    this.stopReason ??= reason;
    this.poke();
  }

  async run(): Promise<RunResult> {
    const { store } = this.deps;
    store.reopen(this.broadcastId);
    const heartbeat = setInterval(() => this.heartbeat(), Math.floor((this.opts.leaseTtlMs ?? 30_000) / 3));
    heartbeat.unref();
    const progress = setInterval(() => this.report(), 1000);
    progress.unref();
    try {
      await this.loop();
      while (this.inFlight > 0) await this.nextChange(); // drain: every answer is recorded
      this.flush();
    } finally {
      clearInterval(heartbeat);
      clearInterval(progress);
      this.report();
    }
    if (this.haltReason !== null) store.setHalted(this.broadcastId, this.haltReason);
    this.result.stop = this.haltReason !== null ? 'halted' : (this.stopReason ?? 'done');
    this.result.reason = this.haltReason ?? this.result.reason;
    return this.result;
  }

  private async loop(): Promise<void> {
    const { store, now } = this.deps;
    let idleBudget = this.opts.maxWaitMs;
    for (;;) {
      if (this.stopReason !== null || this.haltReason !== null) return;
      const unhealthy = this.health.stopReason(now());
      if (unhealthy !== null) { this.stopReason = 'pending'; this.result.reason = unhealthy; return; }
      const limitLeft = (this.opts.limit ?? Infinity) - this.result.started;
      if (limitLeft <= 0) { this.stopReason = 'limit'; return; }
      const free = this.opts.concurrency - this.inFlight;
      if (free <= 0) { await this.nextChange(); continue; }
      const wait = this.gate.waitMs(now());
      if (wait > 0) {
        // Waiting out a dead network spends the same budget as waiting for scheduled retries.
        if (this.networkPauseMs > 0 && wait > 1000) {
          if (idleBudget <= 0) { this.stopReason = 'pending'; return; }
          const slept = Math.min(wait, idleBudget);
          idleBudget -= slept;
          await this.sleep(slept);
        } else {
          await this.sleep(this.health.sleepCap(now(), wait));
        }
        continue;
      }
      const n = Math.min(free, this.gate.available(now()), limitLeft, CLAIM_MAX);
      if (n <= 0) { await this.sleep(1); continue; }
      this.flush(); // commit finished results before claiming more: fewer transactions, fresher counts
      const rows = store.claim(this.broadcastId, n, now());
      if (rows.length === 0) {
        if (this.inFlight > 0) { await this.nextChange(); continue; }
        const next = store.nextRetryAt(this.broadcastId);
        if (next === null) return; // nothing pending, nothing scheduled: done
        const idle = Math.max(0, next - now());
        if (idle > idleBudget) { this.stopReason = 'pending'; this.result.reason = `next retry due ${new Date(next).toISOString()}`; return; }
        idleBudget -= idle;
        await this.sleep(idle);
        continue;
      }
      for (const row of rows) {
        if (row.fromRetry) this.retrying--;
        this.launch(row);
      }
    }
  }

  private launch(row: RecipientToSend): void {
    const { now, sender, buildBody } = this.deps;
    const startedAt = now();
    const ticket = this.gate.take(startedAt);
    this.inFlight++;
    this.result.started++;
    let body: Record<string, unknown>;
    try {
      body = buildBody(row);
    } catch (err) {
      this.finish(row, startedAt, { kind: 'error', httpStatus: 0, errorClass: 'payload', code: null, title: 'Could not build the request', detail: (err as Error).message, retryAfterMs: null, fbtraceId: null });
      return;
    }
    sender.send(body, () => this.gate.markWritten(ticket, now())).then(
      (outcome) => this.finish(row, startedAt, outcome),
      // A rejected send is a bug in the client, not an API answer; the request may have left.
      (err: unknown) => this.finish(row, startedAt, { kind: 'unknown', detail: `client error: ${(err as Error).message}` }),
    );
  }

  private finish(row: RecipientToSend, startedAt: number, outcome: AttemptRecord['outcome']): void {
    const { now, random, store } = this.deps;
    const t = now();
    const pairHits = outcome.kind === 'error' && outcome.errorClass === 'pair_rate' ? store.pairRateHits(row.id) : 0;
    const decision = decide(outcome, row.attempts, pairHits, {
      maxAttempts: this.opts.maxAttempts, baseMs: this.opts.retryBaseMs ?? RETRY_DEFAULTS.baseMs, capMs: this.opts.retryCapMs ?? RETRY_DEFAULTS.capMs,
    }, t, random);
    const record: AttemptRecord = { recipient: row, startedAt, finishedAt: t, outcome, decision };
    this.react(record, t);
    this.finished.push(record);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => { this.flush(); this.poke(); });
    }
  }

  /** Run-wide consequences of one answer: throttling, halts, network trouble. */
  private react(r: AttemptRecord, now: number): void {
    const { outcome: o, decision: d } = r;
    this.count(d);
    this.health.observe(o, Boolean(d.throttle), now);
    if (o.kind === 'error' && d.throttle) this.gate.onThrottle(now, o.retryAfterMs);
    if (d.networkDown && o.kind === 'unreachable') {
      // Requests in flight together fail together: escalate once per pause, not once per request.
      if (now >= this.networkPausedUntil) {
        this.networkPauseMs = Math.min(NETWORK_PAUSE_MAX_MS, Math.max(1000, this.networkPauseMs * 2));
        this.networkPausedUntil = now + this.networkPauseMs;
        this.gate.pause(now, this.networkPauseMs);
      }
      this.result.lastNetworkError = o.detail;
      this.result.reason = `cannot reach the API: ${o.detail}`;
    } else if (o.kind !== 'unreachable') {
      this.networkPauseMs = 0;
    }
    if (o.kind === 'error' && d.halt && this.haltReason === null) {
      this.haltReason = describeApiError(o);
    }
    const payloadHalt = this.payloadHalt.observe(r);
    if (payloadHalt && this.haltReason === null) {
      this.haltReason = payloadHalt.reason;
      this.requeueAfterFlush = payloadHalt.requeue;
    }
  }

  private count(d: Decision): void {
    if (d.state === 'retry') this.retrying++;
    if (d.state === 'sent') this.result.accepted++;
    else if (d.state === 'failed') this.result.failed++;
    else if (d.state === 'unknown') this.result.unknown++;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.finished.length === 0) return;
    const batch = this.finished.splice(0);
    const { store, now } = this.deps;
    store.record(batch, now());
    if (this.requeueAfterFlush.length > 0) {
      store.requeue(this.requeueAfterFlush, now());
      this.result.failed -= this.requeueAfterFlush.length;
      this.requeueAfterFlush = [];
    }
    if (batch.some((r) => r.outcome.kind === 'accepted')) store.applyPendingEvents(now());
    this.inFlight -= batch.length; // slots free only now: `sending` rows never exceed concurrency
  }

  private heartbeat(): void {
    const ok = this.deps.store.renewLease(this.broadcastId, this.opts.leaseOwner, this.opts.leaseTtlMs ?? 30_000, this.deps.now());
    if (!ok) this.stop('lease_lost');
  }

  /** From in-memory counters: a COUNT over a large broadcast every second would stall the sends. */
  private report(): void {
    if (!this.deps.onProgress) return;
    this.deps.onProgress({
      started: this.result.started, accepted: this.result.accepted, failed: this.result.failed, unknown: this.result.unknown,
      retrying: this.retrying, inFlight: this.inFlight, rate: this.gate.currentRate,
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /** Sleeps, but wakes early on stop. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve(); }, Math.max(0, ms));
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}
