// wa-send journal copy <from> <to>: copy a journal, SQLite <-> PostgreSQL.
import type { Register } from './action.js';

export const registerJournal: Register = (program, bind) => {
  const journal = program.command('journal').description('work on journals themselves');
  journal
    .command('copy')
    .description('copy a journal into a new, empty one: SQLite to PostgreSQL and back (rows in flight become unknown)')
    .argument('<from>', 'the journal to copy: a file path or a postgres:// URL')
    .argument('<to>', 'an empty or new journal: a file path or a postgres:// URL')
    .option('--json', 'print the rows copied per table as JSON')
    .action(bind(async () => (await import('../actions/journal.js')).journalCopyAction));
};
