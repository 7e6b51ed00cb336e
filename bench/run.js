// npm run bench: planning throughput and memory, sending throughput, rate adherence and memory,
// webhook burst; `npm run bench -- postgres`: planning, journaled sending and --rate 1000 on a
// PostgreSQL journal beside the same runs on SQLite. Every number comes from a real process: the
// wa-send binary or the same modules, the sandbox in its own process on 127.0.0.1. Data is
// generated at run time under bench/.data/.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { BIN, broadcastArgs, ROOT, run, scratchDir, startPostgres, startSandbox, writeRecipientsCsv } from './lib.js';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
// `postgres` is its own suite: `npm run bench` alone keeps to the SQLite figures of the README.
const results = [];
const report = (name, figures) => {
  results.push({ name, ...figures });
  console.log(
    `${name}: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
};

/** The span of the accepted attempts of a journal (a file or a postgres:// URL). */
async function acceptedSpan(journal) {
  const sql =
    'SELECT min(started_at) AS first, max(started_at) AS "lastStart", max(finished_at) AS last, count(*) AS n FROM attempts WHERE outcome = \'accepted\'';
  if (!journal.startsWith('postgres')) {
    const db = new Database(journal, { readonly: true });
    try {
      return db.prepare(sql).get();
    } finally {
      db.close();
    }
  }
  const url = new URL(journal);
  const schema = url.searchParams.get('schema');
  url.search = '';
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const row = (await client.query(sql)).rows[0];
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}

async function sendBench(name, { recipients, rate, concurrency, sandboxArgs, journal }) {
  const dir = scratchDir(name);
  const csv = join(dir, 'recipients.csv');
  await writeRecipientsCsv(csv, recipients);
  const sandbox = await startSandbox(sandboxArgs);
  const location = journal ?? join(dir, 'journal.db');
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    WA_SEND_JOURNAL: location,
    WA_API_URL: sandbox.url,
    WA_PHONE_NUMBER_ID: '100200300',
    WA_ACCESS_TOKEN: 'bench-token-not-secret',
  };
  // Plan first (not timed), then time the send alone with `resume`.
  const planned = await run(process.execPath, [BIN, ...broadcastArgs(csv), '--limit', '0', '--json'], { env });
  const id = JSON.parse(planned.stdout).id;
  const sent = await run(
    process.execPath,
    [BIN, 'resume', id, '--rate', String(rate), '--concurrency', String(concurrency), '--quiet', '--json'],
    { env },
  );
  const status = JSON.parse(sent.stdout);
  const stats = await sandbox.stats();
  await sandbox.stop();
  // Journaled throughput: from the first request started to the last answer recorded. The rate
  // bench also reports the pace of starts alone (what --rate governs), without the final drain.
  const span = await acceptedSpan(location);
  rmSync(dir, { recursive: true, force: true });
  const secs = (span.last - span.first) / 1000;
  const startsPerS = (span.n - 1) / ((span.lastStart - span.first) / 1000);
  return {
    exit: sent.code,
    status,
    stats,
    secs,
    startsPerS,
    journaled: span.n,
    wall: sent.wallS,
    cpu: sent.cpuS,
    rss: sent.peakRssMb,
  };
}

async function planBench(rows, journal) {
  const dir = scratchDir('plan');
  const csv = join(dir, 'recipients.csv');
  await writeRecipientsCsv(csv, rows);
  const r = await run(process.execPath, [join(ROOT, 'bench', 'plan-child.js'), csv, journal ?? join(dir, 'journal.db')]);
  rmSync(dir, { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`plan-child failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), peakRssMb: r.peakRssMb, cpuS: r.cpuS };
}

if (want('plan')) {
  const out = await planBench(Number(process.env.BENCH_PLAN_ROWS ?? 1_000_000));
  report('plan', {
    rows: out.rows,
    recipients: out.recipients,
    seconds: out.seconds.toFixed(1),
    rows_per_s: Math.round(out.rows / out.seconds),
    peak_rss_mb: Math.round(out.peakRssMb),
  });
}

if (want('throughput')) {
  const n = Number(process.env.BENCH_SEND_RECIPIENTS ?? 100_000);
  const r = await sendBench('throughput', { recipients: n, rate: 100_000, concurrency: 64, sandboxArgs: [] });
  report('send-throughput (0 ms latency, sandbox in another process)', {
    recipients: r.status.recipients,
    accepted: r.status.counts.sent,
    exit: r.exit,
    msg_per_s: Math.round(r.journaled / r.secs),
    wall_s: r.wall.toFixed(1),
    cpu_pct: Math.round((100 * r.cpu) / r.wall),
    peak_rss_mb: Math.round(r.rss),
    duplicates: r.stats.duplicates.length,
  });
}

if (want('rate')) {
  const n = Number(process.env.BENCH_RATE_RECIPIENTS ?? 20_000);
  const r = await sendBench('rate', {
    recipients: n,
    rate: 1000,
    concurrency: 256,
    sandboxArgs: ['--latency', '100', '--jitter', '50'],
  });
  report('rate-adherence (--rate 1000, 100±50 ms latency)', {
    accepted: r.stats.accepted,
    exit: r.exit,
    sustained_starts_per_s: Math.round(r.startsPerS),
    end_to_end_msg_per_s: Math.round(r.journaled / r.secs),
    max_starts_in_any_1s: r.stats.max_starts_in_1s,
    sandbox_max_loop_delay_ms: r.stats.max_loop_delay_ms,
    peak_concurrency: r.stats.peak_concurrency,
  });
}

if (want('webhook')) {
  const r = await run(process.execPath, [join(ROOT, 'bench', 'webhook-burst.js')], { env: process.env });
  process.stdout.write(r.stdout);
  if (r.code !== 0) process.stderr.write(r.stderr);
}

// Only when asked by name: the same plan and sends on SQLite and on PostgreSQL, side by side.
if (only.includes('postgres')) {
  const server = await startPostgres();
  try {
    const rows = Number(process.env.BENCH_PLAN_ROWS ?? 1_000_000);
    const sendN = Number(process.env.BENCH_SEND_RECIPIENTS ?? 100_000);
    const rateN = Number(process.env.BENCH_RATE_RECIPIENTS ?? 20_000);
    for (const [journal, label] of [
      [undefined, 'sqlite'],
      [server.journalUrl(), 'postgres'],
    ]) {
      const cpu0 = server.cpuSeconds();
      const p = await planBench(rows, journal);
      report(`${label} plan`, {
        rows: p.rows,
        recipients: p.recipients,
        seconds: p.seconds.toFixed(1),
        rows_per_s: Math.round(p.rows / p.seconds),
        peak_rss_mb: Math.round(p.peakRssMb),
        server_cpu_s: label === 'postgres' ? (server.cpuSeconds() - cpu0).toFixed(1) : '-',
      });
    }
    for (const [journal, label] of [
      [undefined, 'sqlite'],
      [server.journalUrl(), 'postgres'],
    ]) {
      const cpu0 = server.cpuSeconds();
      const r = await sendBench(`throughput-${label}`, {
        recipients: sendN,
        rate: 100_000,
        concurrency: 64,
        sandboxArgs: [],
        journal,
      });
      report(`${label} send 0 ms latency`, {
        accepted: r.status.counts.sent,
        exit: r.exit,
        msg_per_s: Math.round(r.journaled / r.secs),
        wall_s: r.wall.toFixed(1),
        wa_send_cpu_pct: Math.round((100 * r.cpu) / r.wall),
        server_cpu_pct: label === 'postgres' ? Math.round((100 * (server.cpuSeconds() - cpu0)) / r.wall) : '-',
        peak_rss_mb: Math.round(r.rss),
        duplicates: r.stats.duplicates.length,
      });
    }
    for (const [journal, label] of [
      [undefined, 'sqlite'],
      [server.journalUrl(), 'postgres'],
    ]) {
      const cpu0 = server.cpuSeconds();
      const r = await sendBench(`rate-${label}`, {
        recipients: rateN,
        rate: 1000,
        concurrency: 256,
        sandboxArgs: ['--latency', '100', '--jitter', '50'],
        journal,
      });
      report(`${label} --rate 1000, 100±50 ms latency`, {
        accepted: r.stats.accepted,
        exit: r.exit,
        sustained_starts_per_s: Math.round(r.startsPerS),
        end_to_end_msg_per_s: Math.round(r.journaled / r.secs),
        max_starts_in_any_1s: r.stats.max_starts_in_1s,
        wa_send_cpu_pct: Math.round((100 * r.cpu) / r.wall),
        server_cpu_pct: label === 'postgres' ? Math.round((100 * (server.cpuSeconds() - cpu0)) / r.wall) : '-',
        peak_rss_mb: Math.round(r.rss),
      });
    }
  } finally {
    await server.stop();
  }
}

console.log(JSON.stringify(results));
