import { describe, expect, it } from 'vitest';
import type { BroadcastReportData } from '../../src/core/report-data.js';
import { MAX_BARS } from '../../src/report/charts/timeline-chart.js';
import { CSP, renderBroadcastReport, renderJournalReport } from '../../src/report/index.js';
import {
  emptyReport,
  finishedReport,
  HOSTILE_NAME,
  haltedReport,
  journalReport,
  millionReport,
  partialReport,
} from './fixtures.js';
import { attributeNames, externalReferences, svgBodies } from './html-checks.js';

const SECTIONS = ['summary', 'funnel', 'timeline', 'latency', 'errors', 'rejections', 'countries'];
const reports: [string, () => BroadcastReportData][] = [
  ['finished', finishedReport],
  ['partial', partialReport],
  ['halted', haltedReport],
  ['empty', emptyReport],
];

function expectSelfContained(html: string): void {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  // The CSP must come before anything it governs.
  const head = html.slice(0, html.indexOf('<style>'));
  expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, '&#39;')}">`);
  expect(CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:/);
  expect(html).not.toMatch(/<script\b/i);
  const attributes = attributeNames(html);
  expect(attributes.filter((a) => a.startsWith('on'))).toEqual([]);
  expect(attributes).not.toContain('style'); // the CSP allows only the hashed stylesheet
  expect(externalReferences(html)).toEqual([]);
  for (const body of svgBodies(html)) expect(body).toMatch(/<(rect|path|line|text|circle)\b/);
}

describe('broadcast report', () => {
  it.each(reports)('%s: self-contained, every section, every chart drawn', (_name, make) => {
    const html = renderBroadcastReport(make());
    expectSelfContained(html);
    for (const id of SECTIONS) expect(html).toContain(`id="${id}"`);
    expect(svgBodies(html).length).toBeGreaterThanOrEqual(2);
  });

  it('shows the key figures', () => {
    const data = partialReport();
    const html = renderBroadcastReport(data);
    expect(html).toContain('bp4rt1a1');
    expect(html).toContain('20,000'); // recipients
    expect(html).toContain(data.funnel.accepted.toLocaleString('en-US'));
    expect(html).toContain('131026');
    expect(html).toContain('Not deliverable');
    expect(html).toContain('+1 415 ••• 2671');
    expect(html).toContain('paused 2 h 10 min');
    expect(html).toContain('<span class="state state-partial">partial</span>');
  });

  it('a halted broadcast says why and how to continue', () => {
    const html = renderBroadcastReport(haltedReport());
    expect(html).toContain('a run-wide error stopped it; fix the cause, then resume');
    expect(html).toContain('<code>wa-send resume bh4lt3dx</code>');
    expect(html).toContain('error 190 Access token expired');
    expect(html).toContain('class="halt"');
    // Delivered receipts came in, read receipts not yet.
    expect(html).toMatch(/id="latency-read"><h3>Delivered → read<\/h3><p class="callout">No delivery receipts yet/);
  });

  it('never lets text from the journal become markup', () => {
    const data = emptyReport();
    data.broadcast.reason = '</p><script>alert(2)</script>';
    data.broadcast.continueCommand = 'wa-send resume "x" <y>';
    data.rejections = [
      { reason: '<b>bad</b>', count: 1, examples: [{ line: 2, input: '"><svg onload=alert(3)>', detail: '<i>x</i>' }] },
    ];
    data.errors = [
      {
        code: null,
        title: '<title>',
        action: '<a href="https://evil.example">',
        count: 1,
        examples: [{ phone: '<u>', line: 1, detail: null }],
      },
    ];
    const html = renderBroadcastReport(data);
    expectSelfContained(html);
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<svg onload');
    expect(html).not.toContain('<a href="https://evil.example">');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q4&quot; &amp; &#39;promo&#39; \ufffdevil');
    expect(html).toContain('wa-send resume &quot;x&quot; &lt;y&gt;');
  });

  it('an empty broadcast renders cleanly', () => {
    const html = renderBroadcastReport(emptyReport());
    expect(html).toContain('no requests sent yet');
    expect(html).toContain('no rows read');
    expect(html).toContain('No API errors.');
    expect(html).toContain('No rows were rejected.');
    expect(html).toContain('No delivery receipts yet');
    expect(html).not.toContain('NaN');
    expect(html).not.toContain('Infinity');
    expect(html).not.toContain('undefined');
  });

  it('1,000,000 recipients: aggregates only, under 2 MB, at most MAX_BARS bars', () => {
    const data = millionReport();
    const started = performance.now();
    const html = renderBroadcastReport(data);
    const ms = performance.now() - started;
    const bytes = Buffer.byteLength(html);
    console.log(`1M-recipient report: ${(bytes / 1024).toFixed(0)} KiB, rendered in ${ms.toFixed(0)} ms`);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expectSelfContained(html);
    expect(html).toContain('1,000,000');
    const bars = Number(/id="timeline"[\s\S]*?data-bars="(\d+)"/.exec(html)?.[1]);
    expect(bars).toBeGreaterThan(0);
    expect(bars).toBeLessThanOrEqual(MAX_BARS);
    // Long strings were clipped, not dropped.
    expect(html).toContain('é&lt;&quot;&amp;&gt;é');
    expect(html).not.toContain('x'.repeat(1000));
    expect(html).not.toMatch(/NaN|Infinity/);
  });
});

describe('journal report', () => {
  it('lists the broadcasts with their state and draws both charts', () => {
    const data = journalReport();
    const html = renderJournalReport(data);
    expectSelfContained(html);
    for (const id of ['summary', 'broadcasts', 'per-day', 'rates', 'errors']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain(data.broadcasts[0]!.id);
    expect(html).toContain('<span class="state state-halted">halted</span>');
    expect(html).toContain('131026');
    // Every day from the first send to the last, the quiet ones too.
    const days = [...new Set(data.perDay.map((d) => d.day))].sort();
    const span = (Date.parse(days[days.length - 1]!) - Date.parse(days[0]!)) / 86_400_000 + 1;
    expect(days.length).toBeLessThan(span);
    expect(html).toContain(`data-bars="${span}"`);
    expect(svgBodies(html)).toHaveLength(2);
  });

  it('an empty journal renders cleanly', () => {
    const html = renderJournalReport({
      generatedAt: '2026-11-23T09:00:00Z',
      since: '2026-10-24T09:00:00Z',
      broadcasts: [],
      perDay: [],
      ratesOverTime: [],
      topErrors: [],
    });
    expectSelfContained(html);
    expect(html).toContain('No broadcasts in this period.');
    expect(html).toContain('no messages sent in this period');
    expect(html).toContain('no accepted messages in this period');
    expect(svgBodies(html)).toHaveLength(2);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });
});
