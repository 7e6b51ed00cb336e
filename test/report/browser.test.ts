// The reports opened in a real browser (Debian's Chromium through playwright-core): they must
// render with no console error and no network request at all, show their key figures, draw every
// chart, and fit a phone's width. One browser for every page; screenshots are kept as artifacts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBroadcastReport, renderJournalReport } from '../../src/report/index.js';
import {
  emptyReport,
  finishedReport,
  HALT_REASON,
  HOSTILE_NAME,
  haltedReport,
  journalReport,
  partialReport,
} from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium';
const installed = existsSync(CHROMIUM);
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

// Page-side code as expressions: the repo's tsconfig has no DOM types (Node code only).
const computed = (page: Page, selector: string, property: string) =>
  page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);

describe.skipIf(skip)('reports in Chromium', () => {
  let context: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    if (!installed)
      throw new Error(
        `CI runs the browser test but ${CHROMIUM} is missing; install it first: apt-get install -y --no-install-recommends chromium`,
      );
    dir = mkdtempSync(join(tmpdir(), 'wa-send-report-'));
    // Without the background-networking flags Chromium itself reaches out (and here is refused).
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    console.log(`report screenshots: ${dir}`);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(join(dir, 'profile'), { recursive: true, force: true });
  });

  it.each(cases)('%s report', async (name, render, texts) => {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, render());
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    try {
      await page.goto(url, { waitUntil: 'load' });

      const text = await page.textContent('body');
      for (const t of texts) expect(text).toContain(t);
      expect(await page.locator('script').count()).toBe(0);
      // The stylesheet is allowed by its hash: a wrong hash would leave the page unstyled.
      expect(await computed(page, 'main', 'maxWidth')).toBe('1040px');

      const svgs = await page.$$eval('svg', (list) =>
        list.map((s) => {
          const box = s.getBoundingClientRect();
          return { children: s.childElementCount, width: box.width, height: box.height };
        }),
      );
      expect(svgs.length).toBeGreaterThanOrEqual(2);
      for (const s of svgs) {
        expect(s.children).toBeGreaterThan(0);
        expect(s.width).toBeGreaterThan(100);
        expect(s.height).toBeGreaterThan(40);
      }
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });

      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await computed(page, 'body', 'backgroundColor')).toBe('rgb(15, 20, 25)');
      await page.screenshot({ path: join(dir, `${name}-dark.png`), fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark', media: 'print' });
      expect(await computed(page, 'body', 'backgroundColor')).toBe('rgb(255, 255, 255)');
      expect(await computed(page, 'nav.toc', 'display')).toBe('none');
      await page.emulateMedia({ colorScheme: 'light', media: 'screen' });

      await page.setViewportSize({ width: 390, height: 844 });
      const widths = await page.evaluate<{ viewport: number; page: number; body: number }>(
        '({ viewport: document.documentElement.clientWidth, page: document.documentElement.scrollWidth, body: document.body.scrollWidth })',
      );
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      expect(widths.body).toBeLessThanOrEqual(widths.viewport);
      await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });

      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await page.close();
    }
  });
});
