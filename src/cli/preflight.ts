// The preflight of broadcast, resume and retry-failed: doctor's token, number and template checks
// against the endpoint the run will send to, before the first message. A failed check stops the
// run with nothing sent; a check that could not finish (a timeout) is a warning and the run goes on.

import type { BroadcastRecord } from '../core/types.js';
import type { PreflightResult } from '../core/usecases/run-broadcast.js';
import { apiChecks } from './doctor/checks.js';
import type { GraphEndpoint } from './sender.js';

export async function preflight(
  b: BroadcastRecord,
  graph: GraphEndpoint,
  opts: { dailyLimit: number | null; timeoutMs: number },
): Promise<PreflightResult> {
  const results = await apiChecks({
    ...graph,
    timeoutMs: opts.timeoutMs,
    message: b.spec.message,
    dailyLimit: opts.dailyLimit,
    strict: false,
  });
  const failed = results.find((r) => r.status === 'fail');
  if (failed) return { ok: false, check: failed.check, line: failed.line };
  return { ok: true, warnings: results.filter((r) => r.status === 'warn').map((r) => `${r.check}: ${r.line}`) };
}
