// The key send and webhook e2e tests again, on a PostgreSQL journal (the server test/setup/postgres.ts
// started; a schema per test): the real binary against sandbox processes over loopback, and the
// shapes only a shared journal has: receivers in separate processes behind a load balancer, an
// opt-out one of them recorded honoured by the sender, one sender per number across runs, and
// journal copy in both directions.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { isChosen } from '../../src/sandbox/index.js';
import { signatureHeader } from '../../src/webhook/signature.js';
import { collect, csvWithPhones, type SandboxProcess, waitForOutput, workspace } from '../helpers/cli.js';
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';
import { phones, writeCsv } from '../helpers/journal.js';
import type { MemoryIO } from '../helpers/memory-io.js';
import { freshJournalUrl, pgQuery } from '../helpers/postgres.js';
import { startSandboxInProcess } from '../helpers/sandboxes.js';

const SECRET = 'e2e-app-secret';

// The tests of this file run concurrently (each has its own schema, sandbox and processes): they
// mostly wait on rates and latencies, so together they take about as long as the longest one.
type Finished = TestContext['onTestFinished'];

/** A sandbox in this process (this file's tests judge no timing at it), stopped when its test finishes. */
async function sandbox(finished: Finished, args: string[] = []): Promise<SandboxProcess> {
  const s = await startSandboxInProcess(args);
  finished(() => s.stop());
  return s;
}

/** A workspace whose journal is a fresh PostgreSQL schema. */
function pgWorkspace(env: Record<string, string> = {}, urlExtra = '') {
  const url = freshJournalUrl(urlExtra);
  const ws = workspace({ ...env, WA_SEND_JOURNAL: url });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => pgQuery<T>(url, sql, params);
  return { ...ws, url, q };
}

async function webhook(finished: Finished, ws: ReturnType<typeof pgWorkspace>): Promise<string> {
  const child = ws.spawn(['webhook', '--port', '0'], { env: { WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'vt' } });
  const done = collect(child);
  finished(async () => {
    child.kill('SIGTERM');
    await done;
  });
  return waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const onlyId = async (ws: ReturnType<typeof pgWorkspace>) => (await ws.q<{ id: string }>('SELECT id FROM broadcasts'))[0]!.id;

describe.concurrent('sending on a PostgreSQL journal (e2e)', () => {
  it('a) one permanent failure of three → exit 3, status partial; the password is never printed', async ({ onTestFinished }) => {
    const s = await sandbox(onTestFinished, ['--fail', '131026=0.34', '--seed', 'e2e-a']);
    const all = phones(60);
    const bad = all.find((p) => isChosen('e2e-a', p, 131026, 0.34))!;
    const good = all.filter((p) => !isChosen('e2e-a', p, 131026, 0.34)).slice(0, 2);
    const ws = pgWorkspace(s.env);
    const csv = writeCsv(ws.dir, `name,phone\nA,${good[0]}\nB,${bad}\nC,${good[1]}\n`);
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(3);
    const id = /Broadcast (b[a-z0-9]+)/.exec(r.stdout)![1]!;
    const status = JSON.parse((await ws.run(['status', id, '--json'])).stdout);
    expect(status).toMatchObject({
      id,
      state: 'partial',
      recipients: 3,
      counts: { sent: 2, failed: 1 },
      accepted: 2,
      send_failed: 1,
    });
    expect(status.errors).toEqual([{ code: 131026, title: 'Message undeliverable', count: 1 }]);
    const rows = (await ws.run(['status', id, '--recipients', '--state', 'failed', '--format', 'csv'])).stdout.trim().split('\n');
    expect(rows[1]).toContain('131026');
    const password = new URL(ws.url).password;
    for (const out of [r.stdout, r.stderr, (await ws.run(['status', 'bnope'])).stderr]) expect(out).not.toContain(password);
  });

  it('b) 130429 and 131000 on the first attempt → retried, all sent, exit 0, every attempt journaled', async ({
    onTestFinished,
  }) => {
    const s = await sandbox(onTestFinished, ['--fail', '130429=0.2', '--fail', '131000=0.2', '--seed', 'e2e-b']);
    const ws = pgWorkspace(s.env);
    const r = await ws.run(['broadcast', writeCsv(ws.dir, csvWithPhones(40)), '--template', 'hello_world', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts.sent).toBe(40);
    const stats = await s.stats();
    expect(stats.accepted).toBe(40);
    const attempts = await ws.q<{ outcome: string; n: number }>('SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome');
    expect(attempts.reduce((n, a) => n + a.n, 0)).toBe(stats.requests);
    expect(attempts.find((a) => a.outcome === 'accepted')?.n).toBe(40);
  });

  it('c) error 190 halts with no claims after it; resume sends each remaining recipient once', async ({ onTestFinished }) => {
    const s = await sandbox(onTestFinished, ['--fail', '190=0.05', '--seed', 'e2e-c', '--latency', '5']);
    const ws = pgWorkspace(s.env);
    const r = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(200)),
      '--template',
      'hello_world',
      '--yes',
      '--concurrency',
      '4',
    ]);
    expect(r.code).toBe(4);
    const id = /resume (b[a-z0-9]+)/.exec(r.stderr)![1]!;
    const first = await s.stats();
    const counts = Object.fromEntries(
      (await ws.q<{ state: string; n: number }>('SELECT state, count(*) AS n FROM recipients GROUP BY state')).map((x) => [
        x.state,
        x.n,
      ]),
    );
    expect(counts.sent).toBe(first.accepted);
    expect(counts.pending).toBe(200 - first.accepted);
    expect(first.errors_by_code['190']).toBeLessThanOrEqual(4);
    await s.configure({ failures: [] });
    expect((await ws.run(['resume', id, '--rate', '500'])).code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(200);
    expect(stats.duplicates).toEqual([]);
  });

  it('d/e) kill -9 mid-run, then SIGINT mid-resume, then resume: nobody accepted twice, at most --concurrency unknown', async ({
    onTestFinished,
  }) => {
    const s = await sandbox(onTestFinished, ['--latency', '30', '--jitter', '10']);
    const ws = pgWorkspace(s.env);
    const child = ws.spawn([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(300)),
      '--template',
      'hello_world',
      '--yes',
      '--concurrency',
      '8',
      '--rate',
      '400',
    ]);
    child.stdin!.end();
    const killed = collect(child);
    await until('a good part accepted', async () => (await s.stats()).accepted >= 80);
    child.kill('SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');
    const id = await onlyId(ws);
    const resume = ws.spawn(['resume', id, '--concurrency', '8', '--rate', '300']);
    resume.stdin!.end();
    const interrupted = collect(resume);
    await until('the resume sending', async () => (await s.stats()).accepted >= 160);
    resume.kill('SIGINT');
    const r = await interrupted;
    expect(r.code).toBe(130);
    expect(await ws.q("SELECT 1 FROM recipients WHERE state = 'sending'")).toEqual([]);
    const last = await ws.run(['resume', id, '--rate', '400']);
    expect([0, 3]).toContain(last.code);
    const unknown = await ws.q<{ phone: string }>("SELECT phone FROM recipients WHERE state = 'unknown'");
    expect(unknown.length).toBeLessThanOrEqual(8);
    const stats = await s.stats(true);
    expect(stats.duplicates).toEqual([]);
    const states = await ws.q<{ state: string; n: number }>('SELECT state, count(*) AS n FROM recipients GROUP BY state');
    expect(states.filter((x) => x.state !== 'unknown')).toEqual([{ state: 'sent', n: 300 - unknown.length }]);
    expect(stats.accepted).toBeGreaterThanOrEqual(300 - unknown.length);
  });

  it('f) two resume processes on one broadcast at once → one exits 5, no duplicates', async ({ onTestFinished }) => {
    const s = await sandbox(onTestFinished, ['--latency', '20']);
    const ws = pgWorkspace(s.env);
    expect(
      (await ws.run(['broadcast', writeCsv(ws.dir, csvWithPhones(300)), '--template', 'hello_world', '--yes', '--limit', '0']))
        .code,
    ).toBe(6);
    const id = await onlyId(ws);
    const [one, two] = await Promise.all([ws.run(['resume', id, '--rate', '300']), ws.run(['resume', id, '--rate', '300'])]);
    expect([one.code, two.code].sort()).toEqual([0, 5]);
    expect([one, two].find((x) => x.code === 5)!.stderr).toMatch(/being sent by another process/);
    const stats = await s.stats();
    expect(stats.accepted).toBe(300);
    expect(stats.duplicates).toEqual([]);
  });

  it('g) on a profile: a second broadcast on a number that is sending exits 5 naming the broadcast that holds it; with --wait it takes its turn', async ({
    onTestFinished,
  }) => {
    const s = await sandbox(onTestFinished, ['--latency', '100']);
    // Its own application_name: to see whether the stopped run is inside a transaction (below).
    const app = `wa-send-wait-test-${process.pid}`;
    const ws = pgWorkspace({ TOKEN_ACME: 'token-a' }, `&application_name=${app}`);
    const config = join(ws.dir, 'config.toml');
    writeFileSync(
      config,
      `[profiles.acme]\nphone_number_id = "111"\napi_url = "${s.url}"\ntoken_env = "TOKEN_ACME"\nrate = 10\n`,
      {
        mode: 0o600,
      },
    );
    const args = (csv: string, ...flags: string[]) => [
      '--config',
      config,
      '--profile',
      'acme',
      'broadcast',
      csv,
      '--template',
      'hello_world',
      '--yes',
      ...flags,
    ];
    const first = writeCsv(ws.dir, csvWithPhones(16), 'first.csv');
    const second = writeCsv(ws.dir, csvWithPhones(16, 100), 'second.csv');
    // The first run is a real process, stopped (SIGSTOP) while it holds the number, so the two
    // commands below meet it sending however slow this machine is; it goes on once the second waits.
    const running = ws.spawn(args(first, '--json'));
    running.stdin!.end();
    const firstDone = collect(running);
    onTestFinished(() => {
      running.kill('SIGKILL');
    });
    // Before the first run has created the schema, there is no table to read.
    const leases = () => ws.q<{ broadcast_id: string }>('SELECT broadcast_id FROM number_leases').catch(() => []);
    await until('the first run to hold the number', async () => (await leases()).length === 1);
    // Stopped between two transactions, so the commands below are not kept waiting on its row locks.
    const inTransaction = async () =>
      (
        await ws.q<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
          [app],
        )
      )[0]!.n > 0;
    await until('the first run to stop outside a transaction', async () => {
      running.kill('SIGSTOP');
      if (!(await inTransaction())) return true;
      running.kill('SIGCONT');
      return false;
    });
    const holder = (await leases())[0]!.broadcast_id;
    const busy = await ws.run(args(second));
    expect(busy.code).toBe(5);
    expect(busy.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`number 111 is sending broadcast ${holder} .*one sender per number.*--wait`),
    );
    let waiter: MemoryIO | null = null;
    const waiting = ws.run(args(second, '--wait', '--json'), {
      withIO: (io) => {
        waiter = io;
      },
    });
    await until('the second broadcast to wait for its turn', () => waiter?.err().includes('waiting for its turn') ?? false);
    running.kill('SIGCONT');
    const waited = await waiting;
    expect(waited.code).toBe(0);
    const secondId = JSON.parse(waited.stdout).id as string;
    expect(JSON.parse(waited.stdout)).toMatchObject({ sending_number: '111', profile: 'acme', counts: { sent: 16 } });
    const done = await firstDone;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ id: holder, profile: 'acme', counts: { sent: 16 } });
    const stats = await s.stats();
    expect(stats.accepted).toBe(32);
    expect(stats.duplicates).toEqual([]);
    // Sequential, not added up: the second run's first request started after the first run's last answer.
    const span = async (id: string) =>
      (
        await ws.q<{ first: string; last: string }>(
          `SELECT min(a.started_at) AS first, max(a.finished_at) AS last FROM attempts a
             JOIN recipients r ON r.id = a.recipient_id WHERE r.broadcast_id = $1`,
          [id],
        )
      )[0]!;
    expect(Number((await span(secondId)).first)).toBeGreaterThanOrEqual(Number((await span(holder)).last));
    expect(await leases()).toEqual([]); // released
    expect(await ws.q('SELECT DISTINCT sender, profile FROM broadcasts')).toEqual([{ sender: '111', profile: 'acme' }]);
  });
});

describe.concurrent('senders and receivers sharing a PostgreSQL journal (e2e)', () => {
  it('one sender, two receivers behind a load balancer: a STOP one receiver got is honoured at the claim; status counts match the webhooks posted', async ({
    onTestFinished,
  }) => {
    const ws = pgWorkspace();
    const [urlA, urlB] = await Promise.all([webhook(onTestFinished, ws), webhook(onTestFinished, ws)]);
    // Half the webhooks to each receiver, as a load balancer would.
    const balancer = await roundRobin([urlA, urlB]);
    onTestFinished(balancer.close);
    const s = await sandbox(onTestFinished, [
      '--webhook-url',
      balancer.url,
      '--app-secret',
      SECRET,
      '--read-fraction',
      '0.5',
      '--async-fail',
      '131026=0.1',
      '--latency',
      '5',
    ]);
    // The sender is this test's process; the receivers are two others.
    const planned = await ws.run(
      ['broadcast', writeCsv(ws.dir, csvWithPhones(150)), '--template', 'hello_world', '--yes', '--limit', '0'],
      { env: s.env },
    );
    expect(planned.code).toBe(6);
    const id = await onlyId(ws);
    // After planning, a user replies STOP; receiver B records it.
    const stopper = '+14152010149';
    const body = readFileSync(join(WHATSAPP_SAMPLES, 'synthetic', 'inbound-text-stop.json'), 'utf8').replaceAll(
      '15551230000',
      stopper.slice(1),
    );
    const res = await fetch(urlB, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureHeader(body, SECRET) },
    });
    expect(res.status).toBe(200);
    await until('the opt-out', async () => (await ws.q('SELECT 1 FROM optouts WHERE phone = $1', [stopper])).length === 1);
    expect((await ws.run(['resume', id, '--rate', '500'], { env: s.env })).code).toBe(0);
    expect(await ws.q('SELECT state, error_class FROM recipients WHERE phone = $1', [stopper])).toEqual([
      { state: 'skipped', error_class: 'opted_out' },
    ]);
    expect(Object.keys((await s.stats(true)).accepted_by_key).some((k) => k.endsWith(stopper))).toBe(false);
    await until('all webhooks posted', async () => {
      const w = (await s.stats()).webhooks;
      return w.pending === 0 && w.events.sent === 149;
    });
    const emitted = (await s.stats()).webhooks;
    expect(Math.min(...balancer.posts())).toBeGreaterThan(0);
    await until(
      'every event applied',
      async () => (await ws.q('SELECT 1 FROM webhook_events WHERE applied_at IS NULL')).length === 0,
    );
    const status = JSON.parse((await ws.run(['status', id, '--json'])).stdout);
    expect(status.counts.read).toBe(emitted.events.read);
    expect(status.counts.delivered + status.counts.read).toBe(emitted.events.delivered);
    expect(status.counts.failed).toBe(emitted.events.failed);
    expect(status.counts.skipped).toBe(1);
    expect(status.accepted).toBe(149);
    expect(emitted.duplicates).toBeGreaterThan(0);
  });

  it('journal copy SQLite → PostgreSQL of a broadcast stopped half way, resume on PostgreSQL, copy back', async ({
    onTestFinished,
  }) => {
    const s = await sandbox(onTestFinished, ['--latency', '10']);
    const local = workspace(s.env);
    const csv = writeCsv(local.dir, csvWithPhones(300));
    const half = await local.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--limit', '120', '--rate', '1000']);
    expect(half.code).toBe(6);
    const id = /resume (b[a-z0-9]+)/.exec(half.stderr)![1]!;
    const pgUrl = freshJournalUrl();
    const copied = await local.run(['journal', 'copy', local.journal, pgUrl]);
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(
      /^Copied .*journal\.db to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\?schema=t_\w+: 1 broadcasts, 300 recipients/,
    );
    expect(copied.stdout).not.toContain(new URL(pgUrl).password);
    const again = await local.run(['journal', 'copy', local.journal, pgUrl]);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toMatch(/is not empty; journal copy writes only into an empty journal/);
    const r = await local.run(['resume', id, '--rate', '1000'], { env: { WA_SEND_JOURNAL: pgUrl } });
    expect(r.code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(300);
    expect(stats.duplicates).toEqual([]);
    expect(await pgQuery(pgUrl, "SELECT count(*) AS n FROM recipients WHERE state = 'sent'")).toEqual([{ n: 300 }]);
    const back = join(local.dir, 'back.db');
    expect((await local.run(['journal', 'copy', pgUrl, back])).code).toBe(0);
    const status = JSON.parse((await local.run(['status', id, '--json'], { env: { WA_SEND_JOURNAL: back } })).stdout);
    expect(status).toMatchObject({ state: 'completed', counts: { sent: 300 } });
  });
});

/** A tiny load balancer: POSTs go to the receivers in turn (the body and signature unchanged). */
async function roundRobin(targets: string[]): Promise<{ url: string; posts(): number[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const counts = targets.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = next++ % targets.length;
      counts[i]!++;
      fetch(targets[i]!, {
        method: 'POST',
        body: Buffer.concat(chunks),
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': String(req.headers['x-hub-signature-256']) },
      })
        .then(async (r) => res.writeHead(r.status).end(await r.text()))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, posts: () => [...counts], close: () => new Promise((r) => server.close(() => r())) };
}
