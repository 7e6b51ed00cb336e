// Output of `broadcast --dry-run`: counts and the exact first request body (DESIGN §11).
import type { PlanResult } from '../core/plan.js';
import { recipientKey, type Target } from '../core/types.js';
import { buildRequestBody } from '../whatsapp/payload.js';
import type { Context } from './context.js';
import { printable, printJson, printLine } from './io.js';
import { DEFAULT_API_VERSION } from './target.js';

export function printDryRun(ctx: Context, inputName: string, plan: PlanResult, target: Target, json: boolean): void {
  const first = plan.firstRecipient;
  const vars = first?.vars ? (JSON.parse(first.vars) as Record<string, string>) : {};
  const request = first ? buildRequestBody(plan.spec, first.phone, vars, recipientKey('<broadcast-id>', first.phone)) : null;
  if (json) {
    printJson(ctx.io, {
      dry_run: true,
      recipients: plan.recipients,
      rows: plan.rowsRead,
      rejections: plan.rejections,
      key: plan.key,
      existing: plan.existing?.id ?? null,
      request,
    });
    return;
  }
  const out = ctx.io.stdout;
  printLine(out, `Dry run of ${printable(inputName)}: nothing was written.`);
  if (plan.existing) {
    printLine(out, `  a broadcast with this key exists already: ${plan.existing.id} (running it again would continue that one)`);
  }
  printLine(out, `  rows read       ${plan.rowsRead} (phone column "${printable(plan.phoneColumn)}")`);
  printLine(out, `  recipients      ${plan.recipients}`);
  for (const [reason, n] of Object.entries(plan.rejections)) if (n > 0) printLine(out, `  ${reason.padEnd(15)} ${n}`);
  if (!request) return;
  const version = ctx.env.WA_API_VERSION ?? DEFAULT_API_VERSION;
  const url =
    target === 'sandbox'
      ? `(sandbox)/${version}/<phone-number-id>/messages`
      : `${target.api_url}/${version}/${target.phone_number_id}/messages`;
  printLine(out, `First request (line ${first!.line}): POST ${url}`);
  printLine(out, JSON.stringify(request, null, 2));
}
