// broadcast: plan (or find) the broadcast, then run it. Ctrl-C while planning leaves nothing.
import { PlanInterrupted, type PlanResult, planBroadcast } from '../../core/plan.js';
import { runBroadcast } from '../../core/usecases/run-broadcast.js';
import { openCsvInput } from '../../csv/input.js';
import { workerNormalizer } from '../../threads/normalizer.js';
import { credentialsFor, resolveAccount, warnEnvOverrides } from '../account.js';
import { notifyTarget } from '../alerts.js';
import type { RunFlags } from '../commands/run-flags.js';
import type { Context } from '../context.js';
import { countryFromFlag } from '../country.js';
import { printDryRun } from '../dry-run.js';
import { trapInterrupts } from '../interrupts.js';
import { errorOut, note, printable } from '../io.js';
import { type MessageCliFlags, messageFromCliFlags } from '../message-flags.js';
import { signalExit } from '../outcome.js';
import { RunAlerts } from '../run-alerts.js';
import { runDeps, runSettings } from '../run-deps.js';
import { finishRun } from '../run-report.js';
import { DEFAULT_API_URL } from '../target.js';

interface BroadcastFlags extends MessageCliFlags, RunFlags {
  key?: string;
  name?: string;
  dryRun?: boolean;
}

export async function broadcastAction(ctx: Context, csvArg: string, flags: BroadcastFlags): Promise<number> {
  const message = messageFromCliFlags(flags);
  const defaultCountry = countryFromFlag(flags.defaultCountry);
  const account = resolveAccount(ctx, flags);
  const { target } = account;
  warnEnvOverrides(ctx, account);
  notifyTarget(account.settings.notify); // a bad target is exit 2 before anything is planned
  // Before planning: a plan we cannot send helps nobody, and leaves a broadcast planned forever.
  if (!flags.dryRun) credentialsFor(ctx, account, target);
  const planTarget = target ?? { api_url: DEFAULT_API_URL, phone_number_id: '(WA_PHONE_NUMBER_ID not set)' };
  let planned: string | null = null;
  const interrupts = trapInterrupts(ctx.io, () => (planned ? `wa-send resume ${planned}` : null));
  const alerts = new RunAlerts(ctx, flags.alertFailureRate);
  try {
    const input = await openCsvInput(csvArg, () => ctx.io.stdin());
    try {
      return await ctx.withJournal({ readonly: Boolean(flags.dryRun) }, async (journal) => {
        const normalizer = workerNormalizer(defaultCountry);
        let plan: PlanResult;
        try {
          plan = await planBroadcast(
            {
              source: input.source,
              message,
              maxInvalidPct: flags.maxInvalid,
              target: planTarget,
              dryRun: Boolean(flags.dryRun),
              now: ctx.clock.now(),
              signal: interrupts.signal,
              dedupWindowMs: account.settings.dedupWindowMs.value,
              requireOptin: account.settings.requireOptin.value,
              profile: account.profile?.name ?? null,
              ...(flags.phoneColumn !== undefined && { phoneColumn: flags.phoneColumn }),
              ...(flags.key !== undefined && { key: flags.key }),
              ...(flags.name !== undefined && { name: flags.name }),
            },
            journal,
            normalizer,
          );
        } finally {
          await normalizer.close();
        }
        if (flags.dryRun) {
          printDryRun(ctx, input.source.name, plan, planTarget, Boolean(flags.json));
          return 0;
        }
        if (plan.broadcastId === null) {
          note(ctx.io, `${printable(input.source.name)} has a header but no rows: nothing to send.`);
          return 0;
        }
        planned = plan.broadcastId;
        if (plan.existing)
          note(ctx.io, `Broadcast ${plan.broadcastId} has this key already: continuing it, nothing is planned twice.`);
        else note(ctx.io, planSummary(plan));
        const summary = await runBroadcast(runDeps(ctx, journal, flags, interrupts, alerts), {
          id: plan.broadcastId,
          mode: 'broadcast',
          requested: { target, explicit: true },
          settings: runSettings(flags),
        });
        return finishRun(ctx, summary, Boolean(flags.json), interrupts, alerts);
      });
    } finally {
      input.close();
    }
  } catch (err) {
    if (!(err instanceof PlanInterrupted)) throw err;
    errorOut(ctx.io, `${err.message} (${interrupts.received() ?? 'interrupted'})`);
    return signalExit(interrupts.received());
  } finally {
    await alerts.drain();
    interrupts.release();
  }
}

function planSummary(plan: PlanResult): string {
  const rejected = Object.entries(plan.rejections)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  return `Planned broadcast ${plan.broadcastId}: ${plan.recipients} recipients from ${plan.rowsRead} rows${rejected ? ` (rejected: ${rejected})` : ''}.`;
}
