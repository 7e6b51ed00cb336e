// The journal port (DESIGN §3, §10): everything the use cases need from the single source of truth,
// typed with domain types only. src/journal/sqlite and src/journal/postgres implement it; the
// conformance suite in test/journal runs against both. Every method is async (PostgreSQL is), and
// every method that changes rows does so in one transaction.
import type { ApplyResult, LegacyEventReader, NewWebhookEvent } from './delivery-events.js';
import type { Decision } from './engine/retry-policy.js';
import type { CopyStore } from './journal-copy.js';
import type { ReportStore } from './report-facts.js';
import type { RetrySelection } from './rules/retry-eligibility.js';
import type { SendOutcome } from './sender.js';
import type {
  BroadcastRecord,
  ErrorCount,
  MessageSpec,
  RecipientState,
  RecipientToSend,
  RejectionReason,
  StateCounts,
  Target,
} from './types.js';

export interface Journal {
  /** Where the journal is, safe to print (a PostgreSQL URL without its password). */
  readonly location: string;
  readonly plans: PlanStore;
  readonly runs: RunStore;
  readonly broadcasts: BroadcastStore;
  readonly events: EventStore;
  readonly optouts: OptoutStore;
  /** Proof of opt-in (consent): the same shape as the suppression list. */
  readonly optins: OptoutStore;
  /** Problems a preflight should report: not writable, damaged (empty: fine). */
  check(): Promise<string[]>;
  /** Aggregates for `wa-send report` (src/core/report-facts.ts). */
  readonly reports: ReportStore;
  /** Every row out, or into an empty journal (`wa-send journal copy`; src/core/journal-copy.ts). */
  readonly copy: CopyStore;
  close(): Promise<void>;
}

/**
 * A journal fault, translated by the adapter from its own errors. `busy` (another process holds the
 * write lock) and `unavailable` (the server went away) are transient: a run keeps its answers in
 * memory and tries again. The others stop a run.
 */
export type JournalFault = 'busy' | 'unavailable' | 'full' | 'gone' | 'readonly' | 'io';

export class JournalError extends Error {
  constructor(
    readonly fault: JournalFault,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'JournalError';
  }

  get transient(): boolean {
    return this.fault === 'busy' || this.fault === 'unavailable';
  }
}

// ---------------------------------------------------------------------------------------------
// Planning (DESIGN §3 rule 1): rows are staged in scratch space that disappears with the process,
// then published in one transaction: a killed plan leaves no trace.

export interface StagedRejection {
  line: number;
  input: string;
  reason: RejectionReason;
  detail: string | null;
  duplicateOf?: number | null;
}

export interface StagedRecipient {
  line: number;
  input: string;
  phone: string;
  /** JSON of the placeholder values, frozen at plan time. */
  vars: string | null;
  /** The identity of this recipient's message (src/core/rules/message-identity.ts). */
  messageHash: string;
}

export interface NewBroadcast {
  key: string;
  name: string | null;
  target: Target;
  /** senderOf(target): the phone number id, or "sandbox". */
  sender: string;
  profile: string | null;
  requireOptin: boolean;
  spec: MessageSpec;
  sourceFile: string;
  sourceSha256: string;
  rowsRead: number;
  createdAt: number;
}

export interface StagedCounts {
  recipients: number;
  rejections: Record<string, number>;
}

export interface StagingOptions {
  /**
   * Recipients whose identical message was accepted (or may have been sent) since this time become
   * `already_sent` rejections naming the earlier broadcast; null: no such guard (--dedup-window 0).
   */
  dedupSince: number | null;
  /** Rows without a recorded opt-in become `no_optin` rejections (an opt-out still wins). */
  requireOptin: boolean;
}

export interface PlanStore {
  /** Scratch space for one plan; `drop()` it in a finally. */
  openStaging(opts: StagingOptions): Promise<PlanStaging>;
}

export interface PlanStaging {
  /** Stages a batch in file order; a phone seen before becomes a `duplicate` rejection (first row wins). */
  stageBatch(recipients: StagedRecipient[], rejections: StagedRejection[]): Promise<void>;
  /** Counts after the suppression list and the already-sent guard (both count as rejections). */
  counts(): Promise<StagedCounts>;
  /** Up to `limit` staged rejections of the given reasons, in file order (for error messages). */
  examples(reasons: RejectionReason[], limit: number): Promise<StagedRejection[]>;
  /** Feeds the staged recipients, sorted by phone, to `update` (for the content hash). */
  forEachSorted(update: (phone: string, vars: string | null) => void): Promise<void>;
  /** The first recipient that would be sent (for the dry run). */
  first(): Promise<StagedRecipient | null>;
  /** Publishes the plan in one transaction; returns the new broadcast id, or the id that holds the key. */
  commit(broadcast: NewBroadcast): Promise<{ id: string; created: boolean }>;
  drop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Running (rules 2-4, 6): leases, claims, answers.

export type LeaseResult = { ok: true } | { ok: false; holder: string };

/** Says whether the owner of a lease is still running (the CLI checks the pid on this host). */
export type OwnerAlive = (owner: string) => boolean;

export interface AttemptRecord {
  recipient: RecipientToSend;
  startedAt: number;
  finishedAt: number;
  outcome: SendOutcome;
  decision: Decision;
}

export interface ExchangeRequest {
  broadcastId: string;
  /** The sending number: its lease (one sender per number) is renewed with the broadcast's. */
  sender: string;
  owner: string;
  leaseTtlMs: number;
  now: number;
  /** Answers to write. Each is written when its row is ours and `sending`, or `unknown` (a late answer). */
  records: AttemptRecord[];
  /** Rows we claimed but never sent: back to `pending` (if still ours). */
  release: number[];
  /** Rows that failed on the message's account (a payload halt): back to `pending`. */
  requeue: number[];
  /** Store the broadcast as halted with this reason (after the records). */
  halt: string | null;
  /** Claim up to this many rows (only while the lease is ours and the broadcast open). */
  claim: number;
  /** The already-sent guard at claim time: an identical message to the same person since then skips the row; null: off. */
  dedupSince: number | null;
}

export interface ExchangeResult {
  /** false: another process took the broadcast over; nothing was claimed. */
  leaseHeld: boolean;
  /** The broadcast's stored status after the exchange. */
  status: BroadcastRecord['status'];
  /** Durably `sending` (attempts + 1) before this returns (rule 2): due retries first, then plan order. */
  claimed: RecipientToSend[];
  /** Rows that became `skipped` instead of claimed (opted out after planning, or already sent by another broadcast). */
  skipped: number;
  /** When fewer rows than asked were claimed: the earliest scheduled retry, or null. */
  nextRetryAt: number | null;
}

export interface PreparedRun {
  /** Rows a dead runner left `sending`: now `unknown` (rule 4). */
  orphans: number;
  /** `unknown` rows settled by an answer already recorded for them (an accepted attempt). */
  settled: number;
}

export interface RunLog {
  broadcastId: string;
  mode: string;
  owner: string;
  rate: number;
  concurrency: number;
  startedAt: number;
}

export type NumberLeaseResult = { ok: true } | { ok: false; holder: string; broadcastId: string };

/** Recipients reached from one number in a window (the daily messaging limit). */
export interface DailyUsage {
  /** Distinct phones accepted (or in flight) from the number since the window's start. */
  reached: number;
  /** The oldest of those acceptances: the window frees a unit 24 h after it. */
  oldestAt: number | null;
}

export interface RunStore {
  /** Takes the lease when free, expired or held by a dead owner; one transaction, so two runners cannot both win. */
  acquireLease(id: string, owner: string, ttlMs: number, now: number, ownerAlive: OwnerAlive): Promise<LeaseResult>;
  releaseLease(id: string, owner: string): Promise<void>;
  /** One sender per number (across broadcasts): the same rules as a broadcast's lease. */
  acquireNumberLease(
    sender: string,
    broadcastId: string,
    owner: string,
    ttlMs: number,
    now: number,
    ownerAlive: OwnerAlive,
  ): Promise<NumberLeaseResult>;
  releaseNumberLease(sender: string, owner: string): Promise<void>;
  dailyUsage(sender: string, since: number): Promise<DailyUsage>;
  /** Under our lease: clears a stored halt, recovers orphans, settles what can be settled, applies waiting events. */
  prepareRun(id: string, owner: string, now: number): Promise<PreparedRun>;
  /** One transaction: renew the lease, write answers and releases, then claim (the engine's only store call). */
  exchange(request: ExchangeRequest): Promise<ExchangeResult>;
  /** The audit trail of runs (for reports and `check`); returns the run's id. */
  logRunStart(run: RunLog): Promise<number>;
  logRunEnd(runId: number, outcome: string, reason: string | null, now: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reading broadcasts, and the operator's commands on them.

/** Everything the status object (DESIGN §11) is computed from. */
export interface BroadcastFacts {
  broadcast: BroadcastRecord;
  counts: StateCounts;
  rejections: Record<string, number>;
  /** Error codes of failed rows, most frequent first. */
  errors: ErrorCount[];
  /** Any HTTP attempt was ever made. */
  attempted: boolean;
  /** Failed rows that the API never accepted (no wamid). */
  failedUnaccepted: number;
  nextRetryAt: number | null;
  /** Earliest time a failed 131049 row (not to be retried within 24 h) becomes eligible again. */
  deferredUntil: number | null;
  /** When the last run of the broadcast ended (null: never ran, or a journal from before runs were logged). */
  lastRunEndedAt: number | null;
  lastRun: { mode: string; outcome: string | null; reason: string | null; endedAt: number | null } | null;
}

export interface RecipientRow {
  line: number;
  input: string | null;
  phone: string | null;
  state: RecipientState | 'rejected';
  attempts: number;
  reason: string | null;
  error_code: number | null;
  error_title: string | null;
  error_detail: string | null;
  error_class: string | null;
  wamid: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  updated_at: string | null;
}

export interface MetricsFacts {
  /** Broadcasts open, or whose last activity is within the last 24 h (labels must not grow forever). */
  broadcasts: BroadcastFacts[];
  attemptsByOutcome: Record<string, number>;
  /**
   * Per sending number: accepted and failed answers in the last 5 minutes, recipients reached in 24 h,
   * and the profile of the number's most recent broadcast (null: planned without one).
   */
  numbers: { sender: string; profile: string | null; sent5m: number; failed5m: number; reached24h: number }[];
  optoutsBySource: Record<string, number>;
  webhookEvents: number;
  webhookEventsPending: number;
}

/** What `wa-send check` looks at, over the whole journal. */
export interface HealthFacts {
  /** Rows that failed since `since`, per broadcast. */
  failed: { broadcastId: string; sender: string; count: number; topCode: number | null }[];
  /** Rows `unknown` or `sending` not touched since `stuckBefore`, per broadcast. */
  stuck: { broadcastId: string; sender: string; state: 'unknown' | 'sending'; count: number; oldestAt: number }[];
  /** Open broadcasts whose last run stopped for a reason that needs a person (halted, journal, daily limit…). */
  stopped: { broadcastId: string; sender: string; outcome: string; reason: string | null; endedAt: number }[];
}

export interface BroadcastStore {
  get(id: string): Promise<BroadcastRecord | null>;
  findByKey(key: string): Promise<BroadcastRecord | null>;
  /** Newest first. */
  list(): Promise<BroadcastRecord[]>;
  facts(id: string): Promise<BroadcastFacts | null>;
  /** Nothing more is sent: the broadcast is stored cancelled and its open rows become `skipped`. */
  cancel(id: string, now: number): Promise<number>;
  /** Rows `retry-failed` with this selection would queue again now. */
  countEligible(id: string, selection: RetrySelection, now: number): Promise<number>;
  /** Moves eligible rows back to `pending`, only while `owner` holds the lease (checked in the same transaction). */
  requeueEligible(id: string, selection: RetrySelection, owner: string, now: number): Promise<number>;
  /** Open broadcasts (oldest first) with retries due now or rows eligible for the selection. */
  withRetriesDue(selection: RetrySelection, now: number): Promise<string[]>;
  /** Recipients and rejected rows in file order; `state` filters ("rejected": rows that never became recipients). */
  rows(id: string, state?: string): AsyncIterable<RecipientRow>;
  metrics(now: number): Promise<MetricsFacts>;
  health(now: number, opts: { failedSince: number; stuckBefore: number }): Promise<HealthFacts>;
}

// ---------------------------------------------------------------------------------------------
// Webhook events and the suppression list.

export interface EventStore {
  /** Stores one POST's events durably (synced to disk) before returning: only then may the receiver answer 200. */
  insert(events: readonly NewWebhookEvent[], now: number): Promise<{ inserted: number; duplicates: number }>;
  /** Applies every stored event that can be applied now (DESIGN §3 rule 5). */
  applyPending(now: number): Promise<ApplyResult>;
  countPending(): Promise<number>;
  /** Converts events stored by an older version (raw JSON only) with `read`; returns how many. */
  upgradeLegacy(read: LegacyEventReader): Promise<number>;
}

export interface OptoutRow {
  phone: string;
  source: string;
  detail: string | null;
  created_at: number;
}

export interface OptoutStore {
  /** Adds phones (all or none); returns how many were new. An existing entry keeps its source. */
  add(phones: readonly string[], source: string, detail: string | null, now: number): Promise<number>;
  /** Removes phones; with `source`, only entries from that source. Returns how many went. */
  remove(phones: readonly string[], opts?: { source?: string }): Promise<number>;
  list(): Promise<OptoutRow[]>;
}
