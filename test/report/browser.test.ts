// The reports opened in a real browser (Debian's Chromium through playwright-core, see
// browser-check.ts): the renderer's fixture reports, and reports written by `wa-send report` itself
// from real sandbox runs (receipts through `wa-send webhook`, failures, throttling, a halt). One
// browser for every page; screenshots are kept as artifacts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBroadcastReport, renderJournalReport } from '../../src/report/index.js';
import { CHROMIUM, checkReport, installed, launch } from './browser-check.js';
import {
  emptyReport,
  finishedReport,
  HALT_REASON,
  HOSTILE_NAME,
  haltedReport,
  journalReport,
  partialReport,
} from './fixtures.js';
import { haltedRun, runWithWebhooks, type Stoppable } from './sandbox-runs.js';

const INSTALL = 'apt-get install -y chromium';
// Locally a missing browser skips (saying so once); CI must run it, so there it fails instead.
const skip = !installed && !process.env.CI;
if (skip) console.log(`browser test skipped: Chromium is not installed at ${CHROMIUM} (install it: ${INSTALL})`);

const partial = partialReport();
const journal = journalReport();
const cases: [name: string, html: () => string, texts: string[]][] = [
  [
    'finished',
    () => renderBroadcastReport(finishedReport()),
    ['bf1n15hd', 'November promo', '8,000', 'completed', 'every recipient that could be sent to was accepted by the API'],
  ],
  [
    'partial',
    () => renderBroadcastReport(partial),
    ['bp4rt1a1', '20,000', partial.funnel.accepted.toLocaleString('en-US'), '131026', 'Message undeliverable', '+1 415 ••• 2671'],
  ],
  [
    'halted',
    () => renderBroadcastReport(haltedReport()),
    [
      'bh4lt3dx',
      '3,200',
      '190',
      'wa-send resume bh4lt3dx',
      HALT_REASON,
      'No delivery receipts yet (they arrive through wa-send webhook).',
    ],
  ],
  [
    'empty',
    () => renderBroadcastReport(emptyReport()),
    ['be0mp7yy', HOSTILE_NAME.replace('\u202E', '\ufffd'), 'no requests sent yet', 'No rows were rejected.'],
  ],
  [
    'journal',
    () => renderJournalReport(journal),
    ['wa-send journal report', journal.broadcasts[0]!.id, '131026', 'Delivery and read rates'],
  ],
];

describe.skipIf(skip)('reports in Chromium', () => {
  let context: BrowserContext;
  let dir: string;
  const stops: Stoppable[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wa-send-report-'));
    context = await launch(dir);
    console.log(`report screenshots: ${dir}`);
  });

  afterAll(async () => {
    await context?.close();
    await Promise.all(stops.splice(0).map((s) => s.stop()));
    if (dir) rmSync(join(dir, 'profile'), { recursive: true, force: true });
  });

  it.each(cases)('%s report', async (name, render, texts) => {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, render());
    await checkReport(context, dir, name, file, texts);
  });

  it('written by `wa-send report` from a sandbox run with webhooks, failures and throttling', async () => {
    const run = await runWithWebhooks(200, ['--fail', '131026=0.05', '--fail', '130429=0.03'], stops, [
      '--name',
      'Order updates',
    ]);
    const file = join(dir, 'real-partial.html');
    expect((await run.ws.run(['report', run.id, '-o', file])).code).toBe(0);
    const status = JSON.parse((await run.ws.run(['status', run.id, '--json'])).stdout);
    expect(status.delivery.read).toBeGreaterThan(0);
    const fmt = (n: number) => n.toLocaleString('en-US');
    await checkReport(context, dir, 'real-partial', file, [
      run.id,
      'Order updates',
      status.state,
      fmt(status.accepted),
      fmt(status.delivery.delivered),
      fmt(status.delivery.read),
      '131026',
      'Message undeliverable',
      'Throughput limit reached',
      'Accepted → delivered',
      'United States',
    ]);
  });

  it('written by `wa-send report` from a run halted half-way (the token stopped working)', async () => {
    const run = await haltedRun(60, 20, stops);
    expect(run.broadcast.code).toBe(4);
    const file = join(dir, 'real-halted.html');
    expect((await run.ws.run(['report', run.id, '-o', file])).code).toBe(0);
    await checkReport(context, dir, 'real-halted', file, [
      run.id,
      'Renewal reminder',
      'halted',
      'a run-wide error stopped it; fix the cause, then resume',
      `wa-send resume ${run.id}`,
      '190',
    ]);
  });
});
