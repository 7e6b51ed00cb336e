// The broadcast run, one use case for `broadcast`, `resume` and `retry-failed`: checks that change
// nothing (cancelled, target, anything to send, confirmation), then the lease, requeue (retry),
// orphan recovery, the engine, and the summary. Returns a value; the CLI renders it and maps it to
// an exit code. Signals arrive as an AbortSignal.
import type { Clock } from '../clock.js';
import { Engine, type EngineProgress, type EngineResult, type SendBudget } from '../engine/engine.js';
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
  rate: number;
  concurrency: number;
  maxAttempts: number;
  maxWaitMs: number;
  /** --dedup-window (0: off). */
  dedupWindowMs: number;
}

export interface OpenSender {
  sender: Sender;
  close(): Promise<void>;
}

export interface ProgressReporter {
  update(p: EngineProgress): void;
  stop(): void;
}

export interface RunDeps {
  journal: Journal;
  clock: Clock;
  random(): number;
  /** This process as a lease owner ("pid@host#nonce"). */
  owner: string;
  ownerAlive: OwnerAlive;
  /** The real API with the credentials, or the sandbox: opened before the lease, so a missing token changes nothing. */
  openSender(target: Target, concurrency: number): Promise<OpenSender>;
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
  if (deps.confirm && before.state === 'planned') {
    const question = `Send ${describeMessage(b.spec)} to ${before.recipients} recipients via ${targetLabel(b.target)}?`;
    if (!(await deps.confirm(question))) return summary({ kind: 'declined' }, before);
  }

  const open = await deps.openSender(b.target, req.settings.concurrency);
  try {
    const ttl = deps.leaseTtlMs ?? LEASE_TTL_MS;
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
      engine = await runEngine(deps, req, b, ttl, open.sender);
    } finally {
      await journal.runs.releaseLease(b.id, deps.owner).catch(() => {
        // the journal is unavailable: the lease expires on its own, and a dead owner is taken over at once
      });
    }
    const status = await broadcastStatus(journal, b.id, clock.now(), ownerAlive).catch(() => null);
    const retryable = status && status.counts.failed > 0 ? await retryableNow(deps, b.id).catch(() => 0) : 0;
    return summary({ kind: 'ran', engine, orphans, requeued }, status, retryable);
  } finally {
    await open.close();
  }
}

async function runEngine(deps: RunDeps, req: RunRequest, b: BroadcastRecord, ttl: number, sender: Sender): Promise<EngineResult> {
  const { journal, clock } = deps;
  const s = req.settings;
  const total = openCount((await broadcastStatus(journal, b.id, clock.now(), deps.ownerAlive)).counts);
  const runId = await journal.runs.logRunStart({
    broadcastId: b.id,
    mode: req.mode,
    owner: deps.owner,
    rate: s.rate,
    concurrency: s.concurrency,
    startedAt: clock.now(),
  });
  const progress = deps.progress?.(b.id, total);
  let result: EngineResult;
  try {
    result = await new Engine(
      {
        broadcastId: b.id,
        owner: deps.owner,
        leaseTtlMs: ttl,
        rate: s.rate,
        concurrency: s.concurrency,
        maxAttempts: s.maxAttempts,
        maxWaitMs: s.maxWaitMs,
        dedupWindowMs: s.dedupWindowMs,
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
