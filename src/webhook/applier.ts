// Applying after the 200: coalesced so a burst of POSTs triggers one pass per event-loop turn,
// not one per request, and never able to fail a POST that is already acknowledged.
import type { EventStore } from '../core/journal.js';

export interface WebhookLogEntry {
  /** debug lines (per-pass apply summaries) are shown only with --verbose. */
  level: 'debug' | 'info' | 'warn' | 'error';
  /** A stable name for --json consumers: batch, applied, optout, rejected, handshake, error, … */
  event: string;
  /** The human line. */
  msg: string;
  [field: string]: unknown;
}
export type WebhookLog = (entry: WebhookLogEntry) => void;

export type ApplyReason = 'startup' | 'batch' | 'sweep' | 'shutdown';

export interface Applier {
  /** Applies soon (after the response has been written); passes never overlap. */
  schedule(reason?: ApplyReason): void;
  runNow(reason: ApplyReason): Promise<void>;
  /** A last pass; later schedule() calls do nothing (the caller may close the journal next). */
  stop(): Promise<void>;
}

export function createApplier(events: EventStore, log: WebhookLog): Applier {
  let scheduled = false;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const pass = async (reason: ApplyReason): Promise<void> => {
    try {
      const r = await events.applyPending(Date.now());
      for (const e of r.errors)
        log({ level: 'error', event: 'error', msg: `could not apply a webhook event (it stays pending): ${e}` });
      for (const o of r.optouts) {
        const what = o.lifted ? 'lifted the opt-out of' : 'opted out';
        log({
          level: 'info',
          event: 'optout',
          phone: o.phone,
          source: o.source,
          lifted: Boolean(o.lifted),
          msg: `${what} ${o.phone} (${o.source})`,
        });
      }
      if (r.applied + r.ignored + r.waiting > 0) {
        log({
          level: reason === 'batch' || reason === 'sweep' ? 'debug' : 'info',
          event: 'applied',
          reason,
          applied: r.applied,
          waiting: r.waiting,
          ignored: r.ignored,
          msg: `applied ${r.applied} events at ${reason} (${r.ignored} ignored: another sender's or a skipped row's; ${r.waiting} still waiting for their send to be recorded)`,
        });
      }
    } catch (err) {
      // The events stay pending in the journal; the next pass (or the next start) applies them.
      log({
        level: 'error',
        event: 'error',
        msg: `could not apply webhook events (they stay pending): ${(err as Error).message}`,
      });
    }
  };
  const runNow = (reason: ApplyReason): Promise<void> => {
    running = running.then(() => pass(reason));
    return running;
  };
  return {
    schedule(reason = 'batch') {
      if (scheduled || stopped) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!stopped) void runNow(reason);
      });
    },
    runNow,
    async stop() {
      stopped = true;
      await runNow('shutdown');
    },
  };
}
