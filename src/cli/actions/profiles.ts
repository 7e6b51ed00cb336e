// profiles: every profile of the config file, with where its token comes from; never a token, and
// a notify URL cut to its host (a chat webhook URL is a secret of its own).
import { describeProfile } from '../../config/index.js';
import type { Context } from '../context.js';
import { note, printJson, printLine } from '../io.js';

export async function profilesAction(ctx: Context, flags: { json?: boolean }): Promise<number> {
  const config = ctx.config();
  const described = [...config.profiles.values()].map(describeProfile);
  if (flags.json) {
    printJson(
      ctx.io,
      described.map((d) => d.json),
    );
    return 0;
  }
  if (config.path === null) {
    note(ctx.io, 'No config file: wa-send sends with flags and environment only (see "Profiles" in the README).');
    return 0;
  }
  if (described.length === 0) {
    printLine(ctx.io.stdout, `${config.path} defines no profiles.`);
    return 0;
  }
  const chosen = ctx.globals.profile ?? ctx.env.WA_SEND_PROFILE?.trim();
  printLine(ctx.io.stdout, `Profiles in ${config.path}:`);
  for (const d of described) {
    printLine(ctx.io.stdout, `\n${d.name}${d.name === chosen ? ' (selected)' : ''}`);
    for (const line of d.lines) printLine(ctx.io.stdout, `  ${line}`);
  }
  return 0;
}
