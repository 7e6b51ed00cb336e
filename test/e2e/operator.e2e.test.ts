// Where operators really work (issue 9, items 8-10, 13, 14, 16, 18): targets checked before planning,
// the cron sweep over several numbers, --limit over a whole command, input from pipes, the installed
// bin's --env-file, signals, and the small things an operator sees.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { TOKEN, useFaultServers } from '../helpers/fault-server.js';
import { phones } from '../helpers/journal.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const faultServer = useFaultServers();
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

describe('targets are checked before anything is planned', () => {
  it.each([
    ['a port out of range', { WA_API_URL: 'http://127.0.0.1:99999' }, /port 99999/],
    ['an unparsable URL', { WA_API_URL: 'http://[::1' }, /WA_API_URL/],
    ['a URL with user:pass', { WA_API_URL: 'https://user:pass@graph.example.invalid' }, /WA_API_URL/],
    ['a URL with a query', { WA_API_URL: 'https://graph.example.invalid/?x=1' }, /WA_API_URL/],
    ['a token with a line break', { WA_ACCESS_TOKEN: `${TOKEN}\nX-Injected: 1` }, /WA_ACCESS_TOKEN/],
  ])('%s: exit 2, one line, no journal', async (_name, env, message) => {
    const ws = workspace({ WA_API_URL: 'http://127.0.0.1:8089', WA_PHONE_NUMBER_ID: '1', WA_ACCESS_TOKEN: TOKEN, ...env });
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(3));
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(TOKEN.slice(0, 8));
    expect(existsSync(ws.journal)).toBe(false);
  });
});

describe('the cron sweep', () => {
  it('skips a broadcast planned for another number with one line, and goes on with the others', async () => {
    const s = await sandbox(['--fail', '131000=1']);
    const ws = workspace(s.env);
    const plan = async (name: string, start: number, env: Record<string, string> = {}) => {
      writeFileSync(join(ws.dir, name), csvWithPhones(3, start));
      const r = await ws.run(
        ['broadcast', join(ws.dir, name), '--template', 'hello_world', '--yes', '--max-attempts', '1', '--json'],
        { env },
      );
      expect(r.code).toBe(3);
      return JSON.parse(r.stdout).id as string;
    };
    const other = await plan('other.csv', 0, { WA_PHONE_NUMBER_ID: '999' });
    const mine = await plan('mine.csv', 100);
    await s.configure({ failures: [] });
    const r = await ws.run(['retry-failed']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`broadcast ${other} skipped: planned for`);
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE broadcast_id = ? AND state = 'sent'", mine)).toHaveLength(3);
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE broadcast_id = ? AND state = 'failed'", other)).toHaveLength(3);
  });

  it('leaves alone a number that always fails after a few rounds, instead of retrying it every 15 minutes forever', async () => {
    const server = await faultServer(() => ({
      status: 500,
      body: JSON.stringify({ error: { message: 'Unknown', code: 131000 } }),
    }));
    const ws = workspace(server.env);
    writeFileSync(join(ws.dir, 'l.csv'), csvWithPhones(1));
    await ws.run(['broadcast', join(ws.dir, 'l.csv'), '--template', 'hello_world', '--yes', '--max-attempts', '1']);
    const sweeps: string[] = [];
    for (let i = 0; i < 5; i++) sweeps.push((await ws.run(['retry-failed', '--max-attempts', '1'])).stderr);
    expect(sweeps.slice(0, 3).every((e) => /queued again/.test(e))).toBe(true);
    expect(sweeps[3]).toContain('No broadcast has retries due.');
    expect(server.requests).toHaveLength(4); // 1 + 3 rounds
    // Named explicitly, the operator still can.
    const id = query<{ id: string }>(ws.journal, 'SELECT id FROM broadcasts')[0]!.id;
    expect((await ws.run(['retry-failed', id, '--max-attempts', '1'])).stderr).toContain('1 failed recipients queued again');
  });

  it('--limit counts messages written to the API over the whole sweep', async () => {
    const s = await sandbox(['--fail', '131000=1']);
    const ws = workspace(s.env);
    for (const [name, start] of [
      ['a.csv', 0],
      ['b.csv', 100],
    ] as const) {
      writeFileSync(join(ws.dir, name), csvWithPhones(4, start));
      await ws.run(['broadcast', join(ws.dir, name), '--template', 'hello_world', '--yes', '--max-attempts', '1']);
    }
    await s.configure({ failures: [] });
    const before = (await s.stats()).requests;
    const r = await ws.run(['retry-failed', '--limit', '5']);
    expect(r.code).toBe(6);
    expect((await s.stats()).requests - before).toBe(5);
  });
});

describe('input from pipes', () => {
  it('broadcast - reads standard input (and names it stdin); a FIFO works too', async () => {
    const ws = workspace();
    const r = await ws.run(['broadcast', '-', '--template', 'hello_world', '--sandbox', '--yes', '--json'], {
      stdin: csvWithPhones(4),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recipients: 4, source_file: 'stdin', counts: { sent: 4 } });
    const fifo = join(ws.dir, 'list.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat > ${fifo}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    writer.stdin.end(csvWithPhones(3, 50));
    const viaFifo = await ws.run(['broadcast', fifo, '--template', 'hello_world', '--sandbox', '--yes', '--json']);
    expect(viaFifo.code).toBe(0);
    expect(JSON.parse(viaFifo.stdout)).toMatchObject({ recipients: 3, source_file: fifo.split('/').pop() });
  });
});

describe('the installed bin', () => {
  it('--env-file with a missing file exits 2 with one wa-send line (Node 20 would take the flag as its own)', async () => {
    const ws = workspace();
    const r = await ws.exec(['--env-file', join(ws.dir, 'missing.env'), 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wa-send: cannot read --env-file .*missing\.env: ENOENT$/),
    ]);
  });
});

describe('every non-zero exit prints one line; SIGHUP drains like SIGTERM', () => {
  it('SIGHUP (a dropped SSH session) drains, records every answer and exits 129 naming the resume command', async () => {
    const s = await sandbox(['--latency', '30']);
    const ws = workspace(s.env);
    writeFileSync(join(ws.dir, 'l.csv'), csvWithPhones(300));
    const r = await ws.run(['broadcast', join(ws.dir, 'l.csv'), '--template', 'hello_world', '--yes', '--rate', '300'], {
      withIO: (io) => {
        // One SIGHUP only: a second one means "exit at once". Ticks overlap while stats() is awaited.
        let sent = false;
        const poll = setInterval(async () => {
          if ((await s.stats()).accepted >= 20 && !sent) {
            sent = true;
            clearInterval(poll);
            io.signal('SIGHUP');
          }
        }, 20);
      },
    });
    expect(r.code).toBe(129);
    expect(lastLine(r.stderr)).toMatch(
      /interrupted by SIGHUP; every answer received was recorded — continue with: wa-send resume b/,
    );
    expect(query(ws.journal, "SELECT 1 FROM recipients WHERE state IN ('sending', 'unknown')")).toEqual([]);
  });

  it('Ctrl-C while planning leaves nothing and says so', async () => {
    const ws = workspace();
    const rows = Array.from({ length: 30_000 }, (_, i) => `P${i},+1415${String(2_000_000 + i).padStart(7, '0')}`);
    writeFileSync(join(ws.dir, 'big.csv'), `name,phone\n${rows.join('\n')}\n`);
    const r = await ws.run(['broadcast', join(ws.dir, 'big.csv'), '--template', 'hello_world', '--sandbox', '--yes'], {
      withIO: (io) => setImmediate(() => io.signal('SIGINT')),
    });
    expect(r.code).toBe(130);
    expect(lastLine(r.stderr)).toBe('wa-send: interrupted while planning; nothing was planned (SIGINT)');
    expect(query(ws.journal, 'SELECT 1 FROM broadcasts')).toEqual([]);
  });

  it('optout with no subcommand, or a mistyped one', async () => {
    const ws = workspace();
    const none = await ws.run(['optout']);
    expect([none.code, lastLine(none.stderr)]).toEqual([
      2,
      'wa-send: optout needs a subcommand: add, remove, list or import — e.g. wa-send optout add',
    ]);
    const typo = await ws.run(['optout', 'lst']);
    expect([typo.code, lastLine(typo.stderr)]).toEqual([
      2,
      'wa-send: optout has no subcommand "lst" (did you mean list?); it has add, remove, list or import',
    ]);
  });
});

describe('small things', () => {
  it('the DETAIL column says why for unknown, HTTP-only and skipped rows; the list shows FAILED and UNKNOWN apart', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    writeFileSync(join(ws.dir, 'l.csv'), csvWithPhones(3));
    await ws.run(['optout', 'add', phones(3)[2]!]);
    const r = await ws.run([
      'broadcast',
      join(ws.dir, 'l.csv'),
      '--template',
      'hello_world',
      '--yes',
      '--limit',
      '0',
      '--name',
      'evil\u001b[2Jname',
      '--json',
    ]);
    const id = JSON.parse(r.stdout).id as string;
    await ws.run(['optout', 'add', phones(3)[1]!]);
    await ws.run(['resume', id]);
    const table = (await ws.run(['status', id, '--recipients'])).stdout;
    expect(table).toMatch(/\tskipped\t0\topted out after planning/);
    expect(table).toMatch(/\trejected\t0\topted_out: opted out \(manual\)/);
    const list = (await ws.run(['status'])).stdout;
    expect(list.split('\n')[0]).toMatch(/ACCEPTED\s+FAILED\s+UNKNOWN\s+OPEN/);
    expect(list).toContain('evil\\x1b[2Jname');
    expect(list).not.toContain('\u001b');
  });

  it('--journal /dev/null is a usage error, not an I/O error', async () => {
    const ws = workspace();
    const r = await ws.run(['--journal', '/dev/null', 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  });
});
