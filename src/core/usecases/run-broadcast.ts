// The broadcast run, one use case for `broadcast`, `resume` and `retry-failed`: checks that change
// nothing (cancelled, target, anything to send, confirmation), then the lease, requeue (retry),
// orphan recovery, the engine, and the summary. Returns a value; the CLI renders it and maps it to
// an exit code. Signals arrive as an AbortSignal.
import type { Clock } from '../clock.js';
import { dailyCap } from '../engine/daily-cap.js';
import {
  type DailyCap,
  Engine,
  type EngineProgress,
  type EngineResult,
  type FailureRateAlert,
  type SendBudget,
} from '../engine/engine.js';
import { usageError } from '../errors.js';
import { type Journal, JournalError, type OwnerAlive } from '../journal.js';
import { openCount } from '../rules/broadcast-state.js';
import { describeMessage } from '../rules/key-reuse.js';
import type { RetrySelection } from '../rules/retry-eligibility.js';
import type { Sender } from '../sender.js';
import {
  type BroadcastRecord,
  type BroadcastStatus,
  type MessageSpec,
  type RecipientToSend,
  sameTarget,
  type Target,
  targetLabel,
} from '../types.js';
import { broadcastStatus, requireBroadcast } from './broadcasts.js';

export type RunMode = 'broadcast' | 'resume' | 'retry-failed';

export interface RunSettings {
  concurrency: number;
  maxAttempts: number;
  maxWaitMs: number;
}

export interface OpenSender {
  sender: Sender;
  close(): Promise<void>;
}

export interface ProgressReporter {
  update(p: EngineProgress): void;
  stop(): void;
}

/** A preflight check that failed (nothing was sent), or the warnings of checks that could not finish. */
export type PreflightResult = { ok: true; warnings: string[] } | { ok: false; check: string; line: string };

/**
 * What the CLI resolved for sending one broadcast: flags, then environment, then the profile (the
 * command's, else the one the broadcast was planned with), then defaults. Resolved per broadcast
 * because a cron sweep continues broadcasts of several numbers.
 */
export interface SendAccount {
  rate: number;
  /** --dedup-window (0: off), checked again at each claim. */
  dedupWindowMs: number;
  /** The number's daily messaging limit (unique recipients in a moving 24 h); null: none set. */
  dailyLimit: number | null;
  /** The real API with the credentials, or the sandbox. */
  open(concurrency: number): Promise<OpenSender>;
  /** The doctor's checks (token, number, template) against what open() opened, before any send; absent: --no-preflight. */
  preflight?(b: BroadcastRecord): Promise<PreflightResult>;
  /** --alert-failure-rate (percent) with a notify target: called once when the mid-run failure rate crosses it. */
  failureAlert?: { threshold: number; fire(rate: number, window: number): void };
}

export interface RunDeps {
  journal: Journal;
  clock: Clock;
  random(): number;
  /** This process as a lease owner ("pid@host#nonce"). */
  owner: string;
  ownerAlive: OwnerAlive;
  /** Settings and credentials for one broadcast: resolved before the lease, so a missing token changes nothing. */
  account(b: BroadcastRecord): Promise<SendAccount>;
  /** --wait: wait for the number's turn instead of exiting 5 when another process sends from it. */
  waitForNumber?: boolean;
  buildBody(spec: MessageSpec, r: RecipientToSend): Record<string, unknown>;
  /** Asked before a broadcast that has sent nothing yet starts sending; absent: no question (--yes, no terminal). */
  confirm?(question: string): Promise<boolean>;
  progress?(id: string, total: number): ProgressReporter;
  /** Lines worth telling the operator on the way (rows recovered after a crash, rows queued again). */
  notice?(line: string): void;
  /** First SIGINT/SIGTERM/SIGHUP: stop claiming, drain, record. */
  signal?: AbortSignal;
  /** --limit, shared by every broadcast of one command. */
  budget?: SendBudget;
  leaseTtlMs?: number;
  /** Tests: shorter backoffs. */
  retryBaseMs?: number;
  retryCapMs?: number;
}

export interface RunRequest {
  id: string;
  mode: RunMode;
  /** The target the flags (explicit) or the environment name now; null when they name none. */
  requested: RequestedTarget;
  settings: RunSettings;
  /** retry-failed: rows to queue again, under the lease, before sending. */
  retry?: RetrySelection;
}

export interface RequestedTarget {
  target: Target | null;
  /** Named by flags (--sandbox, --api-url, --phone-number-id), not only by the environment. */
  explicit: boolean;
}

export type RunOutcome =
  | { kind: 'cancelled' }
  /** Nothing was left to send before this run. */
  | { kind: 'finished' }
  | { kind: 'declined' }
  | { kind: 'busy'; holder: string }
  /** Another process sends from the same number (one sender per number); interrupted: while waiting (--wait). */
  | { kind: 'number_busy'; sender: string; holder: string; holderBroadcast: string; interrupted: boolean }
  /** A preflight check failed: nothing was sent. */
  | { kind: 'preflight'; check: string; line: string }
  | { kind: 'ran'; engine: EngineResult; orphans: number; requeued: number };

export interface RunSummary {
  id: string;
  mode: RunMode;
  broadcast: BroadcastRecord;
  outcome: RunOutcome;
  /** The status when the run ended; null when the journal could not be read then. */
  status: BroadcastStatus | null;
  /** Failed rows `retry-failed <id>` would queue again now. */
  retryable: number;
}

export const LEASE_TTL_MS = 30_000;
/** --wait polls the number's lease this often. */
export const NUMBER_WAIT_POLL_MS = 2_000;
const DAY_MS = 86_400_000;

export async function runBroadcast(deps: RunDeps, req: RunRequest): Promise<RunSummary> {
  const { journal, clock, ownerAlive } = deps;
  const b = await requireBroadcast(journal, req.id);
  const summary = (outcome: RunOutcome, status: BroadcastStatus | null, retryable = 0): RunSummary => ({
    id: b.id,
    mode: req.mode,
    broadcast: b,
    outcome,
    status,
    retryable,
  });
  if (b.status === 'cancelled')
    return summary({ kind: 'cancelled' }, await broadcastStatus(journal, b.id, clock.now(), ownerAlive));
  checkTarget(b, req.requested);
  const before = await broadcastStatus(journal, b.id, clock.now(), ownerAlive);
  const eligible = req.retry ? await journal.broadcasts.countEligible(b.id, req.retry, clock.now()) : 0;
  if (openCount(before.counts) + eligible === 0) return summary({ kind: 'finished' }, before, await retryableNow(deps, b.id));
  const account = await deps.account(b);
  const open = await account.open(req.settings.concurrency);
  try {
    if (account.preflight) {
      const checked = await account.preflight(b);
      if (!checked.ok) return summary({ kind: 'preflight', check: checked.check, line: checked.line }, before);
      for (const w of checked.warnings) deps.notice?.(`Preflight: ${w} (going on)`);
    }
    if (deps.confirm && before.state === 'planned') {
      const question = `Send ${describeMessage(b.spec)} to ${before.recipients} recipients via ${targetLabel(b.target)}?`;
      if (!(await deps.confirm(question))) return summary({ kind: 'declined' }, before);
    }
    const ttl = deps.leaseTtlMs ?? LEASE_TTL_MS;
    const number = await takeNumber(deps, b, ttl);
    if (number !== null) return summary(number, before);
    try {
      const lease = await journal.runs.acquireLease(b.id, deps.owner, ttl, clock.now(), ownerAlive);
      if (!lease.ok) return summary({ kind: 'busy', holder: lease.holder }, before);
      let engine: EngineResult;
      let orphans = 0;
      let requeued = 0;
      try {
        if (req.retry) {
          requeued = await journal.broadcasts.requeueEligible(b.id, req.retry, deps.owner, clock.now());
          deps.notice?.(`Broadcast ${b.id}: ${requeued} failed recipients queued again.`);
        }
        const prepared = await journal.runs.prepareRun(b.id, deps.owner, clock.now());
        orphans = prepared.orphans - prepared.settled;
        if (orphans > 0) {
          deps.notice?.(
            `${orphans} recipients were in flight when an earlier run died: marked unknown (they may have been sent; see wa-send status ${b.id} --recipients --state unknown).`,
          );
        }
        engine = await runEngine(deps, req, b, account, ttl, open.sender);
      } finally {
        await journal.runs.releaseLease(b.id, deps.owner).catch(() => {
          // the journal is unavailable: the lease expires on its own, and a dead owner is taken over at once
        });
      }
      const status = await broadcastStatus(journal, b.id, clock.now(), ownerAlive).catch(() => null);
      const retryable = status && status.counts.failed > 0 ? await retryableNow(deps, b.id).catch(() => 0) : 0;
      return summary({ kind: 'ran', engine, orphans, requeued }, status, retryable);
    } finally {
      await journal.runs.releaseNumberLease(b.sender, deps.owner).catch(() => {
        // as above: it expires on its own
      });
    }
  } finally {
    await open.close();
  }
}

/**
 * One sender per number: takes the number's lease, or says who holds it (null: taken). With --wait,
 * polls until the holder is done (or dead), unless a signal stops the wait.
 */
async function takeNumber(deps: RunDeps, b: BroadcastRecord, ttl: number): Promise<RunOutcome | null> {
  const { journal, clock } = deps;
  let told = false;
  for (;;) {
    const got = await journal.runs.acquireNumberLease(b.sender, b.id, deps.owner, ttl, clock.now(), deps.ownerAlive);
    if (got.ok) return null;
    // The same broadcast, sent by another process: its own lease says so in the usual words.
    if (got.broadcastId === b.id && !deps.waitForNumber) return { kind: 'busy', holder: got.holder };
    const busy = (interrupted: boolean): RunOutcome => ({
      kind: 'number_busy',
      sender: b.sender,
      holder: got.holder,
      holderBroadcast: got.broadcastId,
      interrupted,
    });
    if (!deps.waitForNumber) return busy(false);
    if (deps.signal?.aborted) return busy(true);
    if (!told) {
      deps.notice?.(`Number ${b.sender} is sending broadcast ${got.broadcastId} (${got.holder}): waiting for its turn (--wait).`);
      told = true;
    }
    await clock.sleep(NUMBER_WAIT_POLL_MS, deps.signal);
  }
}

async function runEngine(
  deps: RunDeps,
  req: RunRequest,
  b: BroadcastRecord,
  account: SendAccount,
  ttl: number,
  sender: Sender,
): Promise<EngineResult> {
  const { journal, clock } = deps;
  const s = req.settings;
  const cap = account.dailyLimit === null ? null : await capOf(deps, b, account.dailyLimit);
  const total = openCount((await broadcastStatus(journal, b.id, clock.now(), deps.ownerAlive)).counts);
  const runId = await journal.runs.logRunStart({
    broadcastId: b.id,
    mode: req.mode,
    owner: deps.owner,
    rate: account.rate,
    concurrency: s.concurrency,
    startedAt: clock.now(),
  });
  const progress = deps.progress?.(b.id, total);
  let result: EngineResult;
  try {
    result = await new Engine(
      {
        broadcastId: b.id,
        sender: b.sender,
        owner: deps.owner,
        leaseTtlMs: ttl,
        rate: account.rate,
        concurrency: s.concurrency,
        maxAttempts: s.maxAttempts,
        maxWaitMs: s.maxWaitMs,
        dedupWindowMs: account.dedupWindowMs,
        ...(deps.retryBaseMs !== undefined && { retryBaseMs: deps.retryBaseMs }),
        ...(deps.retryCapMs !== undefined && { retryCapMs: deps.retryCapMs }),
      },
      {
        store: journal.runs,
        sender,
        clock,
        random: deps.random,
        buildBody: (r) => deps.buildBody(b.spec, r),
        ...(deps.budget && { budget: deps.budget }),
        ...(cap && { dailyCap: cap }),
        ...(account.failureAlert && { failureAlert: account.failureAlert satisfies FailureRateAlert }),
        ...(deps.signal && { signal: deps.signal }),
        ...(progress && { onProgress: (p: EngineProgress) => progress.update(p) }),
      },
    ).run();
  } finally {
    progress?.stop();
  }
  await journal.runs.logRunEnd(runId, result.stop, result.reason, clock.now()).catch((err: unknown) => {
    if (!(err instanceof JournalError)) throw err;
  });
  return result;
}

/** The number's daily limit, less the recipients it reached in the last 24 h (every broadcast in the journal). */
async function capOf(deps: RunDeps, b: BroadcastRecord, limit: number): Promise<DailyCap> {
  const now = deps.clock.now();
  const usage = await deps.journal.runs.dailyUsage(b.sender, now - DAY_MS);
  return dailyCap({ sender: b.sender, limit, usage, clock: deps.clock });
}

/** A broadcast keeps its target: explicit flags, or an environment pointing elsewhere, may not redirect it. */
function checkTarget(b: BroadcastRecord, requested: RequestedTarget): void {
  const mismatch = targetMismatch(b, requested);
  if (mismatch !== null) throw usageError(`broadcast ${b.id} was ${mismatch}; a broadcast is never sent to another target`);
}

/** "planned for X, not Y" when the flags or the environment name another target than the broadcast's. */
export function targetMismatch(b: BroadcastRecord, requested: RequestedTarget): string | null {
  const asked = requested.target;
  // Credentials in the environment say nothing about a sandbox broadcast; flags do.
  if (asked === null || (!requested.explicit && b.target === 'sandbox') || sameTarget(asked, b.target)) return null;
  return `planned for ${targetLabel(b.target)}, not ${targetLabel(asked)}`;
}

function retryableNow(deps: RunDeps, id: string): Promise<number> {
  return deps.journal.broadcasts.countEligible(id, {}, deps.clock.now());
}
