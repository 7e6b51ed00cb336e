// wa-send optout add|remove|list|import: the suppression list.
import { DEFAULT_COUNTRY_OPTION } from '../message-flags.js';
import { percent } from '../parse.js';
import type { Register } from './action.js';
import { commandGroup } from './group.js';

export const registerOptout: Register = (program, bind) => {
  const optout = commandGroup(program, 'optout', 'the suppression list: numbers wa-send never sends to', bind);
  const action = (name: 'optoutAdd' | 'optoutRemove' | 'optoutList' | 'optoutImport') =>
    bind(async () => (await import('../actions/optout.js'))[name]);
  optout
    .command('add')
    .description('add numbers (all or none: an invalid one adds nothing)')
    .argument('<phone...>')
    .option(...DEFAULT_COUNTRY_OPTION)
    .action(action('optoutAdd'));
  optout
    .command('remove')
    .description('remove numbers from the suppression list')
    .argument('<phone...>')
    .option(...DEFAULT_COUNTRY_OPTION)
    .action(action('optoutRemove'));
  optout
    .command('list')
    .description('print the suppression list')
    .option('--json', 'a JSON array of {phone, source, detail, created_at}')
    .action(action('optoutList'));
  optout
    .command('import')
    .description('add every number of a CSV file, or - for standard input (source "import")')
    .argument('<csv>')
    .option('--phone-column <name>', 'the column holding the numbers (default: detect)')
    .option(...DEFAULT_COUNTRY_OPTION)
    .option(
      '--max-invalid <pct>',
      'refuse to import when more than this % of rows are not valid numbers',
      percent('--max-invalid'),
      20,
    )
    .option('--json', 'print the counts as JSON')
    .action(action('optoutImport'));
};
