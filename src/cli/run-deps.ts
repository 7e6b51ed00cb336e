// What a send command gives the run use case: the journal, the clock, this process as a lease
// owner, the sender for the target (credentials from the environment), confirmation on a terminal,
// progress, the signals, and the --limit budget shared by every broadcast of the command.
import { randomInt } from 'node:crypto';
import { limitBudget } from '../core/engine/budget.js';
import type { Journal } from '../core/journal.js';
import type { RunDeps, RunSettings } from '../core/usecases/run-broadcast.js';
import { buildRequestBody } from '../whatsapp/payload.js';
import type { RunFlags } from './commands/run-flags.js';
import type { Context } from './context.js';
import type { Interrupts } from './interrupts.js';
import { note } from './io.js';
import { newOwner, ownerAlive } from './owner.js';
import { progressReporter } from './progress.js';
import { openSender } from './sender.js';
import { requireCredentials } from './target.js';

export function runDeps(ctx: Context, journal: Journal, flags: RunFlags, interrupts: Interrupts): RunDeps {
  const { io } = ctx;
  const ask = !flags.yes && io.stdinIsTTY;
  return {
    journal,
    clock: ctx.clock,
    random: () => randomInt(0, 2 ** 31) / 2 ** 31,
    owner: newOwner(),
    ownerAlive,
    openSender: (target, concurrency) => openSender(target, requireCredentials(target, ctx.env), concurrency),
    buildBody: (spec, r) => buildRequestBody(spec, r.phone, r.vars, r.recipientKey),
    ...(ask && {
      confirm: async (question: string) => {
        const answer = await io.confirm(question);
        if (answer === 'interrupted') interrupts.fromPrompt();
        return answer === 'yes';
      },
    }),
    progress: (id, total) => progressReporter(io, total, id),
    notice: (line) => note(io, line),
    signal: interrupts.signal,
    ...(flags.limit !== undefined && { budget: limitBudget(flags.limit) }),
  };
}

export function runSettings(flags: RunFlags): RunSettings {
  return {
    rate: flags.rate,
    concurrency: flags.concurrency,
    maxAttempts: flags.maxAttempts,
    maxWaitMs: flags.maxWait,
    dedupWindowMs: flags.dedupWindow,
  };
}
