// Alerts of the send commands, received by a local incoming-webhook stand-in: a halt (a failed
// preflight, and a 190 mid-run), a partial run and the failure rate crossing --alert-failure-rate
// mid-run, the daily limit; an undeliverable alert changes neither the exit code nor the journal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_PATH, useAlertSinks } from '../helpers/alert-sinks.js';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { accepted, useFaultServers } from '../helpers/fault-server.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const faultServer = useFaultServers();
const sinks = useAlertSinks();
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

function listOf(dir: string, n: number, start = 0): string {
  const csv = join(dir, `list-${start}.csv`);
  writeFileSync(csv, csvWithPhones(n, start));
  return csv;
}

describe('alerts of a run', () => {
  it('a run that halts on 190 posts one halted alert: the line, the number, counts, top error, the command that continues', async () => {
    const hook = await sinks.webhook();
    const server = await faultServer((r) =>
      r.n <= 2
        ? accepted(r.n)
        : {
            status: 401,
            body: JSON.stringify({ error: { code: 190, message: 'Error validating access token', type: 'OAuthException' } }),
          },
    );
    const ws = workspace(server.env);
    const r = await ws.run([
      'broadcast',
      listOf(ws.dir, 10),
      '--template',
      'hello_world',
      '--yes',
      '--notify',
      hook.url,
      '--json',
    ]);
    expect(r.code).toBe(4);
    const id = JSON.parse(r.stdout).id as string;
    expect(hook.posts).toHaveLength(1);
    const { json, path } = hook.posts[0]!;
    expect(path).toBe(SECRET_PATH);
    expect(json.text).toBe(lastLine(r.stderr).replace(/^wa-send: /, ''));
    expect(json.wa_send).toMatchObject({
      event: 'halted',
      broadcast: id,
      number: '100200300',
      profile: null,
      counts: { sent: 2 },
      top_errors: [],
      continue_with: `wa-send resume ${id}`,
    });
    expect(json.wa_send.counts.pending).toBeGreaterThan(0);
    expect(json.attachments[0].fields.map((f: { title: string }) => f.title)).toContain('Continue with');
  });

  it('a failed preflight is a halt too: the alert says which check failed', async () => {
    const hook = await sinks.webhook();
    const s = await sandbox(['--token', 'right']);
    const ws = workspace({ ...s.env, WA_ACCESS_TOKEN: 'wrong', WA_SEND_NOTIFY: hook.url });
    const r = await ws.run(['broadcast', listOf(ws.dir, 3), '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(4);
    expect(hook.posts.map((p) => p.json.wa_send.event)).toEqual(['halted']);
    expect(hook.posts[0]!.json.text).toMatch(/preflight token check failed: .*190/);
  });

  it('a partial run above the threshold posts the mid-run failure-rate alert once, then the partial alert; below it, none', async () => {
    const hook = await sinks.webhook();
    const s = await sandbox(['--fail', '131026=0.5']);
    const ws = workspace(s.env);
    const r = await ws.run([
      'broadcast',
      listOf(ws.dir, 80),
      '--template',
      'hello_world',
      '--yes',
      '--notify',
      hook.url,
      '--json',
    ]);
    expect(r.code).toBe(3);
    const status = JSON.parse(r.stdout);
    expect(hook.posts.map((p) => p.json.wa_send.event)).toEqual(['failure_rate', 'partial']);
    const [rate, partial] = hook.posts.map((p) => p.json.wa_send);
    expect(hook.posts[0]!.json.text).toMatch(/% of the last \d+ answers failed \(--alert-failure-rate 30%\); it goes on sending/);
    expect(rate.broadcast).toBe(status.id);
    expect(partial).toMatchObject({
      broadcast: status.id,
      counts: { failed: status.counts.failed, sent: status.counts.sent },
      top_errors: [{ code: 131026, count: status.counts.failed }],
      continue_with: `wa-send retry-failed ${status.id}`,
    });

    const calm = await sinks.webhook();
    const again = await ws.run([
      'broadcast',
      listOf(ws.dir, 80, 500),
      '--template',
      'hello_world',
      '--yes',
      '--notify',
      calm.url,
      '--alert-failure-rate',
      '90',
    ]);
    expect(again.code).toBe(3);
    expect(calm.posts).toEqual([]);
  });

  it('stopping at the daily limit posts a daily_limit alert', async () => {
    const hook = await sinks.webhook();
    const s = await sandbox();
    const ws = workspace({ ...s.env, WA_SEND_NOTIFY: hook.url });
    const r = await ws.run(['broadcast', listOf(ws.dir, 10), '--template', 'hello_world', '--yes', '--daily-limit', '4']);
    expect(r.code).toBe(6);
    expect(hook.posts.map((p) => p.json.wa_send.event)).toEqual(['daily_limit']);
    expect(hook.posts[0]!.json.text).toMatch(/4 of 4 recipients reached .* frees up at/);
  });

  it('an unreachable or failing notify target changes neither the exit code nor the journal: one line on stderr', async () => {
    const s = await sandbox(['--fail', '131026=0.5']);
    const dead = `http://127.0.0.1:${await sinks.closedPort()}${SECRET_PATH}`;
    const refusing = (await sinks.webhook(500, 'oops')).url;
    const results: { code: number | null; stderr: string; status: any; rows: unknown[] }[] = [];
    for (const notify of [null, dead, refusing]) {
      const ws = workspace(s.env);
      const csv = join(ws.dir, 'same.csv');
      writeFileSync(csv, csvWithPhones(40, 2000));
      const r = await ws.run([
        'broadcast',
        csv,
        '--template',
        'hello_world',
        '--yes',
        '--json',
        '--dedup-window',
        '0',
        ...(notify ? ['--notify', notify] : []),
      ]);
      const status = JSON.parse(r.stdout);
      results.push({
        code: r.code,
        stderr: r.stderr,
        status: status.counts,
        rows: query(ws.journal, 'SELECT phone, state, attempts, error_code FROM recipients ORDER BY phone'),
      });
    }
    expect(results.map((x) => x.code)).toEqual([3, 3, 3]);
    expect(results[1]!.status).toEqual(results[0]!.status);
    expect(results[2]!.status).toEqual(results[0]!.status);
    expect(results[1]!.rows).toEqual(results[0]!.rows);
    expect(results[2]!.rows).toEqual(results[0]!.rows);
    for (const x of results.slice(1)) {
      const lines = x.stderr.split('\n').filter((l) => l.includes('alert not delivered'));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(x.stderr).not.toContain('T0SECRET');
    }
    expect(results[0]!.stderr).not.toContain('alert not delivered');
  });

  it('a notify target that cannot be one is exit 2 before anything is planned', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const r = await ws.run(['broadcast', listOf(ws.dir, 3), '--template', 'hello_world', '--yes', '--notify', 'ftp://x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--notify must be an http\(s\) URL/);
    expect((await s.stats()).requests).toBe(0);
  });
});
