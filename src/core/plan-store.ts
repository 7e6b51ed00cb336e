// What planning needs from the journal. Rows are staged in scratch space that disappears with the
// process, then copied into the journal in one transaction: a killed plan leaves no trace, and the
// journal is write-locked only for the final copy, not while a large CSV is read.
import type { MessageSpec, RejectionReason, Target } from './types.js';

export interface StagedRejection {
  line: number;
  input: string;
  reason: RejectionReason;
  detail: string | null;
  duplicateOf?: number | null;
}

export interface StagedRecipient { line: number; input: string; phone: string; vars: string | null }

export interface NewBroadcast {
  key: string;
  name: string | null;
  target: Target;
  spec: MessageSpec;
  sourceFile: string;
  sourceSha256: string;
  rowsRead: number;
}

export interface StagedCounts { recipients: number; optedOut: number; rejections: Record<string, number> }

export interface PlanStore {
  /** The id of the broadcast with this key, if one exists. */
  findIdByKey(key: string): string | null;
  startStaging(): void;
  /** Stages a batch in file order; a phone seen before becomes a `duplicate` rejection (first row wins). */
  stageBatch(recipients: StagedRecipient[], rejections: StagedRejection[]): void;
  stagedCounts(): StagedCounts;
  /** Up to `limit` staged rejections of the given reasons, in file order (for error messages). */
  stagedExamples(reasons: RejectionReason[], limit: number): StagedRejection[];
  /** Feeds the staged recipients, sorted by phone, to `update` (for the content hash). */
  forEachStagedSorted(update: (phone: string, vars: string | null) => void): void;
  firstStaged(): StagedRecipient | null;
  /** Copies the staged plan into the journal in one transaction; returns the new broadcast id. */
  commit(broadcast: NewBroadcast): string;
  dropStaging(): void;
}
