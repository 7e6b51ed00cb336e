// doctor: one line per check (journal, config, token, number, daily limit, template), --json, and
// exit 0 when nothing failed, 2 when this box is the problem (config, credentials, journal), 4 when
// the account is (token refused, unknown number, a template that cannot be sent). A check that
// could not finish (a timeout) is a warning, as it is before a run.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { WaSendError } from '../../core/errors.js';
import { JournalError } from '../../core/journal.js';
import { type Account, credentialsFor, resolveAccount } from '../account.js';
import type { Context } from '../context.js';
import { apiChecks, type CheckResult } from '../doctor/checks.js';
import { errorOut, printJson, printLine } from '../io.js';
import { hasMessageFlags, type MessageCliFlags, messageFromCliFlags } from '../message-flags.js';
import { EXIT } from '../outcome.js';
import { openSender } from '../sender.js';

interface DoctorFlags extends Omit<MessageCliFlags, 'maxInvalid'> {
  sandbox?: boolean;
  apiUrl?: string;
  phoneNumberId?: string;
  wabaId?: string;
  dailyLimit?: number;
  timeout: number;
  json?: boolean;
}

const MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

export async function doctorAction(ctx: Context, flags: DoctorFlags): Promise<number> {
  const results: CheckResult[] = [await journalCheck(ctx)];
  results.push(...(await accountChecks(ctx, flags)));
  if (flags.json) printJson(ctx.io, { ok: !results.some((r) => r.status === 'fail'), checks: results });
  else for (const r of results) printLine(ctx.io.stdout, `${MARK[r.status]} ${r.check}: ${r.line}`);
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length === 0) return EXIT.ok;
  const code = failed.some((r) => r.exit === 2) ? EXIT.usage : EXIT.halted;
  errorOut(ctx.io, `doctor: ${failed.map((r) => `${r.check} check failed: ${r.line}`).join('; ')} — fix it before sending`);
  return code;
}

async function journalCheck(ctx: Context): Promise<CheckResult> {
  const fail = (line: string): CheckResult => ({ check: 'journal', status: 'fail', exit: 2, line });
  if (ctx.journalMissing()) {
    // Not created by a check: say whether the first command could create it.
    const dir = nearestDirectory(ctx.journalLabel);
    try {
      accessSync(dir, constants.W_OK);
      return { check: 'journal', status: 'pass', line: `${ctx.journalLabel} does not exist yet; the first broadcast creates it` };
    } catch {
      return fail(`${ctx.journalLabel} does not exist and ${dir} is not writable`);
    }
  }
  try {
    const problems = await ctx.withJournal({}, (journal) => journal.check());
    if (problems.length > 0) return fail(problems.join('; '));
    return {
      check: 'journal',
      status: 'pass',
      line: `${ctx.journalLabel} opens, is writable and passes a quick integrity check`,
    };
  } catch (err) {
    if (err instanceof JournalError || err instanceof WaSendError) return fail(err.message);
    throw err;
  }
}

function nearestDirectory(path: string): string {
  let dir = dirname(path);
  for (;;) {
    try {
      accessSync(dir, constants.F_OK);
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return dir;
      dir = up;
    }
  }
}

async function accountChecks(ctx: Context, flags: DoctorFlags): Promise<CheckResult[]> {
  const usage = (check: CheckResult['check'], err: unknown): CheckResult[] => {
    if (!(err instanceof WaSendError)) throw err;
    return [{ check, status: 'fail', exit: 2, line: err.hint ? `${err.message} — ${err.hint}` : err.message }];
  };
  let account: Account;
  try {
    account = resolveAccount(ctx, flags);
  } catch (err) {
    return usage('config', err);
  }
  const results: CheckResult[] = [configResult(account)];
  for (const o of account.settings.envOverrides) {
    results.push({
      check: 'config',
      status: 'warn',
      line: `${o.env} from the environment replaces the ${o.setting} of profile ${account.profile!.name}`,
    });
  }
  let message: Record<string, unknown> | null = null;
  try {
    if (hasMessageFlags(flags)) message = messageFromCliFlags({ ...flags, maxInvalid: 100 });
  } catch (err) {
    return [...results, ...usage('template', err)];
  }
  let creds: ReturnType<typeof credentialsFor>;
  try {
    creds = credentialsFor(ctx, account, account.target);
  } catch (err) {
    return [...results, ...usage('token', err)];
  }
  const opened = await openSender(account.target!, creds, 1, account.settings.wabaId.value);
  try {
    const checks = await apiChecks({
      ...opened.graph,
      timeoutMs: flags.timeout,
      message,
      dailyLimit: account.settings.dailyLimit.value,
      strict: true,
    });
    return [...results, ...checks];
  } finally {
    await opened.close();
  }
}

function configResult(account: Account): CheckResult {
  if (account.target === null)
    return {
      check: 'config',
      status: 'pass',
      line: `${account.profile ? `profile ${account.profile.name}` : 'no profile'}: no sending number set`,
    };
  const target = account.target === 'sandbox' ? 'the built-in sandbox' : `number ${account.target.phone_number_id}`;
  const s = account.settings;
  const from = (r: { from: string; origin: string | null }) => (r.origin ? ` (from ${r.origin})` : ' (default)');
  const profile = account.profile ? `profile ${account.profile.name}: ` : 'no profile: ';
  return {
    check: 'config',
    status: 'pass',
    line: `${profile}sends to ${target}${account.target === 'sandbox' ? '' : from(s.phoneNumberId)}, rate ${s.rate.value} msg/s${from(s.rate)}`,
  };
}
