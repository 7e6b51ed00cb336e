// retry-failed [id]: one broadcast, or the cron sweep over every broadcast with retries due.
import type { RetrySelection } from '../../core/rules/retry-eligibility.js';
import { retryFailed } from '../../core/usecases/retry-failed.js';
import type { RunFlags } from '../commands/run-flags.js';
import type { Context } from '../context.js';
import { trapInterrupts } from '../interrupts.js';
import { errorOut, note, printJson } from '../io.js';
import { sweepVerdicts, worst } from '../outcome.js';
import { requestedTarget } from '../requested-target.js';
import { RunAlerts } from '../run-alerts.js';
import { runDeps, runSettings } from '../run-deps.js';
import { finishRun, reportRun } from '../run-report.js';

interface RetryFlags extends RunFlags, RetrySelection {}

export async function retryFailedAction(ctx: Context, id: string | undefined, flags: RetryFlags): Promise<number> {
  const selection: RetrySelection = { allErrors: Boolean(flags.allErrors), includeUnknown: Boolean(flags.includeUnknown) };
  const interrupts = trapInterrupts(ctx.io, () => (id ? `wa-send retry-failed ${id}` : 'wa-send retry-failed'));
  const alerts = new RunAlerts(ctx, flags.alertFailureRate);
  try {
    return await ctx.withJournal({}, async (journal) => {
      const entries = await retryFailed(runDeps(ctx, journal, flags, interrupts, alerts), {
        ...(id !== undefined && { id }),
        selection,
        requested: requestedTarget(ctx, flags),
        settings: runSettings(flags),
      });
      if (id !== undefined) {
        const only = entries[0]!;
        return 'run' in only ? finishRun(ctx, only.run, Boolean(flags.json), interrupts, alerts) : 0;
      }
      if (entries.length === 0) note(ctx.io, 'No broadcast has retries due.');
      const codes: number[] = [];
      for (const e of entries) {
        if ('run' in e) {
          codes.push(reportRun(ctx, e.run, Boolean(flags.json), interrupts, alerts).code);
          continue;
        }
        const verdict = sweepVerdicts([e], { signal: null })[0]!;
        errorOut(ctx.io, verdict.line!);
        codes.push(verdict.code);
      }
      if (flags.json)
        printJson(
          ctx.io,
          entries.flatMap((e) => ('run' in e && e.run.status ? [e.run.status] : [])),
        );
      return worst(codes);
    });
  } finally {
    await alerts.drain();
    interrupts.release();
  }
}
