// resume: continue an unfinished, paused or halted broadcast where it stopped.
import { runBroadcast } from '../../core/usecases/run-broadcast.js';
import type { RunFlags } from '../commands/run-flags.js';
import type { Context } from '../context.js';
import { trapInterrupts } from '../interrupts.js';
import { requestedTarget } from '../requested-target.js';
import { RunAlerts } from '../run-alerts.js';
import { runDeps, runSettings } from '../run-deps.js';
import { finishRun } from '../run-report.js';

export async function resumeAction(ctx: Context, id: string, flags: RunFlags): Promise<number> {
  const interrupts = trapInterrupts(ctx.io, () => `wa-send resume ${id}`);
  const alerts = new RunAlerts(ctx, flags.alertFailureRate);
  try {
    return await ctx.withJournal({}, async (journal) => {
      const summary = await runBroadcast(runDeps(ctx, journal, flags, interrupts, alerts), {
        id,
        mode: 'resume',
        requested: requestedTarget(ctx, flags),
        settings: runSettings(flags),
      });
      return finishRun(ctx, summary, Boolean(flags.json), interrupts, alerts);
    });
  } finally {
    await alerts.drain();
    interrupts.release();
  }
}
