// wa-send status [id] [--json] [--recipients [--state S] [--format table|csv|json]]
import { Option } from 'commander';
import { RECIPIENT_STATES } from '../../core/types.js';
import type { Register } from './action.js';

export const registerStatus: Register = (program, bind) => {
  program
    .command('status')
    .description('show broadcasts (newest first), or one broadcast in detail')
    .argument('[broadcast-id]')
    .option('--json', 'print the status object(s) as JSON')
    .option('--recipients', 'list the rows of the broadcast (recipients and rejected rows)')
    .addOption(
      new Option('--state <state>', 'with --recipients: only rows in this state').choices([...RECIPIENT_STATES, 'rejected']),
    )
    .addOption(
      new Option('--format <format>', 'rows output format (implies --recipients; default table)').choices([
        'table',
        'csv',
        'json',
      ]),
    )
    .action(bind(async () => (await import('../actions/status.js')).statusAction));
};
