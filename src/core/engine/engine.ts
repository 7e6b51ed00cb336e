// The send engine (DESIGN §5): claim → rate gate → bounded concurrency → send → classify → record.
// Crash safety comes from the order of writes: a row is durably `sending` before its request
// leaves (claim), and a slot is freed only once its outcome is committed (group commit), so at any
// instant at most `concurrency` rows can be `sending`, the most a kill -9 can leave `unknown`.
//
// One loop does all of it, and the journal is touched in one place (exchange: record the answers
// that came in, renew the lease, claim the next rows, in one transaction), so there is one error
// path: a journal error stops claiming; a transient one (busy, server gone) keeps the answers in
// memory and is retried for STORE_RETRY_MS; the requests in flight are always drained and their
// answers recorded when the journal lets us.
import type { Clock } from '../clock.js';
import { type AttemptRecord, JournalError, type RunStore } from '../journal.js';
import { dedupSince } from '../rules/message-identity.js';
import { describeApiError, type Sender, type SendOutcome } from '../sender.js';
import type { RecipientToSend } from '../types.js';
import { HaltWatch } from './halt-watch.js';
import { RateGate } from './rate-gate.js';
import { decide, RETRY_DEFAULTS } from './retry-policy.js';
import { RunHealth } from './run-health.js';
import { INITIAL_WINDOW, SendWindow } from './send-window.js';

/** How long a run keeps answers in memory and retries the journal while another process holds it (documented). */
export const STORE_RETRY_MS = 60_000;

export interface EngineOptions {
  broadcastId: string;
  /** The sending number: its lease is renewed with the broadcast's. */
  sender: string;
  /** Our lease owner id; the lease is renewed by every exchange. */
  owner: string;
  leaseTtlMs: number;
  rate: number;
  concurrency: number;
  maxAttempts: number;
  /** How long this run may sit idle for scheduled retries, a dead network, or only-throttling answers. */
  maxWaitMs: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Halt when this many first results of the run are all the same payload error (0 = never). */
  payloadHaltAfter?: number;
  /** Halt after this many identical answers that are not Cloud API errors (0 = never). */
  unexpectedHaltAfter?: number;
  storeRetryMs?: number;
  /** --dedup-window: checked again at each claim (0: off). */
  dedupWindowMs?: number;
}

/** --limit: messages written to the API over a whole command (a cron sweep shares one budget). */
export interface SendBudget {
  remaining(): number;
  reserve(): void;
  /** The request never left (connection refused before it was written): it does not count. */
  refund(): void;
}

/** The daily messaging limit of the sending number: recipients it may still reach in the moving 24 h. */
export interface DailyCap extends SendBudget {
  /** Why the run stops when it is used up ("… frees up at …"). */
  describe(): string;
}

/** A mid-run alert: the share of failed answers over the last ones crossed --alert-failure-rate. */
export interface FailureRateAlert {
  threshold: number;
  fire(rate: number, window: number): void;
}

export interface EngineProgress {
  started: number;
  accepted: number;
  failed: number;
  retrying: number;
  unknown: number;
  inFlight: number;
  rate: number;
}

export interface EngineDeps {
  store: Pick<RunStore, 'exchange'>;
  sender: Sender;
  clock: Clock;
  random(): number;
  buildBody(r: RecipientToSend): Record<string, unknown>;
  budget?: SendBudget;
  dailyCap?: DailyCap;
  failureAlert?: FailureRateAlert;
  /** Aborted by the first SIGINT/SIGTERM: stop claiming, drain, record. */
  signal?: AbortSignal;
  onProgress?(p: EngineProgress): void;
}

export type StopReason =
  | 'done'
  | 'halted'
  | 'pending'
  | 'limit'
  | 'daily_limit'
  | 'interrupted'
  | 'lease_lost'
  | 'cancelled'
  | 'journal';

export interface EngineResult {
  stop: StopReason;
  reason: string | null;
  journalError: JournalError | null;
  /** How long the journal refused our writes before the run gave up (ms). */
  journalTroubleMs: number;
  /** Requests started (handed to the sender). */
  started: number;
  accepted: number;
  failed: number;
  unknown: number;
  /** Rows skipped at claim time (opted out after planning). */
  skipped: number;
  /** Answers the journal never took (it gave up): those rows show as `unknown` after a resume. */
  unrecorded: number;
}

const CLAIM_MAX = 256;
/**
 * Claimed rows are sent only while the last lease renewal is younger than this share of the TTL
 * (renewals come every third of it): after a stall, an exchange confirms the lease before any send.
 */
const LEASE_SURE_FRACTION = 2 / 3;
/** The failure-rate alert looks at the last answers, once there are enough of them to mean something. */
const FAILURE_WINDOW = 200;
const FAILURE_MIN_ANSWERS = 20;
/**
 * Rows are claimed this far ahead of their rate slot, and again only once the rows ready cover
 * less than half of it: a claim every ~10 ms at --rate 1000 rather than one per slot.
 */
const CLAIM_AHEAD_MS = 20;
/**
 * An answer waits up to this long (or for WRITE_BATCH others) to share a commit while more are
 * coming: one transaction per answer would write ~12 pages of WAL per message at --rate 1000, and
 * the checkpoints that keep the WAL bounded would then stall sending every half second. The slot
 * stays taken until the commit, so a crash still leaves at most --concurrency rows unknown.
 */
const WRITE_COALESCE_MS = 10;
const WRITE_BATCH = 32;
const PROGRESS_EVERY_MS = 1000;
const STORE_BACKOFF_MS = [250, 500, 1000, 2000, 4000] as const;
/** After a fatal journal error, the drained answers get this many more tries to be written. */
const FINAL_WRITE_TRIES = 3;
/** A dead network pauses all starts: 1 s, 2 s, … 30 s while connections keep failing. */
class NetworkPause {
  private pauseMs = 0;
  private pausedUntil = 0;

  observe(o: SendOutcome, now: number, gate: RateGate): void {
    if (o.kind !== 'unreachable') {
      this.pauseMs = 0;
      return;
    }
    // Requests in flight together fail together: escalate once per pause, not once per request.
    if (now < this.pausedUntil) return;
    this.pauseMs = Math.min(30_000, Math.max(1000, this.pauseMs * 2));
    this.pausedUntil = now + this.pauseMs;
    gate.pause(now, this.pauseMs);
  }
}

/**
 * Unanswered requests in a row that stop the run: as many as the slow start sends before any answer
 * (a hung API costs that many `unknown` rows, not --concurrency), and at least 3.
 */
const unansweredStreakFor = (concurrency: number) => Math.max(3, Math.min(concurrency, INITIAL_WINDOW));

interface StoreTrouble {
  since: number;
  error: JournalError;
  tries: number;
  nextTryAt: number;
}

export class Engine {
  private readonly gate: RateGate;
  private readonly window: SendWindow;
  private readonly health: RunHealth;
  private readonly halts: HaltWatch;
  private readonly result: EngineResult = {
    stop: 'done',
    reason: null,
    journalError: null,
    journalTroubleMs: 0,
    started: 0,
    accepted: 0,
    failed: 0,
    unknown: 0,
    skipped: 0,
    unrecorded: 0,
  };
  /** Sent, answer not yet committed: these hold their slot. */
  private inFlight = 0;
  /** Sent, no answer yet (inFlight minus the answers waiting to be written). */
  private awaiting = 0;
  /** Claimed (durably `sending`), waiting for their rate slot. */
  private readonly ready: RecipientToSend[] = [];
  private finished: AttemptRecord[] = [];
  /** When the oldest answer waiting to be written came in. */
  private firstFinishedAt = Infinity;
  private release: number[] = [];
  private requeue: number[] = [];
  private haltReason: string | null = null;
  private haltWritten = false;
  private stopReason: StopReason | null = null;
  private trouble: StoreTrouble | null = null;
  /** No claims before this (nothing pending; the next retry is due then). */
  private claimPausedUntil = 0;
  private idleBudget: number;
  private renewAt = 0;
  /** When the last exchange that renewed our lease started: the lease runs to then + TTL. */
  private leaseRenewedAt = -Infinity;
  private lastProgressAt = -Infinity;
  private readonly retrying = new Set<number>();
  /** Rows this run recorded as failed (a halt may send some of them back). */
  private readonly failedHere = new Set<number>();
  private readonly network = new NetworkPause();
  private readonly lastAnswers: number[] = [];
  private failureAlerted = false;
  private wakeup: AbortController | null = null;

  constructor(
    private readonly opts: EngineOptions,
    private readonly deps: EngineDeps,
  ) {
    this.gate = new RateGate({ maxRate: opts.rate });
    this.window = new SendWindow(opts.concurrency);
    this.health = new RunHealth({ maxWaitMs: opts.maxWaitMs, unansweredStreak: unansweredStreakFor(opts.concurrency) });
    this.halts = new HaltWatch({
      payloadAfter: opts.payloadHaltAfter ?? 5,
      unexpectedAfter: opts.unexpectedHaltAfter ?? 3,
    });
    this.idleBudget = opts.maxWaitMs;
  }

  async run(): Promise<EngineResult> {
    const onAbort = () => this.requestStop('interrupted');
    if (this.deps.signal?.aborted) onAbort();
    this.deps.signal?.addEventListener('abort', onAbort);
    try {
      await this.loop();
    } finally {
      this.deps.signal?.removeEventListener('abort', onAbort);
      this.report(this.deps.clock.now(), true);
    }
    this.result.stop = this.haltReason !== null ? 'halted' : (this.stopReason ?? 'done');
    if (this.haltReason !== null) this.result.reason = this.haltReason;
    return this.result;
  }

  private async loop(): Promise<void> {
    const { clock } = this.deps;
    for (;;) {
      const now = clock.now();
      this.report(now, false);
      if (this.stopReason === null) this.checkStops(now);
      if (this.stopReason !== null) this.releaseReady();
      else this.launchReady(now);

      const claim = this.claimable(now);
      if (this.wantsExchange(now, claim) && (this.trouble === null || now >= this.trouble.nextTryAt)) {
        await this.exchange(claim);
        continue;
      }
      if (this.stopReason !== null && this.awaiting === 0 && this.ready.length === 0) {
        if (!this.hasWrites()) return;
        if (this.giveUpWriting(now)) return;
      }
      const wakeAt = this.nextWakeAt(now, claim);
      await this.waitForChange(wakeAt - now);
    }
  }

  /** First SIGINT/SIGTERM, lease lost, journal trouble: stop claiming; what is in flight is drained. */
  private requestStop(reason: StopReason, detail: string | null = null): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    if (detail !== null) this.result.reason = detail;
    this.poke();
  }

  private checkStops(now: number): void {
    const unhealthy = this.health.stopReason(now);
    if (unhealthy !== null) {
      this.requestStop('pending', unhealthy);
      return;
    }
    if (this.deps.budget && this.deps.budget.remaining() <= 0) this.requestStop('limit');
    else if (this.deps.dailyCap && this.deps.dailyCap.remaining() <= 0)
      this.requestStop('daily_limit', this.deps.dailyCap.describe());
  }

  /** Rows that may be claimed now: free slots of the window, what the gate allows a little ahead, the budget. */
  private claimable(now: number): number {
    if (this.stopReason !== null || this.haltReason !== null || this.trouble !== null) return 0;
    if (now < this.claimPausedUntil) return 0;
    // Answers waiting to be written free their slots in the same exchange that claims (it records
    // them first): one exchange per answer, not one to record it and another to refill its slot.
    const free = this.window.size - (this.inFlight - this.finished.length) - this.ready.length;
    if (free <= 0) return 0;
    const ahead = this.gate.availableWithin(now, CLAIM_AHEAD_MS);
    if (this.ready.length > 0 && this.ready.length * 2 >= ahead) return 0;
    const gate = ahead - this.ready.length;
    const budget = this.deps.budget ? this.deps.budget.remaining() - this.ready.length : Infinity;
    const daily = this.deps.dailyCap ? this.deps.dailyCap.remaining() - this.ready.length : Infinity;
    return Math.max(0, Math.min(free, gate, budget, daily, CLAIM_MAX));
  }

  private hasWrites(): boolean {
    return (
      this.finished.length > 0 ||
      this.release.length > 0 ||
      this.requeue.length > 0 ||
      (this.haltReason !== null && !this.haltWritten)
    );
  }

  private wantsExchange(now: number, claim: number): boolean {
    const renew = now >= this.renewAt && (this.stopReason === null || (this.inFlight > 0 && this.stopReason !== 'lease_lost'));
    return claim > 0 || this.writesDue(now) || renew;
  }

  /** Writes go now, except answers while more are coming: those wait a little to share a commit. */
  private writesDue(now: number): boolean {
    if (!this.hasWrites()) return false;
    if (this.release.length > 0 || this.requeue.length > 0 || this.haltReason !== null || this.stopReason !== null) return true;
    if (this.awaiting === 0 || this.finished.length >= WRITE_BATCH) return true;
    return now - this.firstFinishedAt >= WRITE_COALESCE_MS;
  }

  private async exchange(claim: number): Promise<void> {
    const { clock, store } = this.deps;
    const records = this.finished;
    const release = this.release;
    const requeue = this.requeue;
    const firstFinishedAt = this.firstFinishedAt;
    this.finished = [];
    this.firstFinishedAt = Infinity;
    this.release = [];
    this.requeue = [];
    const halt = this.haltReason !== null && !this.haltWritten ? this.haltReason : null;
    const now = clock.now();
    let res: Awaited<ReturnType<RunStore['exchange']>>;
    try {
      res = await store.exchange({
        broadcastId: this.opts.broadcastId,
        owner: this.opts.owner,
        leaseTtlMs: this.opts.leaseTtlMs,
        now,
        records,
        release,
        requeue,
        halt,
        claim,
        sender: this.opts.sender,
        dedupSince: dedupSince(now, this.opts.dedupWindowMs ?? 0),
      });
    } catch (err) {
      // Nothing was written: everything goes back, in order, for the next try.
      this.finished = records.concat(this.finished);
      this.firstFinishedAt = Math.min(firstFinishedAt, this.firstFinishedAt);
      this.release = release.concat(this.release);
      this.requeue = requeue.concat(this.requeue);
      this.onStoreError(err, clock.now());
      return;
    }
    this.trouble = null;
    this.inFlight -= records.length; // slots free only now: `sending` rows never exceed concurrency
    if (halt !== null) this.haltWritten = true;
    this.renewAt = now + this.opts.leaseTtlMs / 3;
    if (res.leaseHeld) this.leaseRenewedAt = now;
    this.result.skipped += res.skipped;
    if (!res.leaseHeld) this.requestStop('lease_lost');
    else if (res.status === 'cancelled') this.requestStop('cancelled');
    for (const row of res.claimed) {
      this.retrying.delete(row.id);
      this.ready.push(row);
    }
    if (claim > 0 && res.claimed.length < claim) this.onShortClaim(res.nextRetryAt, clock.now());
    else if (claim > 0 || requeue.length > 0) this.claimPausedUntil = 0;
    // The last answers are in: look again (retries they scheduled, or nothing left at all).
    else if (records.length > 0 && this.inFlight === 0 && this.ready.length === 0) this.claimPausedUntil = 0;
  }

  /** Fewer rows than asked: nothing pending now. Done, or wait for the next retry within --max-wait. */
  private onShortClaim(nextRetryAt: number | null, now: number): void {
    if (this.inFlight > 0 || this.ready.length > 0) {
      this.claimPausedUntil = nextRetryAt ?? Infinity; // answers still coming can schedule retries
      return;
    }
    if (nextRetryAt === null) {
      this.requestStop('done');
      return;
    }
    const idle = Math.max(0, nextRetryAt - now);
    // Retries the API's throttling scheduled are its own clock (RunHealth gives up after --max-wait
    // of only throttling); the idle budget is for retries of errors.
    const throttled = this.health.nextCheckAt() !== null;
    if (idle > this.idleBudget && !throttled) {
      this.requestStop('pending', `next retry due ${new Date(nextRetryAt).toISOString()}`);
      return;
    }
    this.idleBudget = Math.max(0, this.idleBudget - idle);
    this.claimPausedUntil = nextRetryAt;
  }

  private onStoreError(err: unknown, now: number): void {
    const error =
      err instanceof JournalError ? err : new JournalError('io', `the journal failed: ${(err as Error).message}`, { cause: err });
    const t = this.trouble;
    const tries = (t?.tries ?? 0) + 1;
    const since = t?.since ?? now;
    const backoff = STORE_BACKOFF_MS[Math.min(tries - 1, STORE_BACKOFF_MS.length - 1)]!;
    this.trouble = { since, error, tries, nextTryAt: now + backoff };
    this.result.journalError = error;
    this.result.journalTroubleMs = now - since;
    const limit = this.opts.storeRetryMs ?? STORE_RETRY_MS;
    if (!error.transient || now - since >= limit) this.requestStop('journal', error.message);
  }

  /** Drained, but the journal still refuses the last answers: stop trying at some point. */
  private giveUpWriting(now: number): boolean {
    const t = this.trouble;
    if (t === null) return false;
    const limit = this.opts.storeRetryMs ?? STORE_RETRY_MS;
    const exhausted = t.error.transient ? now - t.since >= limit : t.tries >= FINAL_WRITE_TRIES;
    if (!exhausted) return false;
    this.result.unrecorded = this.finished.length;
    return true;
  }

  private launchReady(now: number): void {
    if (this.ready.length === 0) return;
    // After a stall (SIGSTOP, a frozen VM, a journal locked for long) the lease may have expired and
    // another box taken the broadcast over, marking these rows unknown: confirm the lease first.
    if (now - this.leaseRenewedAt >= this.opts.leaseTtlMs * LEASE_SURE_FRACTION) {
      this.renewAt = Math.min(this.renewAt, now);
      return;
    }
    let n = Math.min(this.ready.length, this.gate.available(now));
    while (n-- > 0) this.launch(this.ready.shift()!, now);
  }

  /** Claimed rows that will not be sent now go back to `pending` with the next exchange. */
  private releaseReady(): void {
    for (const row of this.ready.splice(0)) this.release.push(row.id);
  }

  private launch(row: RecipientToSend, now: number): void {
    const { sender, buildBody, budget, clock } = this.deps;
    const ticket = this.gate.take(now);
    this.inFlight++;
    this.awaiting++;
    this.result.started++;
    budget?.reserve();
    this.deps.dailyCap?.reserve();
    let body: Record<string, unknown>;
    try {
      body = buildBody(row);
    } catch (err) {
      const outcome: SendOutcome = {
        kind: 'error',
        httpStatus: 0,
        errorClass: 'payload',
        code: null,
        title: 'Could not build the request',
        detail: (err as Error).message,
        retryAfterMs: null,
        fbtraceId: null,
      };
      this.finish(row, now, outcome);
      return;
    }
    sender
      .send(body, () => this.gate.markWritten(ticket, clock.now()))
      .then(
        (outcome) => this.finish(row, now, outcome),
        // A rejected send is a bug in the client, not an API answer; the request may have left.
        (err: unknown) => this.finish(row, now, { kind: 'unknown', detail: `client error: ${(err as Error).message}` }),
      );
  }

  private finish(row: RecipientToSend, startedAt: number, outcome: SendOutcome): void {
    const { clock, random, budget } = this.deps;
    const t = clock.now();
    const decision = decide(
      outcome,
      row.attempts,
      row.pairRateHits,
      {
        maxAttempts: this.opts.maxAttempts,
        baseMs: this.opts.retryBaseMs ?? RETRY_DEFAULTS.baseMs,
        capMs: this.opts.retryCapMs ?? RETRY_DEFAULTS.capMs,
      },
      t,
      random,
    );
    const record: AttemptRecord = { recipient: row, startedAt, finishedAt: t, outcome, decision };
    this.awaiting--;
    if (outcome.kind === 'unreachable') {
      budget?.refund();
      this.deps.dailyCap?.refund();
    }
    this.react(record, t);
    if (this.finished.length === 0) this.firstFinishedAt = t;
    this.finished.push(record);
    this.poke();
  }

  /** Run-wide consequences of one answer: counts, throttling, the window, halts, network trouble. */
  private react(r: AttemptRecord, now: number): void {
    const { outcome: o, decision: d } = r;
    const id = r.recipient.id;
    if (d.state === 'retry') {
      this.retrying.add(id);
      if (d.nextAttemptAt !== null) this.claimPausedUntil = Math.min(this.claimPausedUntil, d.nextAttemptAt);
    }
    if (d.state === 'sent') this.result.accepted++;
    else if (d.state === 'unknown') this.result.unknown++;
    else if (d.state === 'failed') {
      this.result.failed++;
      this.failedHere.add(id);
    }
    this.health.observe(o, Boolean(d.throttle), now);
    this.watchFailureRate(d.state);
    if (o.kind === 'unknown') this.window.onNoAnswer();
    else if (o.kind !== 'unreachable') this.window.onAnswer();
    if (o.kind === 'error' && d.throttle) this.gate.onThrottle(now, o.retryAfterMs);
    this.network.observe(o, now, this.gate);
    if (o.kind === 'error' && d.halt) this.halt(describeApiError(o), []);
    if (this.halts.matchesHalt(r)) this.requeueRows([id]);
    const answerHalt = this.halts.observe(r);
    if (answerHalt !== null) this.halt(answerHalt.reason, answerHalt.requeue);
  }

  /** Sent vs failed over the last answers (throttling and retries are neither); alerts once per run. */
  private watchFailureRate(state: string): void {
    const alert = this.deps.failureAlert;
    if (!alert || this.failureAlerted) return;
    if (state !== 'sent' && state !== 'failed' && state !== 'unknown') return;
    this.lastAnswers.push(state === 'sent' ? 0 : 1);
    if (this.lastAnswers.length > FAILURE_WINDOW) this.lastAnswers.shift();
    if (this.lastAnswers.length < FAILURE_MIN_ANSWERS) return;
    const rate = this.lastAnswers.reduce((a, b) => a + b, 0) / this.lastAnswers.length;
    if (rate * 100 < alert.threshold) return;
    this.failureAlerted = true;
    alert.fire(rate, this.lastAnswers.length);
  }

  private halt(reason: string, requeue: number[]): void {
    if (this.haltReason !== null) return;
    this.haltReason = reason;
    this.requeueRows(requeue);
    this.requestStop('halted');
  }

  /** Rows that failed on the message's or the path's account go back to `pending` for `resume`. */
  private requeueRows(ids: number[]): void {
    for (const id of ids) {
      this.requeue.push(id);
      this.retrying.delete(id);
      if (this.failedHere.delete(id)) this.result.failed--;
    }
  }

  private nextWakeAt(now: number, claim: number): number {
    let at = now + this.opts.leaseTtlMs / 3;
    const consider = (t: number | null) => {
      if (t !== null && Number.isFinite(t)) at = Math.min(at, Math.max(now, t));
    };
    if (this.trouble !== null) consider(this.trouble.nextTryAt);
    if (this.stopReason === null) {
      if (this.trouble === null) consider(this.renewAt); // in trouble, the next try renews

      consider(this.health.nextCheckAt());
      if (this.ready.length > 0) consider(now + Math.max(1, this.gate.waitMs(now)));
      else if (claim === 0 && this.window.size > this.inFlight && this.trouble === null) {
        // Slots are free: wake when the gate or the retry schedule allows the next claim.
        consider(Math.max(this.claimPausedUntil, now + Math.max(1, this.gate.waitMs(now))));
      }
      if (this.deps.onProgress) consider(this.lastProgressAt + PROGRESS_EVERY_MS);
      if (this.finished.length > 0 && this.trouble === null) consider(this.firstFinishedAt + WRITE_COALESCE_MS);
    }
    return at;
  }

  private report(now: number, final: boolean): void {
    if (!this.deps.onProgress || (!final && now - this.lastProgressAt < PROGRESS_EVERY_MS)) return;
    this.lastProgressAt = now;
    const r = this.result;
    this.deps.onProgress({
      started: r.started,
      accepted: r.accepted,
      failed: r.failed,
      unknown: r.unknown,
      retrying: this.retrying.size,
      inFlight: this.inFlight + this.ready.length,
      rate: this.gate.currentRate,
    });
  }

  private poke(): void {
    this.wakeup?.abort();
  }

  private async waitForChange(ms: number): Promise<void> {
    const ctl = new AbortController();
    this.wakeup = ctl;
    await this.deps.clock.sleep(Math.max(0, ms), ctl.signal);
    this.wakeup = null;
  }
}
