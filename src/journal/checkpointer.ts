// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
// crosses the threshold and fsyncs there: 50–300 ms during which a send run starts nothing (seen as
// dips in the rate). While a run is on, the engine's connection skips automatic checkpoints and a
// worker thread with its own connection runs PASSIVE ones (which never block the writer).
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';

const AUTO_CHECKPOINT_PAGES = 1000; // SQLite's default

export interface BackgroundCheckpoints { stop(): Promise<void> }

export function startBackgroundCheckpoints(db: Db, intervalMs = 1000): BackgroundCheckpoints {
  if (db.memory || db.readonly) return { stop: async () => {} };
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { path: db.name, intervalMs }, resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  worker.unref();
  let failed = false;
  worker.on('error', () => { failed = true; }); // fall back to automatic checkpoints below
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.ref(); // keep the process alive until the final checkpoint is done
      if (!failed) worker.postMessage('stop');
      await exited;
      db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    },
  };
}
