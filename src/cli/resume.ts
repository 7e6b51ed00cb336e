// wa-send resume <broadcast-id> [run flags]: continue an unfinished broadcast.
import type { Command } from 'commander';
import type { Wrap } from '../main.js';
import type { Context } from './context.js';
import { addRunFlags, type RunFlags } from './run-flags.js';
import { sendBroadcast } from './send.js';

export function registerResume(program: Command, wrap: Wrap): void {
  addRunFlags(program.command('resume')
    .description('continue an unfinished, paused or halted broadcast where it stopped')
    .argument('<broadcast-id>'))
    .action(wrap(async (ctx: Context, id: string, flags: RunFlags) => {
      const db = ctx.openJournal();
      try {
        return await sendBroadcast(ctx, db, id, flags, { mode: 'resume', fresh: false });
      } finally {
        db.close();
      }
    }));
}
