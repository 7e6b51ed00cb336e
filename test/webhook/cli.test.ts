// The optout and webhook commands, run in-process against a real journal file.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import type { MemoryIO } from '../helpers/memory-io.js';
import { optouts, post, SECRET, statusBody } from './helpers.js';

let dir: string;
let journal: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wa-send-cli-'));
  journal = join(dir, 'journal.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const optout = (...args: string[]) => runMain(['--journal', journal, 'optout', ...args]);
const stored = () => {
  if (!existsSync(journal)) return [];
  const db = new Database(journal, { readonly: true });
  try {
    return optouts(db);
  } finally {
    db.close();
  }
};

/** Starts `wa-send webhook` in process; resolves with its URL and a stop (a signal). */
async function startWebhook(args: string[], env: Record<string, string>) {
  let io!: MemoryIO;
  const running = runMain(['--journal', journal, ...args], { env, withIO: (x) => (io = x) });
  while (io.out() === '') await new Promise((r) => setTimeout(r, 5));
  return { io, running, url: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] };
}

describe('wa-send optout', () => {
  it('add normalizes numbers; list --json prints ISO dates; remove takes them off', async () => {
    expect(await optout('add', '+1 (202) 555-0123', '(202) 555-0124', '--default-country', 'US')).toMatchObject({
      code: 0,
      stdout: 'added 2 numbers to the suppression list\n',
    });
    expect((await optout('add', '+12025550123')).stdout).toContain('(1 already listed)');
    const list = await optout('list', '--json');
    const rows = JSON.parse(list.stdout) as { phone: string; source: string; created_at: string }[];
    expect(rows.map((r) => [r.phone, r.source])).toEqual([
      ['+12025550123', 'manual'],
      ['+12025550124', 'manual'],
    ]);
    expect(rows[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await optout('remove', '+12025550124')).toMatchObject({
      code: 0,
      stdout: 'removed 1 number from the suppression list\n',
    });
    expect(stored().map((r) => r.phone)).toEqual(['+12025550123']);
  });

  it('add with an invalid number exits 2, names it, and adds nothing', async () => {
    const r = await optout('add', '+12025550123', 'banana', '+1555');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"banana"');
    expect(r.stderr).toContain('"+1555"');
    expect(stored()).toEqual([]);
  });

  it('import reads the phone column and reports added, already present and invalid rows with lines', async () => {
    const csv = join(dir, 'stop.csv');
    writeFileSync(csv, 'name,Mobile\nAna,+12025550123\nBo,not a number\nCy,(202) 555-0124\nAna again,+1 202 555 0123\n');
    await optout('add', '+12025550124');
    const r = await optout('import', csv, '--default-country', 'US', '--json', '--max-invalid', '50');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      added: 1,
      already_present: 2,
      invalid: 1,
      invalid_rows: [{ line: 3, input: 'not a number' }],
    });
    expect(stored().find((o) => o.phone === '+12025550123')).toMatchObject({ source: 'import', detail: 'stop.csv' });
    const human = await optout('import', csv, '--phone-column', 'mobile', '--default-country', 'US', '--max-invalid', '50');
    expect(human.stdout).toBe('stop.csv: 0 added, 3 already present, 1 invalid\n');
    expect(human.stderr).toContain('line 3: "not a number"');
    expect((await optout('import', csv, '--phone-column', 'tel')).code).toBe(2);
  });

  it('import refuses a file that is mostly not numbers (--max-invalid, default 20%) and adds nothing', async () => {
    const csv = join(dir, 'wrong.csv');
    writeFileSync(csv, 'name,phone\nAna,12\nBo,34\nCy,+12025550123\n');
    const r = await optout('import', csv);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/2 of 3 rows of wrong\.csv are not valid numbers, above --max-invalid 20%; nothing was imported/);
    expect(stored()).toEqual([]);
  });

  it('import reads standard input (-)', async () => {
    const r = await runMain(['--journal', journal, 'optout', 'import', '-', '--json'], {
      stdin: 'phone\n+12025550123\n+12025550124\n',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 2, invalid: 0 });
    expect(stored().map((o) => o.detail)).toEqual(['stdin', 'stdin']);
  });
});

describe('wa-send webhook', () => {
  it('refuses to start without WA_APP_SECRET (exit 2)', async () => {
    const r = await runMain(['--journal', journal, 'webhook', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WA_APP_SECRET');
  });

  it('prints its URL first, logs JSON lines per batch, and stops with 0 on SIGTERM', async () => {
    const { io, running, url } = await startWebhook(['webhook', '--port', '0', '--json'], {
      WA_APP_SECRET: SECRET,
      WA_VERIFY_TOKEN: 'tok',
    });
    expect(io.out()).toMatch(/^wa-send webhook listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect((await post(url!, JSON.stringify(statusBody([{ id: 'w.1', status: 'sent', timestamp: 1 }])))).status).toBe(200);
    io.signal('SIGTERM');
    const r = await running;
    expect(r.code).toBe(0);
    const lines = r.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'batch')).toMatchObject({ level: 'info', events: 1, new: 1, statuses: 1 });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('without --json logs human lines on stderr, and nothing with --quiet', async () => {
    for (const quiet of [false, true]) {
      const { io, running, url } = await startWebhook([...(quiet ? ['--quiet'] : []), 'webhook', '--port', '0'], {
        WA_APP_SECRET: SECRET,
      });
      expect((await post(url!, JSON.stringify(statusBody([{ id: `w.${quiet}`, status: 'sent', timestamp: 1 }])))).status).toBe(
        200,
      );
      io.signal(quiet ? 'SIGINT' : 'SIGHUP');
      const r = await running;
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const err = r.stderr;
      if (quiet) expect(err).toBe('');
      else expect(err).toMatch(/received 1 events \(1 new, 0 duplicates\)/);
      if (!quiet) expect(err).toMatch(/warn: WA_VERIFY_TOKEN is not set/);
    }
  });
});
