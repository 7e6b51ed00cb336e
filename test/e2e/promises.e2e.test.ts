// "What wa-send promises" (README): never the same message twice to the same person, a key means one
// request, nothing silent, a declined confirmation stays declined, the token never leaks.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { fragmentsOf, TOKEN, useFaultServers } from '../helpers/fault-server.js';
import { phones } from '../helpers/journal.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const faultServer = useFaultServers();
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

describe('never the same message twice to the same person', () => {
  it('a re-run after fixing one bad number sends only that one; the others are already_sent, naming the broadcast', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'list.csv');
    const good = phones(20);
    writeFileSync(csv, `name,phone\n${good.map((p, i) => `P${i},${p}`).join('\n')}\nBad,+1415201\n`);
    const args = ['broadcast', csv, '--template', 'hello_world', '--yes', '--json'];
    const first = await ws.run(args);
    expect(first.code).toBe(0);
    const firstId = JSON.parse(first.stdout).id as string;
    writeFileSync(csv, readFileSync(csv, 'utf8').replace('+1415201\n', '+14152019999\n')); // the fix
    const dry = await ws.run([...args, '--dry-run']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ recipients: 1, rejections: { already_sent: 20 } });
    const second = await ws.run(args);
    expect(second.code).toBe(0);
    const status = JSON.parse(second.stdout);
    expect(status.id).not.toBe(firstId);
    expect(status).toMatchObject({ recipients: 1, counts: { sent: 1 }, rejections: { already_sent: 20, invalid_number: 0 } });
    const stats = await s.stats();
    expect(stats.accepted).toBe(21);
    expect(stats.duplicates).toEqual([]);
    const rejected = (await ws.run(['status', status.id, '--recipients', '--state', 'rejected', '--format', 'json'])).stdout;
    expect(rejected).toContain(`already sent in broadcast ${firstId}`);
    // --dedup-window 0 turns the guard off: the operator asked for it.
    writeFileSync(csv, `${readFileSync(csv, 'utf8')}Extra,+14152019998\n`);
    const forced = await ws.run([...args, '--dedup-window', '0']);
    expect(JSON.parse(forced.stdout)).toMatchObject({ recipients: 22, rejections: { already_sent: 0 } });
  });

  it('already_sent does not count toward --max-invalid: a re-run where most rows were sent plans the rest', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const first = join(ws.dir, 'a.csv');
    writeFileSync(first, csvWithPhones(30));
    expect((await ws.run(['broadcast', first, '--template', 'hello_world', '--yes'])).code).toBe(0);
    const second = join(ws.dir, 'b.csv');
    writeFileSync(second, csvWithPhones(32)); // the same 30 and two new
    const r = await ws.run(['broadcast', second, '--template', 'hello_world', '--yes', '--json', '--max-invalid', '5']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recipients: 2, rejections: { already_sent: 30 } });
  });

  it('two broadcasts of the same message planned before either sent: the one that waits for the number skips what the other sent (the guard is checked again at each claim)', async () => {
    const s = await sandbox(['--latency', '20']);
    const ws = workspace(s.env);
    const plan = async (name: string, rows: string) => {
      writeFileSync(join(ws.dir, name), rows);
      const r = await ws.run(['broadcast', join(ws.dir, name), '--template', 'hello_world', '--yes', '--limit', '0', '--json']);
      return JSON.parse(r.stdout).id as string;
    };
    // Both planned before either sent: neither is already_sent at plan time.
    const a = await plan('a.csv', csvWithPhones(60));
    const b = await plan('b.csv', `${csvWithPhones(60)}Extra,+14152019999\n`);
    // One sender per number: the second waits for its turn (--wait), then finds the first one's sends.
    const [ra, rb] = await Promise.all([
      ws.run(['resume', a, '--rate', '400', '--wait']),
      ws.run(['resume', b, '--rate', '400', '--wait']),
    ]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const stats = await s.stats();
    expect(stats.unique_recipients_accepted).toBe(stats.accepted); // keyed by broadcast: count phones instead
    const sentPhones = query<{ phone: string }>(ws.journal, "SELECT phone FROM recipients WHERE state = 'sent'").map(
      (r) => r.phone,
    );
    expect(sentPhones).toHaveLength(61);
    expect(new Set(sentPhones).size).toBe(61);
    expect(stats.accepted).toBe(61);
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE state = 'skipped' AND error_class = 'already_sent'")).toHaveLength(
      60,
    );
  });
});

describe('a key means one request', () => {
  it('--key reused with another CSV or another message exits 2 naming the broadcast, its file, message and date; so does a dry run', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const a = join(ws.dir, 'a.csv');
    writeFileSync(a, csvWithPhones(3));
    const first = await ws.run(['broadcast', a, '--template', 'hello_world', '--key', 'K1', '--yes', '--json']);
    const id = JSON.parse(first.stdout).id as string;
    const b = join(ws.dir, 'b.csv');
    writeFileSync(b, csvWithPhones(5, 100));
    for (const args of [
      ['broadcast', b, '--template', 'hello_world', '--key', 'K1', '--yes'],
      ['broadcast', a, '--template', 'promo_two', '--key', 'K1', '--yes'],
      ['broadcast', b, '--template', 'hello_world', '--key', 'K1', '--dry-run'],
    ]) {
      const r = await ws.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `--key K1 is broadcast ${id}, planned \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC from a\\.csv with template hello_world \\(en_US\\); this command has another (CSV|message)`,
        ),
      );
      expect(r.stderr).toContain(`wa-send resume ${id}`);
      expect(r.stderr).toContain('give a new --key');
    }
    expect((await s.stats()).requests).toBe(3);
    // The same request again (the same file under another name) continues it, and says it finished.
    writeFileSync(join(ws.dir, 'copy.csv'), readFileSync(a));
    const again = await ws.run([
      '--quiet',
      'broadcast',
      join(ws.dir, 'copy.csv'),
      '--template',
      'hello_world',
      '--key',
      'K1',
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect(lastLine(again.stderr)).toMatch(
      new RegExp(
        `broadcast ${id} finished on \\d{4}-\\d\\d-\\d\\d \\(completed\\): nothing sent; to send again give a new --key`,
      ),
    );
  });
});

describe('a declined confirmation stays declined', () => {
  it('asks on a terminal whenever the broadcast has sent nothing yet; "n" sends nothing; the same command asks again', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(5));
    const args = ['broadcast', csv, '--template', 'hello_world'];
    const no = await ws.run(args, { tty: true, answers: ['no'] });
    expect(no.code).toBe(6);
    expect(lastLine(no.stderr)).toMatch(/not sent: broadcast b\w+ stays planned — send it with: wa-send resume b\w+/);
    const ctrlC = await ws.run(args, { tty: true, answers: ['interrupted'] });
    expect(ctrlC.code).toBe(130);
    expect(lastLine(ctrlC.stderr)).toMatch(/interrupted at the question; nothing was sent/);
    expect((await s.stats()).requests).toBe(0);
    let asked: string[] = [];
    const yes = await ws.run(args, { tty: true, answers: ['yes'], withIO: (io) => (asked = io.questions) });
    expect(asked).toEqual([expect.stringMatching(/^Send template hello_world \(en_US\) to 5 recipients via .*\?$/)]);
    expect(yes.code).toBe(0);
    expect((await s.stats()).accepted).toBe(5);
  });
});

describe('the token never leaks', () => {
  it('a proxy echoing the Authorization header: no 8-character piece of the token in the journal, the exports or any output', async () => {
    const server = await faultServer((r) => ({
      status: 407,
      headers: { 'content-type': 'text/plain' },
      body: `Proxy Authentication Required. You sent:\n${Object.entries(r.headers)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join('\n')}`,
    }));
    const ws = workspace(server.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(10));
    const r = await ws.run(['--verbose', 'broadcast', csv, '--template', 'hello_world', '--yes', '--json']);
    expect(r.code).toBe(4);
    expect(server.requests.length).toBeGreaterThan(0);
    const id = JSON.parse(r.stdout).id as string;
    const exports = await Promise.all(
      ['csv', 'json', 'table'].map(async (f) => (await ws.run(['status', id, '--recipients', '--format', f])).stdout),
    );
    const status = (await ws.run(['status', id, '--json'])).stdout;
    const journalBytes = ['', '-wal'].map((x) => {
      try {
        return readFileSync(`${ws.journal}${x}`).toString('latin1');
      } catch {
        return '';
      }
    });
    for (const text of [r.stdout, r.stderr, status, ...exports, ...journalBytes]) expect(fragmentsOf(TOKEN, text)).toEqual([]);
    expect(status).toContain('[redacted]');
  });
});
