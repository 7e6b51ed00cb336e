// wa-send broadcast <csv> [message flags] [run flags]: plan (or find) the broadcast, then send it.
import type { Command } from 'commander';
import { planBroadcast, type PlanResult } from '../core/plan.js';
import { workerNormalizer } from '../core/normalizer.js';
import { SqlitePlanStore } from '../journal/plan-store.js';
import type { Wrap } from '../main.js';
import type { Context } from './context.js';
import { printDryRun } from './dry-run.js';
import { note } from './io.js';
import { addMessageFlags, countryFromFlag, messageFromCliFlags, type MessageCliFlags } from './message-flags.js';
import { addRunFlags, type RunFlags } from './run-flags.js';
import { sendBroadcast } from './send.js';
import { DEFAULT_API_URL, requireCredentials, resolveTarget } from './target.js';

interface BroadcastFlags extends MessageCliFlags, RunFlags { key?: string; name?: string; dryRun?: boolean }

export function registerBroadcast(program: Command, wrap: Wrap): void {
  const command = program.command('broadcast')
    .description('plan a broadcast from a CSV (normalize, deduplicate, journal), then send it')
    .argument('<recipients.csv>');
  addMessageFlags(command);
  addRunFlags(command)
    .option('--key <string>', 'idempotency key (cron: --key promo-$(date +%F)); default: a hash of target, message and recipients')
    .option('--name <label>', 'a label shown by status')
    .option('--dry-run', 'read, normalize and render, print counts and the first request; write nothing')
    .action(wrap(broadcastAction));
}

async function broadcastAction(ctx: Context, csvPath: string, flags: BroadcastFlags): Promise<number> {
  const message = messageFromCliFlags(flags);
  const defaultCountry = countryFromFlag(flags.defaultCountry);
  const target = resolveTarget(flags, ctx.env);
  if (!flags.dryRun) requireCredentials(target, ctx.env); // before planning: a plan we can't send helps nobody
  const dryTarget = target ?? { api_url: DEFAULT_API_URL, phone_number_id: '(WA_PHONE_NUMBER_ID not set)' };

  const db = ctx.openJournal({ readonly: Boolean(flags.dryRun) });
  try {
    let plan: PlanResult;
    const normalizer = workerNormalizer(defaultCountry);
    try {
      plan = await planBroadcast({
        csvPath, message, maxInvalidPct: flags.maxInvalid, target: dryTarget, dryRun: Boolean(flags.dryRun),
        ...(flags.phoneColumn !== undefined && { phoneColumn: flags.phoneColumn }),
        ...(defaultCountry !== undefined && { defaultCountry }),
        ...(flags.key !== undefined && { key: flags.key }),
        ...(flags.name !== undefined && { name: flags.name }),
      }, new SqlitePlanStore(db), normalizer);
    } finally {
      await normalizer.close();
    }
    if (flags.dryRun) {
      printDryRun(ctx, csvPath, plan, dryTarget, Boolean(flags.json));
      return 0;
    }
    if (plan.broadcastId === null) {
      note(ctx.io, `${csvPath} has a header but no rows: nothing to send.`);
      return 0;
    }
    if (plan.existing) note(ctx.io, `Broadcast ${plan.broadcastId} has this key already (${plan.key}): continuing it, nothing is planned twice.`);
    else note(ctx.io, planSummary(plan));
    return await sendBroadcast(ctx, db, plan.broadcastId, flags, { mode: 'broadcast', fresh: !plan.existing });
  } finally {
    db.close();
  }
}

function planSummary(plan: PlanResult): string {
  const rejected = Object.entries(plan.rejections).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(', ');
  return `Planned broadcast ${plan.broadcastId}: ${plan.recipients} recipients from ${plan.rowsRead} rows${rejected ? ` (rejected: ${rejected})` : ''}.`;
}
