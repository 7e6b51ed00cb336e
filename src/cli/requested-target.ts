// Which target a resume or retry-failed command names: flags (explicit) over the environment.
import type { RequestedTarget } from '../core/usecases/run-broadcast.js';
import { resolveTarget, type TargetFlags } from './target.js';

export function requestedTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): RequestedTarget {
  const explicit = Boolean(flags.sandbox) || flags.apiUrl !== undefined || flags.phoneNumberId !== undefined;
  return { target: resolveTarget(explicit ? flags : {}, env), explicit };
}
