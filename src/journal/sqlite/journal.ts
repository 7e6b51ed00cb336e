// The SQLite journal: one file, one box (DESIGN §10). Assembles the port's stores over one
// better-sqlite3 connection; every call is synchronous underneath, so a transaction never awaits.
import type { Journal } from '../../core/journal.js';
import { SqliteBroadcastStore } from './broadcast-store.js';
import { type OpenOptions, openDatabase } from './db.js';
import { SqliteCopyStore } from './dump.js';
import { applyPendingEvents, SqliteEventStore } from './event-store.js';
import { checkJournal, JournalFile } from './journal-file.js';
import { SqlitePhoneListStore } from './optout-store.js';
import { SqlitePlanStore } from './plan-store.js';
import { SqliteReportStore } from './report-store.js';
import { SqliteRunStore } from './run-store.js';

export function openSqliteJournal(path: string, opts: OpenOptions = {}): Journal {
  const db = openDatabase(path, opts);
  const file = new JournalFile(db, path);
  let closed = false;
  return {
    location: path,
    plans: new SqlitePlanStore(db, file),
    runs: new SqliteRunStore(db, file, (now) => applyPendingEvents(db, now)),
    broadcasts: new SqliteBroadcastStore(db, file),
    events: new SqliteEventStore(db, file),
    optouts: new SqlitePhoneListStore(db, file, 'optouts'),
    optins: new SqlitePhoneListStore(db, file, 'optins'),
    check: async () => checkJournal(db, file),
    reports: new SqliteReportStore(db, file),
    copy: new SqliteCopyStore(db, file),
    async close() {
      if (closed) return;
      closed = true;
      file.close();
      db.close();
    },
  };
}
