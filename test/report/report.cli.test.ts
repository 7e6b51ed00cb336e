// `wa-send report` in process against real sandbox runs: the report's figures are the status
// object's, throttling shows on the timeline, errors carry their code and count, numbers are
// masked unless --show-numbers; the file is written atomically where -o says (or to stdout), and
// every refusal is one line with exit 2.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvWithPhones, workspace } from '../helpers/cli.js';
import { definitionNumbers, errorRows, funnelStages, sectionOf, statsOf } from './report-reader.js';
import { runWithWebhooks, type SandboxRun, type Stoppable } from './sandbox-runs.js';

const stops: Stoppable[] = [];
afterAll(async () => {
  await Promise.all(stops.splice(0).map((s) => s.stop()));
});

describe('wa-send report on a sandbox run with webhooks', () => {
  let run: SandboxRun;
  let html: string;
  let status: Record<string, any>;
  let file: string;

  beforeAll(async () => {
    run = await runWithWebhooks(300, ['--fail', '131026=0.05', '--fail', '130429=0.03'], stops);
    expect(run.broadcast.code).toBe(3); // partial: the 131026 rows
    file = join(run.ws.dir, 'report.html');
    const r = await run.ws.run(['report', run.id, '-o', file]);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^Report written to ${file} \\(\\d+ KB\\)\\n$`));
    html = readFileSync(file, 'utf8');
    status = JSON.parse((await run.ws.run(['status', run.id, '--json'])).stdout);
  });

  it('the funnel is `status --json`', () => {
    expect(funnelStages(html)).toEqual({
      'Rows read': status.rows_read,
      Recipients: status.recipients,
      Accepted: status.accepted,
      Delivered: status.delivery.delivered,
      Read: status.delivery.read,
    });
    const c = status.counts;
    expect(definitionNumbers(html, 'funnel-not-accepted')).toEqual({
      Failed: status.send_failed,
      Unknown: c.unknown,
      Skipped: c.skipped,
      Open: c.pending + c.sending + c.retry,
    });
    expect(status.delivery.delivered).toBeGreaterThan(0);
    expect(status.delivery.read).toBeGreaterThan(0);
    expect(html).toContain(`<span class="state state-${status.state}">${status.state}</span>`);
  });

  it('the timeline shows every throttled answer the sandbox gave; the errors table has 131026 with its count', async () => {
    const stats = await run.sandbox.stats();
    const throttled = stats.errors_by_code?.['130429'] ?? stats.errors?.['130429'];
    expect(throttled).toBeGreaterThan(0);
    const timeline = statsOf(sectionOf(html, 'timeline'));
    expect(timeline['throttled (130429 / 429)']).toMatch(new RegExp(`^${throttled} \\(`));
    expect(timeline['requests started']).toBe(String(stats.requests));
    expect(sectionOf(html, 'timeline')).toContain('class="throttle-tick"');

    const errors = errorRows(html);
    const undeliverable = status.errors.find((e: { code: number }) => e.code === 131026);
    expect(errors.get('131026')).toMatchObject({ title: 'Message undeliverable', count: undeliverable.count });
    expect(errors.get('130429')).toMatchObject({ title: 'Throughput limit reached' });
    expect(errors.get('131026')!.examples).toHaveLength(3);
  });

  it('latency from the receipts', () => {
    const delivered = statsOf(/<div id="latency-delivered">[\s\S]*?<\/div><\/div>/.exec(html)![0]);
    expect(delivered.messages).toBe(status.delivery.delivered.toLocaleString('en-US'));
  });

  it('masks every phone number; --show-numbers shows them, in a file only its owner may read', async () => {
    const phones = csvWithPhones(300)
      .split('\n')
      .slice(1, -1)
      .map((l) => l.split(',')[1]!);
    const leaked = (text: string) => phones.filter((p) => text.includes(p) || text.includes(p.slice(1)));
    expect(leaked(html)).toEqual([]);
    for (const x of errorRows(html).get('131026')!.examples) expect(x).toMatch(/^\+1 415 ••• \d{4} · line \d+ · /);

    const full = join(run.ws.dir, 'full.html');
    expect((await run.ws.run(['report', run.id, '-o', full, '--show-numbers'])).code).toBe(0);
    const failed = readFileSync(full, 'utf8');
    expect(leaked(failed).length).toBeGreaterThan(0);
    expect(statSync(full).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('-o - writes the page to stdout and nothing to stderr; no temporary file is ever left', async () => {
    const r = await run.ws.run(['report', run.id, '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(funnelStages(r.stdout)).toEqual(funnelStages(html));
    expect(readdirSync(run.ws.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('wa-send report: names, the journal report, refusals', () => {
  it('writes wa-send-<id>.html (or wa-send-journal.html) in the current directory', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(5));
    expect((await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes', '--name', 'Small'])).code).toBe(0);
    const id = JSON.parse((await ws.run(['status', '--json'])).stdout)[0].id as string;
    const cwd = process.cwd();
    process.chdir(ws.dir);
    try {
      const one = await ws.run(['report', id]);
      expect(one.stderr).toBe(
        `Report written to ${join(ws.dir, `wa-send-${id}.html`)} (${kb(join(ws.dir, `wa-send-${id}.html`))})\n`,
      );
      expect((await ws.run(['report', id, '--quiet'])).stderr).toBe('');
      const all = await ws.run(['report']);
      expect(all.code).toBe(0);
      const journal = readFileSync(join(ws.dir, 'wa-send-journal.html'), 'utf8');
      expect(journal).toContain('wa-send journal report');
      expect(journal).toContain(id);
    } finally {
      process.chdir(cwd);
    }
    // 40 days on, the default period (30 days) holds nothing; --since 60d holds it again.
    const later = { now: () => Date.now() + 40 * 86_400_000, sleep: async () => {} };
    const old = await ws.run(['report', '-o', '-'], { clock: later });
    expect(old.stdout).toContain('No broadcasts in this period.');
    expect((await ws.run(['report', '-o', '-', '--since', '60d'], { clock: later })).stdout).toContain(id);
  });

  it.each([
    [['report', 'nope'], /^wa-send: no broadcast nope in the journal .* — list them with: wa-send status\n$/],
    [['report', 'b1', '--since', '7d'], /^wa-send: --since is for the journal report: give it without a broadcast id/],
    [['report', '--since', 'soon'], /^wa-send: .*--since must be a duration/],
    [
      ['report', '-o', '/nonexistent-dir/r.html'],
      /^wa-send: cannot write the report to \/nonexistent-dir\/r\.html: no directory \/nonexistent-dir\n$/,
    ],
  ])('%j exits 2 with one line', async (args, line) => {
    const ws = workspace();
    await ws.run(['optout', 'add', '+14152010000']); // the journal exists
    const r = await ws.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('refuses a directory as the output, and an id when there is no journal yet', async () => {
    const ws = workspace();
    expect((await ws.run(['report', 'b1', '-o', ws.dir])).stderr).toBe(
      `wa-send: cannot write the report to ${ws.dir}: it is a directory\n`,
    );
    expect((await ws.run(['report', 'b1', '-o', join(ws.dir, 'r.html')])).stderr).toMatch(
      /^wa-send: no broadcast b1: the journal .* does not exist yet\n$/,
    );
  });
});

function kb(path: string): string {
  return `${Math.max(1, Math.round(statSync(path).size / 1024))} KB`;
}
