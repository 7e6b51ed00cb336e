// The journal-fault acceptance runs of issue 8, with the real binary against a sandbox process on
// 127.0.0.1 (run: npm run build && node bench/journal-faults.js [lock10|lock180|wal|full]):
//   lock10   another process holds the journal's write lock for 10 s in the middle of a 1,500-recipient
//            run at --rate 200 against 100 ms latency: exit 0, 0 unknown, everyone accepted once;
//   lock180  the same lock for 3 minutes: exit 5 with one line, at most --concurrency unknown, and a
//            resume sends everybody else, nobody twice;
//   wal      100,000 messages at --rate 1000 against 0 ms: the largest -wal size sampled every second,
//            and the most starts the sandbox saw in any 1-second window;
//   full     the journal on a small tmpfs that fills mid-run: one line, no stack trace; after space is
//            freed, resume finishes with nobody messaged twice (needs root for mount).

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, broadcastArgs, run, scratchDir, startSandbox, writeRecipientsCsv } from './lib.js';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

function envFor(dir, sandbox, journal = join(dir, 'journal.db')) {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    WA_SEND_JOURNAL: journal,
    WA_API_URL: sandbox.url,
    WA_PHONE_NUMBER_ID: '100200300',
    WA_ACCESS_TOKEN: 'bench-token-not-secret',
  };
}

const lastLine = (text) => text.trim().split('\n').at(-1);
const states = (journal) => {
  const db = new Database(journal, { readonly: true });
  try {
    return Object.fromEntries(db.prepare('SELECT state, count(*) n FROM recipients GROUP BY state').raw().all());
  } finally {
    db.close();
  }
};

async function untilAccepted(sandbox, n) {
  while ((await sandbox.stats()).accepted < n) await new Promise((r) => setTimeout(r, 50));
}

async function lockRun(name, holdMs) {
  const dir = scratchDir(name);
  const csv = join(dir, 'recipients.csv');
  await writeRecipientsCsv(csv, 1500);
  const sandbox = await startSandbox(['--latency', '100']);
  const env = envFor(dir, sandbox);
  const journal = env.WA_SEND_JOURNAL;
  const broadcast = run(BIN, [...broadcastArgs(csv), '--rate', '200', '--concurrency', '32', '--yes', '--quiet'], { env });
  await untilAccepted(sandbox, 300);
  const lock = new Database(journal, { timeout: 60_000 });
  const asked = Date.now();
  lock.exec('BEGIN EXCLUSIVE');
  const lockedAt = Date.now();
  await new Promise((r) => setTimeout(r, holdMs));
  lock.exec('ROLLBACK');
  const releasedAt = Date.now();
  lock.close();
  const r = await broadcast;
  const after = states(journal);
  const first = await sandbox.stats();
  console.log(
    `${name}: lock taken after ${lockedAt - asked} ms, held ${((releasedAt - lockedAt) / 1000).toFixed(1)} s; exit ${r.code}; stderr last line: ${lastLine(r.stderr) ?? '(none)'}`,
  );
  console.log(
    `${name}: rows ${JSON.stringify(after)}; sandbox accepted ${first.accepted}, duplicates ${first.duplicates.length}`,
  );
  if (r.code !== 0) {
    const db = new Database(journal, { readonly: true });
    const id = db.prepare('SELECT id FROM broadcasts').pluck().get();
    db.close();
    const resumed = await run(BIN, ['resume', id, '--rate', '1000', '--quiet'], { env });
    const stats = await sandbox.stats();
    console.log(
      `${name}: resume exit ${resumed.code}; rows ${JSON.stringify(states(journal))}; sandbox accepted ${stats.accepted}, duplicates ${stats.duplicates.length}; stderr: ${lastLine(resumed.stderr) ?? '(none)'}`,
    );
  }
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function walRun() {
  const n = Number(process.env.BENCH_WAL_RECIPIENTS ?? 100_000);
  const dir = scratchDir('wal');
  const csv = join(dir, 'recipients.csv');
  await writeRecipientsCsv(csv, n);
  const sandbox = await startSandbox([]);
  const env = envFor(dir, sandbox);
  const planned = await run(BIN, [...broadcastArgs(csv), '--limit', '0', '--json'], { env });
  const id = JSON.parse(planned.stdout).id;
  let maxWal = 0;
  const sampler = setInterval(() => {
    try {
      maxWal = Math.max(maxWal, statSync(`${env.WA_SEND_JOURNAL}-wal`).size);
    } catch {}
  }, 1000);
  const r = await run(BIN, ['resume', id, '--rate', '1000', '--concurrency', '64', '--quiet'], { env });
  clearInterval(sampler);
  const stats = await sandbox.stats();
  console.log(
    `wal: exit ${r.code}; ${stats.accepted} accepted in ${r.wallS.toFixed(0)} s; largest -wal sampled each second: ${(maxWal / 1024 / 1024).toFixed(1)} MB; max starts in any 1 s at the sandbox: ${stats.max_starts_in_1s}; duplicates ${stats.duplicates.length}`,
  );
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function fullRun() {
  const mnt = '/mnt/wa-send-full';
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt]);
  const dir = scratchDir('full');
  try {
    const csv = join(dir, 'recipients.csv');
    await writeRecipientsCsv(csv, 20_000);
    const sandbox = await startSandbox([]);
    const env = envFor(dir, sandbox, join(mnt, 'journal.db'));
    const send = ['--rate', '2000', '--concurrency', '32', '--quiet'];
    // Planned first (--limit 0 sends nothing), then the disk is filled to within ~1 MB: the run's
    // own writes fill it mid-run.
    const planned = await run(BIN, [...broadcastArgs(csv), '--limit', '0', '--yes', ...send], { env });
    const db = new Database(env.WA_SEND_JOURNAL, { readonly: true });
    const id = db.prepare('SELECT id FROM broadcasts').pluck().get();
    db.close();
    const filler = join(mnt, 'filler');
    const { bavail, bsize } = statfsSync(mnt);
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 1024 * 1024)));
    console.log(
      `full: planned (exit ${planned.code}), ${((statfsSync(mnt).bavail * bsize) / 1024).toFixed(0)} KB left on the tmpfs`,
    );
    const r = await run(BIN, ['resume', id, ...send], { env });
    console.log(`full: exit ${r.code}; stderr (${r.stderr.trim().split('\n').length} line): ${lastLine(r.stderr)}`);
    console.log(`full: stack trace printed: ${/\n\s+at /.test(r.stderr)}; rows ${JSON.stringify(states(env.WA_SEND_JOURNAL))}`);
    rmSync(filler);
    const resumed = await run(BIN, ['resume', id, ...send], { env });
    const stats = await sandbox.stats();
    console.log(
      `full: after freeing space, resume exit ${resumed.code}; rows ${JSON.stringify(states(env.WA_SEND_JOURNAL))}; sandbox accepted ${stats.accepted} (unique ${stats.unique_recipients_accepted}), duplicates ${stats.duplicates.length}; stderr: ${lastLine(resumed.stderr) ?? '(none)'}`,
    );
    await sandbox.stop();
  } finally {
    execFileSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (want('lock10')) await lockRun('lock10', 10_000);
if (want('lock180')) await lockRun('lock180', 180_000);
if (want('wal')) await walRun();
if (want('full')) await fullRun();
