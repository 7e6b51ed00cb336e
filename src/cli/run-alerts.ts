// Alerts of broadcast, resume and retry-failed: each broadcast's notify target (flag > env > its
// profile) is remembered when its account is resolved; a run that halts, stops at the daily limit
// or ends partial above --alert-failure-rate sends one alert when it ends, and the failure rate
// crossing that threshold mid-run sends one while it goes on. Never blocks, never changes an exit code.
import type { FailureRateAlert } from '../core/engine/engine.js';
import type { Journal } from '../core/journal.js';
import { broadcastAlert, runAlert } from '../core/rules/run-alerts.js';
import type { BroadcastRecord } from '../core/types.js';
import { broadcastStatus } from '../core/usecases/broadcasts.js';
import type { RunSummary } from '../core/usecases/run-broadcast.js';
import { AlertCourier } from './alerts.js';
import type { Context } from './context.js';
import type { Verdict } from './outcome.js';
import { ownerAlive } from './owner.js';

export class RunAlerts {
  private readonly courier: AlertCourier;
  private readonly targets = new Map<string, string>();

  constructor(
    private readonly ctx: Context,
    private readonly thresholdPct: number,
  ) {
    this.courier = new AlertCourier(ctx.io);
  }

  /** The broadcast's notify target (already checked), or null: no alerts for it. */
  register(b: BroadcastRecord, notify: string | null): void {
    if (notify !== null) this.targets.set(b.id, notify);
    else this.targets.delete(b.id);
  }

  /** For the engine: fires once when the share of failed answers over the last ones crosses the threshold. */
  failureAlert(b: BroadcastRecord, journal: Journal): FailureRateAlert | undefined {
    const notify = this.targets.get(b.id);
    if (notify === undefined) return undefined;
    return {
      threshold: this.thresholdPct,
      fire: (rate, window) => {
        const pct = Math.round(rate * 100);
        const text = `broadcast ${b.id}: ${pct}% of the last ${window} answers failed (--alert-failure-rate ${this.thresholdPct}%); it goes on sending`;
        // The counts are read after the fact: the engine does not wait for them.
        void broadcastStatus(journal, b.id, this.ctx.clock.now(), ownerAlive)
          .catch(() => null)
          .then((status) => this.courier.send(notify, broadcastAlert('failure_rate', status, b, text, this.ctx.clock.now())));
      },
    };
  }

  /** When a run ends: the alert its outcome calls for, if any. */
  afterRun(s: RunSummary, verdict: Verdict): void {
    const notify = this.targets.get(s.id);
    if (notify === undefined) return;
    const alert = runAlert({ summary: s, thresholdPct: this.thresholdPct, line: verdict.line, now: this.ctx.clock.now() });
    if (alert) this.courier.send(notify, alert);
  }

  drain(): Promise<void> {
    return this.courier.drain();
  }
}
