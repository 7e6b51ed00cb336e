// Temporary: sending arrives with the engine.
import type { Db } from '../journal/db.js';
import type { Context } from './context.js';
import type { RunFlags } from './run-flags.js';

export async function sendBroadcast(ctx: Context, _db: Db, id: string, _flags: RunFlags, _opts: { mode: string; fresh: boolean }): Promise<number> {
  ctx.io.stderr.write(`Broadcast ${id} is planned.\n`);
  return 0;
}
