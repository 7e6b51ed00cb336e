// Real broadcasts for the report tests: a sandbox process as the Cloud API (failures, throttling,
// signed status webhooks) and `wa-send webhook` receiving them into the workspace's journal, both
// on 127.0.0.1; the broadcast itself runs in process. Waits on observable events only: the
// sandbox's stats and the journal's unapplied events.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CliResult,
  collect,
  csvWithPhones,
  query,
  type SandboxProcess,
  startSandboxProcess,
  until,
  waitForOutput,
  workspace,
} from '../helpers/cli.js';

export type Workspace = ReturnType<typeof workspace>;
const SECRET = 'report-test-secret';

export interface Stoppable {
  stop(): Promise<void>;
}

async function receiver(ws: Workspace, stops: Stoppable[]): Promise<string> {
  const child = ws.spawn(['webhook', '--port', '0'], { env: { WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'vt' } });
  const done = collect(child);
  stops.push({
    stop: async () => {
      child.kill('SIGTERM');
      await done;
    },
  });
  return waitForOutput(child, /http:\/\/127\.0\.0\.1:\d+/);
}

async function sandboxFor(url: string, args: string[], stops: Stoppable[]): Promise<SandboxProcess> {
  const s = await startSandboxProcess(['--webhook-url', url, '--app-secret', SECRET, '--latency', '2', ...args]);
  stops.push(s);
  return s;
}

/** Every webhook the sandbox emitted has been posted, and the journal has applied every event. */
async function settled(ws: Workspace, s: SandboxProcess): Promise<void> {
  await until(async () => (await s.stats()).webhooks.pending === 0, 'every webhook posted');
  await until(
    () => query(ws.journal, 'SELECT 1 FROM webhook_events WHERE applied_at IS NULL').length === 0,
    'every event applied',
  );
}

export interface SandboxRun {
  ws: Workspace;
  id: string;
  broadcast: CliResult;
  sandbox: SandboxProcess;
}

/** `n` recipients through a sandbox answering with `sandboxArgs` failures, receipts delivered. */
export async function runWithWebhooks(
  n: number,
  sandboxArgs: string[],
  stops: Stoppable[],
  flags: string[] = [],
): Promise<SandboxRun> {
  const ws = workspace();
  const s = await sandboxFor(await receiver(ws, stops), sandboxArgs, stops);
  const csv = join(ws.dir, 'customers.csv');
  writeFileSync(csv, csvWithPhones(n));
  const broadcast = await ws.run(['broadcast', csv, '--template', 'hello_world', '--yes', '--rate', '400', ...flags], {
    env: s.env,
  });
  await settled(ws, s);
  const id = JSON.parse((await ws.run(['status', '--json'])).stdout)[0].id as string;
  return { ws, id, broadcast, sandbox: s };
}

/**
 * A broadcast halted half-way: the sandbox starts refusing the token (190, run-wide) once `after`
 * messages were accepted, so the report has sends, receipts, a halt and `resume` to continue.
 */
export async function haltedRun(n: number, after: number, stops: Stoppable[]): Promise<SandboxRun> {
  const ws = workspace();
  const s = await sandboxFor(await receiver(ws, stops), ['--token', 'test-token-not-secret'], stops);
  const csv = join(ws.dir, 'renewals.csv');
  writeFileSync(csv, csvWithPhones(n));
  const broadcast = await ws.run(
    ['broadcast', csv, '--template', 'hello_world', '--yes', '--rate', '50', '--concurrency', '2', '--name', 'Renewal reminder'],
    {
      env: s.env,
      withIO: () => {
        void until(async () => (await s.stats()).accepted >= after, 'the first sends').then(() =>
          s.configure({ token: 'rotated-token' }),
        );
      },
    },
  );
  await settled(ws, s);
  const id = JSON.parse((await ws.run(['status', '--json'])).stdout)[0].id as string;
  return { ws, id, broadcast, sandbox: s };
}
