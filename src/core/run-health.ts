// When a run should give up for now (exit 6, `resume` later) although rows are left: the API has
// answered nothing but throttling for longer than --max-wait (throttling spends no attempt, so
// without this a cron job against a saturated API would never end), or it has stopped answering
// at all (each request that times out after being written becomes `unknown`, so carrying on would
// turn the whole list into rows nobody can safely re-send).
import type { SendOutcome } from './sender.js';

export interface RunHealthOptions {
  maxWaitMs: number;
  /** Requests in a row written but never answered before the run stops claiming. */
  unansweredStreak: number;
}

export class RunHealth {
  private throttledSince: number | null = null;
  private lastThrottle = '';
  private unanswered = 0;
  private lastUnanswered = '';

  constructor(private readonly opts: RunHealthOptions) {}

  observe(outcome: SendOutcome, throttle: boolean, now: number): void {
    if (outcome.kind === 'unreachable') return; // never sent: the network pause has its own budget
    if (outcome.kind === 'unknown') {
      this.unanswered++;
      this.lastUnanswered = outcome.detail;
      return;
    }
    this.unanswered = 0;
    if (throttle && outcome.kind === 'error') {
      this.throttledSince ??= now;
      this.lastThrottle = `${outcome.code ?? `HTTP ${outcome.httpStatus}`} ${outcome.title}`;
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
      return `the API answered only throttling errors (${this.lastThrottle}) for ${Math.round((now - this.throttledSince) / 1000)} s, more than --max-wait`;
    }
    return null;
  }

  /** How long the run may sleep before stopReason() must be asked again. */
  sleepCap(now: number, wantMs: number): number {
    if (this.throttledSince === null) return wantMs;
    return Math.max(1, Math.min(wantMs, this.throttledSince + this.opts.maxWaitMs - now));
  }
}
