// wa-send report [broadcast-id] [-o FILE] [--since DURATION] [--show-numbers]
import { duration } from '../parse.js';
import type { Register } from './action.js';

export const registerReport: Register = (program, bind) => {
  program
    .command('report')
    .description('write a self-contained HTML report of a broadcast, or of every broadcast of a period')
    .argument('[broadcast-id]', 'the broadcast; without it, every broadcast created in the period (--since)')
    .option('-o, --output <file>', 'where to write it (default wa-send-<id>.html, or wa-send-journal.html); - for stdout')
    .option(
      '--since <duration>',
      'without an id: broadcasts created in this period (e.g. 7d, 12h; default 30d)',
      duration('--since'),
    )
    .option('--show-numbers', 'full phone numbers instead of masked ones (the report becomes personal data)')
    .action(bind(async () => (await import('../actions/report.js')).reportAction));
};
