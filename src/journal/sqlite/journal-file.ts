// The journal as a file on disk, watched while a run uses it:
// - every call's SQLite errors are translated into the port's terms (busy, full, io…);
// - the file must still be the one we opened: a journal deleted or replaced mid-run would take every
//   answer recorded since with it, and the next `broadcast` would plan and send it all again;
// - the WAL stays bounded: with commits every few milliseconds a background PASSIVE checkpoint never
//   catches up with the writer, so the WAL would only ever grow (GBs for a large run). Once it is
//   over WAL_CHECKPOINT_BYTES, a checkpoint runs right after one of our commits, when nothing else is
//   writing, so it completes and the next commit starts the WAL over (cut back by journal_size_limit).
import { statSync } from 'node:fs';
import { JournalError } from '../../core/journal.js';
import { BUSY_TIMEOUT_MS, type Db } from './db.js';
import { translateError } from './errors.js';

/** The WAL may grow to this before a checkpoint restarts it (the README documents ≤ 64 MB). */
export const WAL_CHECKPOINT_BYTES = 16 * 1024 * 1024;
const IDENTITY_CHECK_MS = 1000;
const WAL_CHECK_MS = 500;

export interface RunOptions {
  /** A shorter wait for another writer's lock (the engine backs off asynchronously instead). */
  busyTimeoutMs?: number;
  /** Verify (at most once a second) that the path still names the file we opened. */
  checkIdentity?: boolean;
}

export class JournalFile {
  private readonly identity: { dev: number; ino: number } | null;
  private identityCheckedAt = 0;
  private walCheckedAt = 0;
  private autoCheckpointOff = false;
  /** What openDatabase set; run() changes it only when a call wants another. */
  private busyTimeoutMs = BUSY_TIMEOUT_MS;

  constructor(
    private readonly db: Db,
    readonly path: string,
  ) {
    this.identity = db.memory ? null : fileIdentity(path);
  }

  run<T>(fn: () => T, opts: RunOptions = {}): T {
    try {
      if (opts.checkIdentity) this.checkIdentity();
      this.useBusyTimeout(opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS);
      return fn();
    } catch (err) {
      throw translateError(err, this.path);
    }
  }

  /** A PRAGMA costs more than a run's exchange: set the wait only when it changes. */
  private useBusyTimeout(ms: number): void {
    if (ms === this.busyTimeoutMs) return;
    this.db.pragma(`busy_timeout = ${ms}`);
    this.busyTimeoutMs = ms;
  }

  /** After a run's commit: keep the WAL bounded. Never throws (the next commit reports real trouble). */
  afterWrite(): void {
    if (this.db.memory || this.db.readonly) return;
    const now = Date.now();
    if (now - this.walCheckedAt < WAL_CHECK_MS) return;
    this.walCheckedAt = now;
    try {
      if (!this.autoCheckpointOff) {
        // SQLite's own checkpoint would run inside whichever commit crosses 1000 pages; ours runs here.
        this.db.pragma('wal_autocheckpoint = 0');
        this.autoCheckpointOff = true;
      }
      if (walSize(this.path) > WAL_CHECKPOINT_BYTES) this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy (another process checkpointing) or I/O: tried again after the next commit
    }
  }

  /** Back to SQLite's automatic checkpoints, and a last checkpoint so the WAL starts small next time. */
  close(): void {
    if (!this.autoCheckpointOff) return;
    try {
      this.db.pragma('wal_autocheckpoint = 1000');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // another process is using the journal: its own checkpoints will take care of the WAL
    }
  }

  private checkIdentity(): void {
    if (this.identity === null) return;
    const now = Date.now();
    if (now - this.identityCheckedAt < IDENTITY_CHECK_MS) return;
    this.identityCheckedAt = now;
    const current = fileIdentity(this.path);
    if (current === null) {
      throw new JournalError('gone', `the journal file ${this.path} was deleted while this run was using it`);
    }
    if (current.dev !== this.identity.dev || current.ino !== this.identity.ino) {
      throw new JournalError('gone', `the journal file ${this.path} was replaced by another file while this run was using it`);
    }
  }
}

function fileIdentity(path: string): { dev: number; ino: number } | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

/** The preflight's look at the journal: writable, and not damaged (SQLite's quick_check). */
export function checkJournal(db: Db, file: JournalFile): string[] {
  const problems: string[] = [];
  try {
    const result = db.pragma('quick_check', { simple: true });
    if (result !== 'ok') problems.push(`the journal ${file.path} is damaged: ${String(result)}`);
  } catch (err) {
    problems.push(`the journal ${file.path} cannot be checked: ${(err as Error).message}`);
  }
  if (db.readonly || db.memory) return problems;
  try {
    file.run(() => db.exec('BEGIN IMMEDIATE; ROLLBACK;'), { busyTimeoutMs: 1000 });
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}
