// Which target a resume or retry-failed command names: flags and --profile (explicit) over the
// environment and WA_SEND_PROFILE.
import type { RequestedTarget } from '../core/usecases/run-broadcast.js';
import { type AccountFlags, resolveAccount, warnEnvOverrides } from './account.js';
import type { Context } from './context.js';

export function requestedTarget(ctx: Context, flags: AccountFlags): RequestedTarget {
  const account = resolveAccount(ctx, flags);
  warnEnvOverrides(ctx, account);
  return { target: account.target, explicit: account.explicit };
}
