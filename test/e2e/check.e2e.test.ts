// wa-send check (issue 11 item 6): silence and exit 0 on a quiet journal, exit 3 with one line per
// problem (failed, stuck, stopped), --json, and one `check` alert to a webhook or a mailbox. An alert
// that cannot be delivered is one stderr line: the exit code and the journal stay as they were.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { SECRET_PATH, useAlertSinks } from '../helpers/alert-sinks.js';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { type FaultAnswer, useFaultServers } from '../helpers/fault-server.js';

const faultServer = useFaultServers();
const sinks = useAlertSinks();

/** The clock of a `check` run this long after now: rows written now look that old. */
const later = (ms: number) => ({ now: () => Date.now() + ms, sleep: systemClock.sleep });
const MINUTE = 60_000;

const UNDELIVERABLE: FaultAnswer = {
  status: 400,
  body: JSON.stringify({ error: { message: 'Message undeliverable', code: 131026 } }),
};
/** Answered, but without a message id: the row is `unknown` at once (no retry). */
const NO_MESSAGE_ID: FaultAnswer = { status: 200, body: '{}' };
const BAD_TOKEN: FaultAnswer = { status: 401, body: JSON.stringify({ error: { message: 'Invalid OAuth', code: 190 } }) };

/** A journal with one broadcast of two rows sent to a stand-in API that answers `answer`. */
async function journalWith(answer: FaultAnswer, expectedExit: number) {
  const server = await faultServer(() => answer);
  const ws = workspace(server.env);
  const csv = join(ws.dir, 'list.csv');
  writeFileSync(csv, csvWithPhones(2));
  const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--no-preflight', '--max-attempts', '1']);
  expect(r.code).toBe(expectedExit);
  const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
  return { ws, id };
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean);
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('wa-send check on a quiet journal', () => {
  it('prints nothing and exits 0 (the cron convention); --json says ok', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'list.csv');
    writeFileSync(csv, csvWithPhones(3));
    expect((await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes'])).code).toBe(0);
    const sink = await sinks.webhook();
    expect(await ws.run(['check', '--notify', sink.url])).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    const json = await ws.run(['check', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, problems: [] });
    expect(sink.posts).toEqual([]);
  });

  it('a journal that does not exist yet is quiet: exit 0, a note on stderr', async () => {
    const ws = workspace();
    const r = await ws.run(['check']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(/no journal at .*journal\.db yet/);
  });
});

describe('wa-send check finds problems', () => {
  it('failed rows in the last 24 h: exit 3, a line naming the broadcast, the number and the command; --max-failed', async () => {
    const { ws, id } = await journalWith(UNDELIVERABLE, 3);
    const r = await ws.run(['check']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^wa-send: broadcast ${id} \\(number 100200300\\): 2 rows failed in the last 24 h \\(mostly 131026 Message undeliverable\\).*wa-send retry-failed ${id}$`,
        ),
      ),
    ]);
    expect((await ws.run(['check', '--max-failed', '2'])).code).toBe(0);
    // A day later they are history, not news.
    expect((await ws.run(['check'], { clock: later(25 * 60 * MINUTE) })).code).toBe(0);
  });

  it('unknown rows untouched for longer than --max-stuck-minutes (default 30) are stuck', async () => {
    const { ws, id } = await journalWith(NO_MESSAGE_ID, 3);
    expect((await ws.run(['check'])).code).toBe(0); // just answered: not stuck yet
    const r = await ws.run(['check'], { clock: later(31 * MINUTE) });
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^wa-send: broadcast ${id} \\(number 100200300\\): 2 rows unknown for over 30 min .*wa-send status ${id} --recipients --state unknown$`,
        ),
      ),
    ]);
    expect((await ws.run(['check', '--max-stuck-minutes', '60'], { clock: later(31 * MINUTE) })).code).toBe(0);
  });

  it('an open broadcast whose last run stopped (halted) needs a resume; --json lists every problem', async () => {
    const { ws, id } = await journalWith(BAD_TOKEN, 4);
    const r = await ws.run(['check', '--json']);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual(['wa-send: check found 1 problem']);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      ok: false,
      problems: [
        {
          kind: 'stopped',
          broadcast: id,
          number: '100200300',
          count: 2,
          command: `wa-send resume ${id}`,
          line: expect.stringContaining(`stopped (halted`),
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          outcome: 'halted',
          reason: expect.any(String),
        },
      ],
    });
    expect(out.problems[0].line).toMatch(new RegExp(`^broadcast ${id} \\(number 100200300\\) stopped .* with 2 rows left`));
  });
});

describe('the check alert', () => {
  it('goes to the --notify webhook as Slack-compatible JSON with the problems', async () => {
    const { ws, id } = await journalWith(NO_MESSAGE_ID, 3);
    const sink = await sinks.webhook();
    const r = await ws.run(['check', '--notify', sink.url], { clock: later(31 * MINUTE) });
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(sink.posts).toHaveLength(1);
    const post = sink.posts[0]!;
    expect(post.path).toBe(SECRET_PATH);
    expect(post.contentType).toBe('application/json');
    expect(post.json).toEqual({
      text: 'wa-send check: 1 problem in the journal',
      attachments: [
        {
          color: 'warning',
          fields: [
            { title: 'Broadcast', value: id, short: true },
            { title: 'Number', value: '100200300', short: true },
            { title: 'Continue with', value: `wa-send status ${id} --recipients --state unknown`, short: false },
            { title: 'Problems', value: expect.stringContaining('2 rows unknown'), short: false },
          ],
        },
      ],
      wa_send: {
        event: 'check',
        broadcast: id,
        number: '100200300',
        profile: null,
        counts: null,
        top_errors: [],
        continue_with: `wa-send status ${id} --recipients --state unknown`,
        problems: [expect.stringContaining(`broadcast ${id}`)],
        at: expect.stringMatching(/Z$/),
      },
    });
  });

  it('the target comes from --notify, else WA_SEND_NOTIFY, else the --profile', async () => {
    const { ws } = await journalWith(UNDELIVERABLE, 3);
    const [flag, env, profile] = [await sinks.webhook(), await sinks.webhook(), await sinks.webhook()];
    const config = join(ws.dir, 'config.toml');
    writeFileSync(config, `[profiles.ops]\nnotify = "${profile.url}"\n`);
    const withProfile = ['--config', config, '--profile', 'ops', 'check'];
    expect((await ws.run(withProfile)).code).toBe(3);
    expect(profile.posts.map((p) => p.json.wa_send.profile)).toEqual(['ops']);
    expect((await ws.run(withProfile, { env: { WA_SEND_NOTIFY: env.url } })).code).toBe(3);
    expect(env.posts).toHaveLength(1);
    expect((await ws.run([...withProfile, '--notify', flag.url], { env: { WA_SEND_NOTIFY: env.url } })).code).toBe(3);
    expect([flag.posts.length, env.posts.length, profile.posts.length]).toEqual([1, 1, 1]);
  });

  it('an unreachable webhook: the same exit code, one more stderr line without the secret path, the journal unchanged', async () => {
    const { ws, id } = await journalWith(BAD_TOKEN, 4);
    const port = await sinks.closedPort();
    const before = digest(ws.journal);
    const r = await ws.run(['check', '--notify', `http://127.0.0.1:${port}${SECRET_PATH}`]);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([
      expect.stringContaining(`broadcast ${id}`),
      expect.stringMatching(new RegExp(`^wa-send: alert not delivered to http://127\\.0\\.0\\.1:${port}/…: .*ECONNREFUSED`)),
    ]);
    expect(r.stderr).not.toContain('Secret');
    expect(digest(ws.journal)).toBe(before);
  });

  it('a webhook that answers 404: one line with the status and what it said', async () => {
    const { ws } = await journalWith(BAD_TOKEN, 4);
    const sink = await sinks.webhook(404, 'no_service');
    const r = await ws.run(['check', '--notify', sink.url, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).ok).toBe(false);
    expect(lines(r.stderr).at(-1)).toMatch(
      /^wa-send: alert not delivered to http:\/\/127\.0\.0\.1:\d+\/…: the webhook answered HTTP 404: no_service$/,
    );
    expect(r.stderr).not.toContain('Secret');
  });

  it('an invalid notify target is a usage error before anything is read (exit 2)', async () => {
    const ws = workspace({ WA_SEND_NOTIFY: 'ftp://example.invalid/x' });
    const r = await ws.run(['check']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^wa-send: WA_SEND_NOTIFY must be an http\(s\) URL/)]);
  });

  it('goes by mail through smtp://: the alert line as the subject, the problems in the body', async () => {
    const { ws, id } = await journalWith(BAD_TOKEN, 4);
    const mail = await sinks.smtp();
    const r = await ws.run(['check', '--notify', `smtp://127.0.0.1:${mail.port}?to=ops@example.com&from=wa-send@example.com`]);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(mail.mails).toHaveLength(1);
    const m = mail.mails[0]!;
    expect(m).toMatchObject({ from: 'wa-send@example.com', to: ['ops@example.com'] });
    expect(m.subject).toBe('wa-send check: 1 problem in the journal');
    expect(m.text).toContain(`Broadcast: ${id}\n`);
    expect(m.text).toContain(`Continue with: wa-send resume ${id}\n`);
    expect(m.text).toContain(`Problems:\n  broadcast ${id} (number 100200300) stopped (halted`);
  });

  it('smtp:// with a password and no STARTTLS on the server: not sent in clear, one line, the password never printed', async () => {
    const { ws } = await journalWith(BAD_TOKEN, 4);
    const mail = await sinks.smtp();
    const r = await ws.run(['check', '--notify', `smtp://ops:pa55w0rd-secret@127.0.0.1:${mail.port}?to=ops@example.com`]);
    expect(r.code).toBe(3);
    expect(lines(r.stderr).at(-1)).toMatch(
      new RegExp(`^wa-send: alert not delivered to smtp://127\\.0\\.0\\.1:${mail.port} → ops@example\\.com: .*STARTTLS`, 'i'),
    );
    expect(r.stderr).not.toContain('pa55w0rd');
    expect(mail.mails).toEqual([]);
  });
});
