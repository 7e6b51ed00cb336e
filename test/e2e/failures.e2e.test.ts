// Failures that stop the run instead of burning the list (issue 9, items 5-7 and 11): payload halts
// that send everyone after the fix, answers that are not Cloud API errors, a dead or hung API, and
// the line a partial run ends with.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { accepted, useFaultServers } from '../helpers/fault-server.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const faultServer = useFaultServers();
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';
const states = (journal: string) =>
  Object.fromEntries(
    query<{ state: string; n: number }>(journal, 'SELECT state, count(*) AS n FROM recipients GROUP BY state').map((r) => [
      r.state,
      r.n,
    ]),
  );

describe('payload halts', () => {
  it('a message wrong for every recipient halts; after the fix, resume sends to everyone; errors[] counts failed rows only', async () => {
    const s = await sandbox(['--fail', '132000=1']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(40));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '8', '--json']);
    expect(r.code).toBe(4);
    expect(lastLine(r.stderr)).toMatch(
      /halted: the first 5 requests all failed with error 132000 .* fix it, then: wa-send resume b/,
    );
    const status = JSON.parse(r.stdout);
    expect(status).toMatchObject({ state: 'halted', counts: { pending: 40, failed: 0 }, errors: [] });
    expect((await s.stats()).requests).toBeGreaterThanOrEqual(5);
    await s.configure({ failures: [] });
    const resumed = await ws.run(['resume', status.id]);
    expect(resumed.code).toBe(0);
    expect(states(ws.journal)).toEqual({ sent: 40 });
    expect((await s.stats()).accepted).toBe(40);
  });
});

describe('answers that are not Cloud API errors', () => {
  it.each([
    ['a proxy asking for authentication (407, text)', 407, 'text/plain', 'Proxy Authentication Required'],
    [
      'a wrong URL path (404, HTML)',
      404,
      'text/html',
      '<html><head><title>404 Not Found</title></head><body>nginx</body></html>',
    ],
    [
      'an unknown code (2500)',
      400,
      'application/json',
      JSON.stringify({ error: { message: '(#2500) Unknown path components', code: 2500 } }),
    ],
    ['a redirect (302)', 302, 'text/html', 'Moved'],
  ])(
    '%s: halts after a few, rows stay pending, status shows the HTTP status and a snippet',
    async (_name, status, type, body) => {
      const server = await faultServer(() => ({ status, headers: { 'content-type': type }, body }));
      const ws = workspace(server.env);
      const csv = join(ws.dir, 'l.csv');
      writeFileSync(csv, csvWithPhones(200));
      const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '200', '--json']);
      expect(r.code).toBe(4);
      expect(server.requests.length).toBeLessThanOrEqual(8); // the slow start: a few, not 200
      const s = JSON.parse(r.stdout);
      expect(s.state).toBe('halted');
      expect(s.counts.pending).toBe(200);
      expect(s.reason).toMatch(
        status === 400 ? /Error 2500 \(unknown to wa-send\): Unknown path components/ : new RegExp(`HTTP ${status}`),
      );
      expect(lastLine(r.stderr)).toContain(`wa-send resume ${s.id}`);
    },
  );
});

describe('a dead or hung API costs few rows', () => {
  it('connections cut after the request: only the first few rows are unknown; the run stops with the rest pending (exit 6)', async () => {
    const server = await faultServer(() => 'reset');
    const ws = workspace(server.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(300));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '200']);
    expect(r.code).toBe(6);
    expect(lastLine(r.stderr)).toMatch(/the API stopped answering: \d+ requests in a row got no answer/);
    const st = states(ws.journal);
    expect(st.unknown).toBeLessThanOrEqual(4);
    expect(st.pending).toBe(300 - st.unknown!);
  });

  it('when every row ends unknown the run exits 3 with the --include-unknown hint; "no answer" and "no message id" read differently', async () => {
    let n = 0;
    const server = await faultServer(() => (++n === 1 ? { status: 200, body: '{}' } : 'reset'));
    const ws = workspace(server.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(3));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--concurrency', '1', '--json']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toMatch(/3 unknown \(may have been delivered\).*wa-send retry-failed b\w+ --include-unknown/);
    const titles = query<{ error_title: string }>(ws.journal, 'SELECT error_title FROM recipients ORDER BY line').map(
      (x) => x.error_title,
    );
    expect(titles).toEqual([
      'Answered without a message id (may have been sent)',
      'No answer (may have been sent)',
      'No answer (may have been sent)',
    ]);
  });
});

describe('the partial line', () => {
  it('names the most frequent code among failed rows, and when 131049 rows become eligible', async () => {
    const s = await sandbox(['--fail', '131049=1']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(6));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toMatch(
      /finished failed: 6 failed \(mostly 131049 .*\) — 131049 rows may be retried after \d{4}-\d\d-\d\dT[\d:.]+Z: wa-send retry-failed b\w+ then$/,
    );
  });

  it('with a retryable error left, names the command that retries exactly those', async () => {
    const s = await sandbox(['--fail', '131026=0.5', '--fail', '131000=1', '--seed', 'partial']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(20));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--max-attempts', '1']);
    expect(r.code).toBe(3);
    expect(lastLine(r.stderr)).toMatch(/retry the \d+ with a retryable error: wa-send retry-failed b\w+$/);
  });

  it('an accepted answer now and then does not halt a run that gets occasional proxy errors', async () => {
    let n = 0;
    const server = await faultServer((req) =>
      ++n % 5 === 0 ? { status: 502, headers: { 'content-type': 'text/html' }, body: '<h1>Bad gateway</h1>' } : accepted(req.n),
    );
    const ws = workspace(server.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(12));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(0); // 502 is a server error: retried, then accepted
    expect(states(ws.journal)).toEqual({ sent: 12 });
  });
});
