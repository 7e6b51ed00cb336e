// What a send command gives the run use case: the journal, the clock, this process as a lease
// owner, each broadcast's account (profile, settings, credentials, preflight, alerts), confirmation
// on a terminal, progress, the signals, and the --limit budget shared by every broadcast of the command.
import { randomInt } from 'node:crypto';
import { limitBudget } from '../core/engine/budget.js';
import type { Journal } from '../core/journal.js';
import type { BroadcastRecord } from '../core/types.js';
import type { RunDeps, RunSettings, SendAccount } from '../core/usecases/run-broadcast.js';
import { buildRequestBody } from '../whatsapp/payload.js';
import { credentialsFor, resolveAccount } from './account.js';
import { notifyTarget } from './alerts.js';
import type { RunFlags } from './commands/run-flags.js';
import type { Context } from './context.js';
import type { Interrupts } from './interrupts.js';
import { note } from './io.js';
import { newOwner, ownerAlive } from './owner.js';
import { preflight } from './preflight.js';
import { progressReporter } from './progress.js';
import type { RunAlerts } from './run-alerts.js';
import { type OpenedSender, openSender } from './sender.js';

export function runDeps(ctx: Context, journal: Journal, flags: RunFlags, interrupts: Interrupts, alerts: RunAlerts): RunDeps {
  const { io } = ctx;
  const ask = !flags.yes && io.stdinIsTTY;
  return {
    journal,
    clock: ctx.clock,
    random: () => randomInt(0, 2 ** 31) / 2 ** 31,
    owner: newOwner(),
    ownerAlive,
    account: async (b) => sendAccount(ctx, flags, b, journal, alerts),
    ...(flags.wait && { waitForNumber: true }),
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

function sendAccount(ctx: Context, flags: RunFlags, b: BroadcastRecord, journal: Journal, alerts: RunAlerts): SendAccount {
  const account = resolveAccount(ctx, flags, b);
  const creds = credentialsFor(ctx, account, b.target);
  const s = account.settings;
  alerts.register(b, notifyTarget(s.notify) === null ? null : s.notify.value);
  const failureAlert = alerts.failureAlert(b, journal);
  let opened: OpenedSender | null = null;
  return {
    rate: s.rate.value,
    dailyLimit: s.dailyLimit.value,
    dedupWindowMs: s.dedupWindowMs.value,
    open: async (concurrency) => {
      opened = await openSender(b.target, creds, concurrency, s.wabaId.value);
      return opened;
    },
    ...(failureAlert && { failureAlert }),
    ...(flags.preflight && {
      preflight: (planned: BroadcastRecord) =>
        preflight(planned, opened!.graph, { dailyLimit: s.dailyLimit.value, timeoutMs: flags.preflightTimeout }),
    }),
  };
}

export function runSettings(flags: RunFlags): RunSettings {
  return {
    concurrency: flags.concurrency,
    maxAttempts: flags.maxAttempts,
    maxWaitMs: flags.maxWait,
  };
}
