// When a run should give up for now (exit 6, `resume` later) although rows are left:
// - the API has answered nothing but throttling for longer than --max-wait (throttling spends no
//   attempt, so without this a cron job against a saturated API would never end);
// - the API could not be reached at all for longer than --max-wait (connection refused, DNS);
// - it has stopped answering: each request that times out after being written becomes `unknown`,
//   so carrying on would turn the whole list into rows nobody can safely re-send.
import { apiErrorName, type SendOutcome } from '../sender.js';

export interface RunHealthOptions {
  maxWaitMs: number;
  /** Requests in a row written but never answered before the run stops claiming. */
  unansweredStreak: number;
}

export class RunHealth {
  private throttledSince: number | null = null;
  private lastThrottle = '';
  private unreachableSince: number | null = null;
  private lastUnreachable = '';
  private unanswered = 0;
  private lastUnanswered = '';

  constructor(private readonly opts: RunHealthOptions) {}

  observe(outcome: SendOutcome, throttle: boolean, now: number): void {
    if (outcome.kind === 'unreachable') {
      this.unreachableSince ??= now;
      this.lastUnreachable = outcome.detail;
      return;
    }
    this.unreachableSince = null;
    if (outcome.kind === 'unknown') {
      this.unanswered++;
      this.lastUnanswered = outcome.detail;
      return;
    }
    this.unanswered = 0;
    if (throttle && outcome.kind === 'error') {
      this.throttledSince ??= now;
      this.lastThrottle = apiErrorName(outcome);
    } else {
      this.throttledSince = null;
    }
  }

  /** Why the run should stop claiming now, or null. */
  stopReason(now: number): string | null {
    if (this.unanswered >= this.opts.unansweredStreak) {
      return `the API stopped answering: ${this.unanswered} requests in a row got no answer (${this.lastUnanswered})`;
    }
    if (this.throttledSince !== null && now - this.throttledSince >= this.opts.maxWaitMs) {
      const s = Math.round((now - this.throttledSince) / 1000);
      return `the API answered only throttling errors (${this.lastThrottle}) for ${s} s, more than --max-wait`;
    }
    if (this.unreachableSince !== null && now - this.unreachableSince >= this.opts.maxWaitMs) {
      const s = Math.round((now - this.unreachableSince) / 1000);
      return `cannot reach the API for ${s} s, more than --max-wait: ${this.lastUnreachable}`;
    }
    return null;
  }

  /** When stopReason() may next change on its own (a --max-wait running out), or null. */
  nextCheckAt(): number | null {
    const since = [this.throttledSince, this.unreachableSince].filter((t): t is number => t !== null);
    return since.length === 0 ? null : Math.min(...since) + this.opts.maxWaitMs;
  }
}
