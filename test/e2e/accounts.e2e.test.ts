// Issue 11 from the outside: the preflight (doctor, and before broadcast/resume), several numbers on
// one journal (profiles, one sender per number, --wait), and the daily messaging limit.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { collect, csvWithPhones, query, until, workspace } from '../helpers/cli.js';
import type { MemoryIO } from '../helpers/memory-io.js';
import { profilesConfig } from '../helpers/profiles.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const sandboxProcess = useSandboxes({ ownProcess: true });
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '');
const HOUR = 3_600_000;

/** Whether another process could write the journal now (no one holds its write lock). */
function journalWritable(path: string): boolean {
  const db = new Database(path, { timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE; ROLLBACK;');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

describe('doctor and the preflight', () => {
  it('passes against the sandbox for a template that fits, in process and against a sandbox process', async () => {
    const ws = workspace();
    const inProcess = await ws.run(['doctor', '--sandbox', '--template', 'order_update', '--body', '{{name}}']);
    expect(inProcess.code).toBe(0);
    expect(inProcess.stdout).toMatch(/✓ template: template order_update \(en_US\) is APPROVED/);
    expect(inProcess.stderr).toBe('');
    const s = await sandboxProcess(['--messaging-limit', 'TIER_2K', '--quality', 'YELLOW']);
    const real = await workspace({ ...s.env, WA_WABA_ID: '900' }).run([
      'doctor',
      '--template',
      'order_update',
      '--body',
      '{{name}}',
      '--json',
    ]);
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: { check: string; status: string }) => `${c.check}:${c.status}`)).toEqual([
      'journal:pass',
      'config:pass',
      'token:pass',
      'number:pass',
      'daily limit:skip',
      'template:pass',
    ]);
    expect(report.checks[3].line).toContain('quality YELLOW, throughput STANDARD, messaging limit TIER_2K (2,000 people / 24 h)');
  });

  for (const [what, sandboxArgs, extra, env, check, pattern] of [
    ['a PAUSED template', ['--template-status', 'order_update=PAUSED'], [], {}, 'template', /is PAUSED.*132015/],
    [
      'the wrong parameter count',
      [],
      ['--body', '{{name}}'],
      {},
      'template',
      /has 1 body parameter; the command sends 2.*132000/,
    ],
    [
      'a bad token',
      ['--token', 'the-right-token'],
      [],
      { WA_ACCESS_TOKEN: 'a-wrong-token' },
      'token',
      /invalid or expired \(error 190\)/,
    ],
  ] as const) {
    it(`doctor and broadcast each stop on ${what} with nothing sent and one line naming the check`, async () => {
      const s = await sandbox([...sandboxArgs]);
      const ws = workspace({ ...s.env, WA_WABA_ID: '900', ...env });
      const message = ['--template', 'order_update', '--body', '{{name}}', ...extra];
      const doctor = await ws.run(['doctor', ...message]);
      expect(doctor.code).toBe(4);
      expect(lines(doctor.stderr)).toHaveLength(1);
      expect(doctor.stderr).toMatch(new RegExp(`${check} check failed: .*${pattern.source}`));
      expect(doctor.stdout).toMatch(new RegExp(`✗ ${check}: `));
      const csv = join(ws.dir, 'r.csv');
      writeFileSync(csv, csvWithPhones(5));
      const sent = await ws.run(['broadcast', csv, ...message, '--yes']);
      expect(sent.code).toBe(4);
      const last = lines(sent.stderr).at(-1)!;
      expect(last).toMatch(new RegExp(`preflight ${check} check failed: .*${pattern.source}.*nothing was sent`));
      expect(last).toMatch(/wa-send resume \w+/);
      expect((await s.stats()).requests).toBe(0); // not one message
      expect(query(ws.journal, "SELECT count(*) AS n FROM recipients WHERE state = 'pending'")).toEqual([{ n: 5 }]);
      // --no-preflight is the operator's way past it: the API then answers like the check said.
      if (check === 'template' && what === 'a PAUSED template') {
        const forced = await ws.run([
          'resume',
          query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id,
          '--no-preflight',
        ]);
        expect(forced.code).toBe(4);
        expect(forced.stderr).toMatch(/132015/);
      }
    });
  }

  it('a check that times out is a warning and the run goes on; a stand-in without Graph GETs only warns', async () => {
    let posts = 0;
    const server = createServer((req, res) => {
      if (req.method === 'GET') return; // never answers
      posts++;
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: [{ id: `wamid.T${posts}` }] })),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ws = workspace({ WA_API_URL: url, WA_PHONE_NUMBER_ID: '42', WA_ACCESS_TOKEN: 'tok', WA_WABA_ID: '7' });
    const csv = join(ws.dir, 'r.csv');
    writeFileSync(csv, csvWithPhones(3));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--preflight-timeout', '300ms']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Preflight: token: could not check the token and number: no answer .* within 300 ms \(going on\)/);
    expect(posts).toBe(3);
    const doctor = await ws.run(['doctor', '--timeout', '300ms']);
    expect(doctor.stdout).toMatch(/! token: could not check/);
  });
});

describe('several numbers on one journal', () => {
  it('the cron sweep goes on past a broadcast whose profile cannot be used now: one line naming it, the others retried, exit 2', async () => {
    const s = await sandbox(['--fail', '131000=1']);
    const ws = workspace({ TOKEN_ACME: 'token-a', TOKEN_BETA: 'token-b' });
    const config = profilesConfig(ws.dir, { acme: { number: '111', url: s.url }, beta: { number: '222', url: s.url } });
    const plan = async (profile: string, start: number) => {
      const csv = join(ws.dir, `${profile}.csv`);
      writeFileSync(csv, csvWithPhones(3, start));
      const args = ['--config', config, '--profile', profile, 'broadcast', csv, '--template', 'hello_world', '--yes'];
      const r = await ws.run([...args, '--max-attempts', '1', '--json']);
      expect(r.code).toBe(3);
      return JSON.parse(r.stdout).id as string;
    };
    const acme = await plan('acme', 0);
    const beta = await plan('beta', 100);
    await s.configure({ failures: [] });
    // acme's token is gone from this cron job's environment; beta's broadcast is still retried.
    const sweep = await ws.run(['--config', config, 'retry-failed'], { env: { TOKEN_ACME: '' } });
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toMatch(
      new RegExp(`broadcast ${acme} not retried: profile acme: the environment variable TOKEN_ACME .* is not set`),
    );
    const sent = (id: string) => query(ws.journal, "SELECT 1 FROM recipients WHERE broadcast_id = ? AND state = 'sent'", id);
    expect(sent(beta)).toHaveLength(3);
    expect(sent(acme)).toHaveLength(0);
    // Once the token is back, the next sweep retries it.
    expect((await ws.run(['--config', config, 'retry-failed'])).code).toBe(0);
    expect(sent(acme)).toHaveLength(3);
  });

  it('a second broadcast on a number that is sending exits 5 naming the broadcast that holds it; with --wait it takes its turn', async () => {
    const s = await sandbox(['--latency', '100']);
    const ws = workspace(s.env);
    const first = join(ws.dir, 'first.csv');
    const second = join(ws.dir, 'second.csv');
    writeFileSync(first, csvWithPhones(16));
    writeFileSync(second, csvWithPhones(16, 100));
    // The first run is a real process, stopped (SIGSTOP) while it holds the number, so the two
    // commands below meet it sending however slow this machine is; it goes on once the second waits.
    const running = ws.spawn(['broadcast', first, '--template', 'hello_world', '--yes', '--rate', '10', '--json']);
    running.stdin!.end();
    const firstDone = collect(running);
    onTestFinished(() => {
      running.kill('SIGKILL');
    });
    // The first run creates the journal and its tables as it starts: until then there is nothing to read.
    const leases = () => {
      try {
        return query(ws.journal, 'SELECT 1 FROM number_leases').length;
      } catch {
        return 0;
      }
    };
    await until(() => leases() === 1, 'the first run to hold the number');
    // Stopped between two transactions, so the commands below are not kept waiting on the journal.
    await until(() => {
      running.kill('SIGSTOP');
      if (journalWritable(ws.journal)) return true;
      running.kill('SIGCONT');
      return false;
    }, 'the first run to stop outside a transaction');
    const holder = query<{ broadcast_id: string }>(ws.journal, 'SELECT broadcast_id FROM number_leases')[0]!.broadcast_id;
    const busy = await ws.run(['broadcast', second, '--template', 'hello_world', '--yes', '--rate', '10']);
    expect(busy.code).toBe(5);
    expect(lines(busy.stderr).at(-1)).toMatch(
      new RegExp(`number 100200300 is sending broadcast ${holder} .*one sender per number.*--wait`),
    );
    let waiter: MemoryIO | null = null;
    const waiting = ws.run(['broadcast', second, '--template', 'hello_world', '--yes', '--rate', '10', '--wait', '--json'], {
      withIO: (io) => {
        waiter = io;
      },
    });
    await until(() => waiter?.err().includes('waiting for its turn') ?? false, 'the second broadcast to wait for its turn');
    running.kill('SIGCONT');
    const waited = await waiting;
    expect(waited.code).toBe(0);
    const firstResult = await firstDone;
    expect(firstResult.code).toBe(0);
    expect(JSON.parse(firstResult.stdout)).toMatchObject({ id: holder, counts: { sent: 16 } });
    const secondId = JSON.parse(waited.stdout).id as string;
    expect(JSON.parse(waited.stdout)).toMatchObject({ counts: { sent: 16 } });
    const stats = await s.stats();
    expect(stats.accepted).toBe(32);
    expect(stats.duplicates).toEqual([]);
    // Sequential, not added up: the second run's first request started after the first run's last answer.
    const span = (id: string) =>
      query<{ first: number; last: number }>(
        ws.journal,
        `SELECT min(a.started_at) AS first, max(a.finished_at) AS last FROM attempts a
           JOIN recipients r ON r.id = a.recipient_id WHERE r.broadcast_id = ?`,
        id,
      )[0]!;
    expect(span(secondId).first).toBeGreaterThanOrEqual(span(holder).last);
    expect(query(ws.journal, 'SELECT 1 FROM number_leases')).toEqual([]); // released
  });
});

describe('the daily messaging limit', () => {
  it('stops at exactly the limit with exit 6 and the time it frees up; the next broadcast sends nothing; a day later the sweep finishes both', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const a = join(ws.dir, 'a.csv');
    const b = join(ws.dir, 'b.csv');
    writeFileSync(a, csvWithPhones(250));
    writeFileSync(b, csvWithPhones(250, 1000));
    const first = await ws.run([
      'broadcast',
      a,
      '--template',
      'hello_world',
      '--yes',
      '--daily-limit',
      '100',
      '--rate',
      '500',
      '--json',
    ]);
    expect(first.code).toBe(6);
    const status = JSON.parse(first.stdout);
    expect(status.counts).toMatchObject({ sent: 100, pending: 150 });
    expect((await s.stats()).accepted).toBe(100);
    const freesAt = /frees up at (\S+Z)/.exec(first.stderr)?.[1];
    expect(freesAt).toBeDefined();
    expect(Date.parse(freesAt!) - Date.now()).toBeGreaterThan(23 * HOUR);
    expect(lines(first.stderr).at(-1)).toMatch(
      /daily messaging limit: 100 of 100 recipients reached from number 100200300.*wa-send resume/,
    );
    const shown = await ws.run(['status', status.id]);
    expect(shown.stdout).toContain(`frees up at ${freesAt}`);
    expect(JSON.parse((await ws.run(['status', status.id, '--json'])).stdout).last_run).toMatchObject({ outcome: 'daily_limit' });

    const second = await ws.run(['broadcast', b, '--template', 'hello_world', '--yes', '--daily-limit', '100', '--json']);
    expect(second.code).toBe(6);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ sent: 0, pending: 250 });
    expect((await s.stats()).accepted).toBe(100);

    // Still inside the window: the sweep continues neither.
    const early = await ws.run(['retry-failed', '--daily-limit', '100']);
    expect(early.code).toBe(6);
    expect((await s.stats()).accepted).toBe(100);

    const tomorrow = { now: () => Date.now() + 25 * HOUR, sleep: systemClock.sleep };
    const sweep = await ws.run(['retry-failed', '--daily-limit', '1000', '--rate', '500'], { clock: tomorrow });
    expect(sweep.code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(500);
    expect(stats.duplicates).toEqual([]);
  });
});
