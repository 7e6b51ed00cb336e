// DESIGN §5: when the first N results of a run all fail with the same payload error (100, 132000,
// 132012…), the message spec is wrong, not the recipients: halt instead of failing the whole list.
import type { AttemptRecord } from './send-store.js';
import { describeApiError } from './sender.js';

export interface PayloadHalt {
  reason: string;
  /** The rows that failed on the spec's account: back to pending, so `resume` after the fix sends them. */
  requeue: number[];
}

export class PayloadHaltCheck {
  private readonly first: AttemptRecord[] = [];

  /** n = 0 turns the check off. */
  constructor(private readonly n: number) {}

  /** Feed every result in order; returns the halt once, when the first n agree. */
  observe(r: AttemptRecord): PayloadHalt | null {
    if (this.n <= 0 || this.first.length >= this.n) return null;
    this.first.push(r);
    if (this.first.length < this.n) return null;
    const codes = this.first.map((x) => (x.outcome.kind === 'error' && x.decision.errorClass === 'payload' ? x.outcome.code : undefined));
    if (codes.some((c) => c === undefined || c !== codes[0])) return null;
    const o = r.outcome as Extract<AttemptRecord['outcome'], { kind: 'error' }>;
    return {
      reason: `the first ${this.n} requests all failed with ${describeApiError(o)} — the message does not fit the template or the API`,
      requeue: this.first.map((x) => x.recipient.id),
    };
  }
}
