// Alerts for a command: sent without holding the command up, and waited for (boundedly) before the
// command returns its exit code. An alert never changes what a command does or its exit code: a
// delivery that fails is one line on stderr, nothing more.
import type { Resolved } from '../config/index.js';
import type { Alert, Notifier } from '../core/alerts.js';
import { usageError } from '../core/errors.js';
import { type NotifyTarget, notifyLabel, openNotifier, parseNotifyTarget } from '../notify/index.js';
import { errorOut, type IO } from './io.js';

export const DRAIN_TIMEOUT_MS = 10_000;

interface Delivery {
  label: string;
  /** Its one stderr line is written (or it succeeded): nothing more is said about it. */
  settled: boolean;
}

export class AlertCourier {
  private readonly pending = new Map<Promise<void>, Delivery>();

  constructor(
    private readonly io: IO,
    private readonly open: (target: NotifyTarget) => Notifier = openNotifier,
  ) {}

  /** Starts delivering `alert` to the target `notifyValue` names; returns at once. */
  send(notifyValue: string, alert: Alert): void {
    const target = parseNotifyTarget(notifyValue);
    if ('problem' in target) {
      errorOut(this.io, `alert not delivered: the notify target ${target.problem}`);
      return;
    }
    const delivery: Delivery = { label: notifyLabel(target), settled: false };
    // Opened inside the chain: whatever goes wrong, even there, is the delivery's one line.
    const done = Promise.resolve()
      .then(() => this.open(target).send(alert))
      .catch((err: unknown) => this.fail(delivery, err instanceof Error ? err.message : String(err)))
      .finally(() => {
        delivery.settled = true;
        this.pending.delete(done);
      });
    this.pending.set(done, delivery);
  }

  /**
   * Waits for every delivery started so far, at most `timeoutMs` (wall time, not the command's
   * clock: this bounds how long a finished command waits on the network). One that has not
   * finished by then gets its line and is no longer waited for.
   */
  async drain(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(this.pending.keys()), timeout]);
    clearTimeout(timer);
    for (const delivery of this.pending.values()) this.fail(delivery, `no answer within ${timeoutMs / 1000} s`);
    this.pending.clear();
  }

  private fail(delivery: Delivery, reason: string): void {
    if (delivery.settled) return;
    delivery.settled = true;
    errorOut(this.io, `alert not delivered to ${delivery.label}: ${reason}`);
  }
}

/** The notify target a command will use, checked before it does anything; null: alerts are off. */
export function notifyTarget(notify: Resolved<string | null>): NotifyTarget | null {
  if (notify.value === null || notify.value.trim() === '') return null;
  const target = parseNotifyTarget(notify.value);
  if ('problem' in target) throw usageError(`${notify.origin ?? 'the notify target'} ${target.problem}`);
  return target;
}
