// Halts that come from the answers themselves rather than from one error code (DESIGN §5):
// - the first N results of a run all fail with the same payload error (100, 132000, 132012…): the
//   message spec is wrong, not the recipients;
// - a few identical answers that are not Cloud API errors at all (a proxy's 407, an HTML 404 from a
//   wrong URL, an unknown code): nothing sent through that path can succeed.
// Either way every row of this run that got that answer goes back to `pending`, so that `resume`
// after the fix sends to everyone, including answers that arrive after the halt (requests in flight).
import type { AttemptRecord } from '../journal.js';
import { describeApiError, type SendOutcome } from '../sender.js';

type ApiError = Extract<SendOutcome, { kind: 'error' }>;

export interface AnswerHalt {
  reason: string;
  /** Rows of this run that got the halting answer so far. */
  requeue: number[];
}

export interface HaltWatchOptions {
  /** Halt when this many first results are all the same payload error (0 = never). */
  payloadAfter: number;
  /** Halt after this many identical unexpected answers anywhere in the run (0 = never). */
  unexpectedAfter: number;
}

export class HaltWatch {
  private readonly first: AttemptRecord[] = [];
  /** Rows by answer signature, for the signatures that can halt a run. */
  private readonly bySignature = new Map<string, number[]>();
  private halted: string | null = null;

  constructor(private readonly opts: HaltWatchOptions) {}

  /** Feed every result in order; returns the halt once, when it is decided. */
  observe(r: AttemptRecord): AnswerHalt | null {
    const o = r.outcome;
    if (o.kind !== 'error') {
      this.trackFirst(r);
      return null;
    }
    const sig = signature(o);
    if (sig !== null) {
      const rows = this.bySignature.get(sig) ?? [];
      rows.push(r.recipient.id);
      this.bySignature.set(sig, rows);
    }
    if (this.halted !== null) return null;
    if (o.errorClass === 'unexpected' && this.opts.unexpectedAfter > 0) {
      const rows = this.bySignature.get(sig!)!;
      if (rows.length >= this.opts.unexpectedAfter) return this.halt(sig!, unexpectedReason(rows.length, o));
    }
    const payloadHalt = this.trackFirst(r);
    return payloadHalt === null ? null : this.halt(payloadHalt.sig, payloadHalt.reason);
  }

  /** After a halt: the row got the halting answer too (an answer that was in flight), so it goes back as well. */
  matchesHalt(r: AttemptRecord): boolean {
    return this.halted !== null && r.outcome.kind === 'error' && signature(r.outcome) === this.halted;
  }

  private trackFirst(r: AttemptRecord): { sig: string; reason: string } | null {
    const n = this.opts.payloadAfter;
    if (n <= 0 || this.first.length >= n) return null;
    this.first.push(r);
    if (this.first.length < n) return null;
    const sigs = this.first.map((x) =>
      x.outcome.kind === 'error' && x.outcome.errorClass === 'payload' ? signature(x.outcome) : null,
    );
    if (sigs.some((s) => s === null || s !== sigs[0])) return null;
    const o = r.outcome as ApiError;
    return {
      sig: sigs[0]!,
      reason: `the first ${n} requests all failed with ${describeApiError(o)} — the message does not fit the template or the API`,
    };
  }

  private halt(sig: string, reason: string): AnswerHalt {
    this.halted = sig;
    return { reason, requeue: [...(this.bySignature.get(sig) ?? [])] };
  }
}

/** Answers that can halt a run are grouped by HTTP status and code; other answers have no signature. */
function signature(o: ApiError): string | null {
  if (o.errorClass !== 'payload' && o.errorClass !== 'unexpected') return null;
  return `${o.errorClass}:${o.httpStatus}:${o.code ?? ''}`;
}

function unexpectedReason(n: number, o: ApiError): string {
  return `${n} requests got the same answer that is not a Cloud API error (${describeApiError(o)}) — check WA_API_URL, a proxy in between, or the API version`;
}
