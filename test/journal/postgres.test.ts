// The PostgreSQL journal: the port's conformance suite against a real server, and what only a
// server can do wrong.
import { describe } from 'vitest';
import { openJournal } from '../../src/journal/index.js';
import { freshJournalUrl } from '../helpers/postgres.js';
import { journalConformance } from './conformance/index.js';

describe('PostgreSQL journal: conformance', () => {
  journalConformance(async () => {
    const url = freshJournalUrl();
    const journal = await openJournal(url);
    return {
      journal,
      reopen: () => openJournal(url),
      cleanup: () => journal.close(),
    };
  });
});
