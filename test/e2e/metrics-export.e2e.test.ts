// wa-send metrics --textfile (node_exporter's textfile collector: replaced whole, never seen
// half-written) and --listen (a Prometheus scrape target that holds no journal between scrapes).
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, csvWithPhones, runMain, until, waitForOutput, workspace } from '../helpers/cli.js';
import type { MemoryIO } from '../helpers/memory-io.js';
import { parseExposition } from '../helpers/prometheus.js';

type Workspace = ReturnType<typeof workspace>;

async function sandboxBroadcast(ws: Workspace, n: number, start = 0): Promise<string> {
  const csv = join(ws.dir, `l${start}.csv`);
  writeFileSync(csv, csvWithPhones(n, start));
  const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

const isRoot = process.getuid?.() === 0;

describe('wa-send metrics --textfile', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o077); // a strict umask must not make the file unreadable for node_exporter
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('writes the exposition whole, mode 0644, and replaces the file on the next run (never truncates it)', async () => {
    const ws = workspace();
    const first = await sandboxBroadcast(ws, 2);
    const dir = join(ws.dir, 'textfile');
    mkdirSync(dir);
    const target = join(dir, 'wa_send.prom');
    const r = await ws.run(['metrics', '--textfile', target]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const before = readFileSync(target, 'utf8');
    expect(parseExposition(before).value('wa_send_recipients', { broadcast: first, state: 'sent' })).toBe(2);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(before).toBe((await ws.run(['metrics'])).stdout);

    // A reader that opened the old file keeps reading it whole: the new text arrives as a new file.
    linkSync(target, join(ws.dir, 'old.prom'));
    const second = await sandboxBroadcast(ws, 3, 10);
    expect((await ws.run(['metrics', '--textfile', target])).code).toBe(0);
    expect(readFileSync(join(ws.dir, 'old.prom'), 'utf8')).toBe(before);
    expect(statSync(target).ino).not.toBe(statSync(join(ws.dir, 'old.prom')).ino);
    const after = parseExposition(readFileSync(target, 'utf8'));
    expect(after.value('wa_send_recipients', { broadcast: second, state: 'sent' })).toBe(3);
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['wa_send.prom']); // no temp file left behind
  });

  it('a name the collector would skip is written, with a note on stderr', async () => {
    const ws = workspace();
    const target = join(ws.dir, 'metrics.txt');
    const r = await ws.run(['metrics', '--textfile', target]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("note: node_exporter's textfile collector reads only files named *.prom");
    expect(parseExposition(readFileSync(target, 'utf8')).value('wa_send_webhook_events_total')).toBe(0);
  });

  it.each([
    ['the directory does not exist', (d: string) => join(d, 'missing', 'wa_send.prom'), /the directory .*missing does not exist/],
    [
      'the parent is a file',
      (d: string) => {
        writeFileSync(join(d, 'afile'), 'x');
        return join(d, 'afile', 'wa_send.prom');
      },
      /afile is not a directory/,
    ],
    [
      'the target is a directory',
      (d: string) => {
        mkdirSync(join(d, 'adir.prom'));
        return join(d, 'adir.prom');
      },
      /adir\.prom: it is a directory/,
    ],
  ])('%s: exit 2 with one line, nothing written', async (_name, make, message) => {
    const ws = workspace();
    await sandboxBroadcast(ws, 1);
    const listing = () => readdirSync(ws.dir).sort();
    const target = make(ws.dir);
    const before = listing();
    const r = await ws.run(['metrics', '--textfile', target]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^wa-send: cannot write .*${message.source}`));
    expect(listing()).toEqual(before);
  });

  it.skipIf(isRoot)('a directory that is not writable: exit 2 with one line', async () => {
    const ws = workspace();
    const dir = join(ws.dir, 'ro');
    mkdirSync(dir, 0o555);
    const r = await ws.run(['metrics', '--textfile', join(dir, 'wa_send.prom')]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/the directory .*ro is not writable/);
  });

  it('a journal that cannot be read leaves the previous file as it was', async () => {
    const ws = workspace();
    await sandboxBroadcast(ws, 1);
    const target = join(ws.dir, 'wa_send.prom');
    expect((await ws.run(['metrics', '--textfile', target])).code).toBe(0);
    const before = readFileSync(target, 'utf8');
    renameSync(ws.journal, `${ws.journal}.bak`);
    writeFileSync(ws.journal, 'not a database\n');
    const r = await ws.run(['metrics', '--textfile', target]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/is not a wa-send journal/);
    expect(readFileSync(target, 'utf8')).toBe(before);
    expect(readdirSync(ws.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--textfile with --listen is a usage error', async () => {
    const ws = workspace();
    const r = await ws.run(['metrics', '--textfile', join(ws.dir, 'x.prom'), '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/cannot be used with option '--listen/);
  });
});

/** Starts `metrics --listen 127.0.0.1:0` in process; resolves once it printed its URL. */
async function startListening(ws: Workspace, args: string[] = []) {
  let io!: MemoryIO;
  const running = ws.run(['metrics', '--listen', '127.0.0.1:0', ...args], { withIO: (x) => (io = x) });
  await until(() => io.out().includes('\n'), 'the metrics URL on stdout', 30_000, 10);
  return { io, running, url: io.out().trim() };
}

/** Files this process has open (Linux). */
const openFiles = () =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });

describe('wa-send metrics --listen', () => {
  it('serves /metrics from a fresh read each scrape, 404 elsewhere, 503 on a journal error; exits 0 on SIGTERM', async () => {
    const ws = workspace();
    const first = await sandboxBroadcast(ws, 2);
    const { io, running, url } = await startListening(ws);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/metrics$/);

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseExposition(await res.text()).value('wa_send_recipients', { broadcast: first, state: 'sent' })).toBe(2);
    if (existsSync('/proc/self/fd')) expect(openFiles().filter((f) => f.startsWith(ws.journal))).toEqual([]);

    const second = await sandboxBroadcast(ws, 1, 10); // the journal is writable while the server runs
    const again = parseExposition(await (await fetch(url)).text());
    expect(again.value('wa_send_recipients', { broadcast: second, state: 'sent' })).toBe(1);

    const other = await fetch(url.replace(/\/metrics$/, '/'));
    expect(other.status).toBe(404);
    await other.text();
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.text();

    renameSync(ws.journal, `${ws.journal}.bak`);
    writeFileSync(ws.journal, 'not a database\n');
    const failed = await fetch(url);
    expect(failed.status).toBe(503);
    const body = await failed.text();
    expect(body).toMatch(/^[^\n]*is not a wa-send journal[^\n]*\n$/);
    renameSync(`${ws.journal}.bak`, ws.journal);
    expect((await fetch(url).then(async (r) => [r.status, await r.text()]))[0]).toBe(200);

    io.signal('SIGTERM');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${url}\n`); // exactly one line
    expect(r.stderr).toMatch(/scrape failed \(503\): .*is not a wa-send journal/);
  });

  it('the real binary: one URL line, a scrape, and exit 0 on a real SIGTERM', async () => {
    const ws = workspace();
    await sandboxBroadcast(ws, 1);
    const child = ws.spawn(['metrics', '--listen', '127.0.0.1:0']);
    child.stdin!.end();
    const done = collect(child, 30_000);
    const url = await waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(parseExposition(await res.text()).value('wa_send_number_sent_5m', { number: 'sandbox' })).toBe(1);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${url}\n`);
  });

  it('a port in use: exit 2 with one line', async () => {
    const ws = workspace();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await ws.run(['metrics', '--listen', `127.0.0.1:${port}`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(oneLine(r.stderr)).toBe(
        `wa-send: cannot listen on 127.0.0.1:${port}: the address is already in use — choose another port`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it.each(['9464', ':9464', '127.0.0.1', '127.0.0.1:99999', '::1:9464'])('--listen %s: exit 2 with one line', async (value) => {
    const r = await runMain(['metrics', '--listen', value]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/--listen.*expected HOST:PORT, e\.g\. 127\.0\.0\.1:9464/);
  });

  it('a file that is not a wa-send journal: refused at start (exit 2), nothing served', async () => {
    const ws = workspace();
    writeFileSync(ws.journal, 'not a database\n');
    const r = await ws.run(['metrics', '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(/is not a wa-send journal/);
  });

  it('no journal yet: serves an empty journal and says so on stderr', async () => {
    const ws = workspace();
    const { io, running, url } = await startListening(ws);
    const m = parseExposition(await (await fetch(url)).text());
    expect(m.samples('wa_send_recipients')).toEqual([]);
    io.signal('SIGINT');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no journal at .* yet/);
    expect(existsSync(ws.journal)).toBe(false); // read-only: nothing created
  });
});
