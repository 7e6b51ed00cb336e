// Opening a report in Debian's Chromium (playwright-core) and checking what a reader would notice:
// no console error, no request but the file itself, the key figures, every SVG drawn, the dark and
// print styles applied, no overflow at a phone's width. Screenshots are kept beside the page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const installed = existsSync(CHROMIUM);

export function launch(dir: string): Promise<BrowserContext> {
  if (!installed)
    throw new Error(
      `CI runs the browser test but ${CHROMIUM} is missing; install it first: apt-get install -y --no-install-recommends chromium`,
    );
  // Without the background-networking flags Chromium itself reaches out (and here is refused).
  return chromium.launchPersistentContext(join(dir, 'profile'), {
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
}

// Page-side code as expressions: the repo's tsconfig has no DOM types (Node code only).
const computed = (page: Page, selector: string, property: string) =>
  page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);

/** Opens `file` (a report written to `dir`), checks it, and leaves `name`.png, -dark.png and -phone.png beside it. */
export async function checkReport(
  context: BrowserContext,
  dir: string,
  name: string,
  file: string,
  texts: string[],
): Promise<void> {
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
}
