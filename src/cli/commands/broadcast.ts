// wa-send broadcast <csv> [message flags] [run flags]: plan (or find) the broadcast, then send it.
import { addMessageFlags } from '../message-flags.js';
import type { Register } from './action.js';
import { addRunFlags } from './run-flags.js';

export const registerBroadcast: Register = (program, bind) => {
  const command = program
    .command('broadcast')
    .description('plan a broadcast from a CSV (normalize, deduplicate, journal), then send it')
    .argument('<recipients.csv>', 'the CSV file, or - for standard input');
  addMessageFlags(command);
  addRunFlags(command)
    .option(
      '--key <string>',
      'idempotency key (cron: --key promo-$(date +%F)); default: a hash of target, message and recipients',
    )
    .option('--name <label>', 'a label shown by status')
    .option('--dry-run', 'read, normalize and render, print counts and the first request; write nothing')
    .action(bind(async () => (await import('../actions/broadcast.js')).broadcastAction));
};
