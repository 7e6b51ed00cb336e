import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/report/charts/bar-chart.js';
import { funnelChart } from '../../src/report/charts/funnel-chart.js';
import { percentLineChart } from '../../src/report/charts/line-chart.js';
import { niceTicks } from '../../src/report/charts/svg.js';
import { timeScale } from '../../src/report/charts/time-scale.js';
import { MAX_BARS, rebucket, timelineChart } from '../../src/report/charts/timeline-chart.js';
import { dayRange } from '../../src/report/sections/journal.js';
import { svgBodies } from './html-checks.js';

const point = (t: number, started = 10) => ({ t, started, accepted: started, throttled: 0, errors: 0 });

describe('timeline data', () => {
  it('rebucket keeps every request and at most MAX_BARS bars', () => {
    const points = Array.from({ length: 12_345 }, (_, i) => ({
      t: 1_000_000 + i,
      started: 80,
      accepted: 70,
      throttled: 7,
      errors: 3,
    }));
    const out = rebucket(points, 1);
    expect(out.points.length).toBeLessThanOrEqual(MAX_BARS);
    expect(out.bucketS).toBeGreaterThan(1);
    for (const key of ['started', 'accepted', 'throttled', 'errors'] as const) {
      expect(out.points.reduce((n, p) => n + p[key], 0)).toBe(points.reduce((n, p) => n + p[key], 0));
    }
    expect(rebucket(points.slice(0, 10), 1).points).toHaveLength(10);
  });

  it('a long pause becomes an axis break, a short one stays on the axis', () => {
    const runs = [
      { start: 0, end: 300 },
      { start: 7500, end: 7800 },
    ];
    const broken = timeScale(runs, 0, 900, 60);
    expect(broken.segments).toHaveLength(2);
    expect(broken.gaps).toEqual([expect.objectContaining({ seconds: 7200 })]);
    // Both runs get the same width, the break a fixed one between them.
    expect(broken.segments[0]!.w).toBeCloseTo(broken.segments[1]!.w);
    expect(broken.x(300)).toBeLessThan(broken.x(7500));
    const linear = timeScale(
      [
        { start: 0, end: 300 },
        { start: 320, end: 600 },
      ],
      0,
      900,
      60,
    );
    expect(linear.segments).toHaveLength(1);
    expect(linear.gaps).toHaveLength(0);
  });

  it('draws the rate line, halts, throttling and the pause', () => {
    const svg = timelineChart({
      bucketS: 1,
      rate: 80,
      points: [point(1000), { ...point(1001, 80), throttled: 5 }, point(9000)],
      runs: [
        { startedAt: 1000, endedAt: 1002, mode: 'broadcast', rate: 80, outcome: 'interrupted', reason: null },
        { startedAt: 9000, endedAt: 9001, mode: 'resume', rate: 80, outcome: 'halted', reason: 'error 190' },
      ],
      halts: [{ at: 9001, reason: 'error 190 <token>' }],
    }).value;
    expect(svg).toContain('class="rate"');
    expect(svg).toContain('--rate 80/s');
    expect(svg).toContain('class="halt"');
    expect(svg).toContain('error 190 &lt;token&gt;');
    expect(svg).toContain('class="throttle-tick"');
    expect(svg).toContain('paused 2 h 13 min');
    expect(svg).toContain('data-bars="3"');
  });
});

describe('empty and single-value charts still draw', () => {
  it.each([
    [
      'timeline, nothing at all',
      timelineChart({ bucketS: 1, rate: null, points: [], runs: [], halts: [] }).value,
      'no requests sent yet',
    ],
    [
      'timeline, one point',
      timelineChart({ bucketS: 1, rate: 80, points: [point(5)], runs: [], halts: [] }).value,
      'data-bars="1"',
    ],
    [
      'timeline, a run with no request',
      timelineChart({
        bucketS: 1,
        rate: 80,
        points: [],
        runs: [{ startedAt: 5, endedAt: null, mode: 'resume', rate: 80, outcome: 'running', reason: null }],
        halts: [],
      }).value,
      'data-bars="0"',
    ],
    ['funnel of zeros', funnelChart([{ label: 'Rows read', value: 0, note: '' }]).value, 'no rows read'],
    [
      'funnel of a million',
      funnelChart([
        { label: 'Rows read', value: 1_000_000, note: '' },
        { label: 'Read', value: 1, note: '' },
      ]).value,
      '1,000,000',
    ],
    [
      'bar chart, no categories',
      barChart({ label: 'x', categories: [], series: [], emptyMessage: 'nothing here' }).value,
      'nothing here',
    ],
    [
      'line chart, all nulls',
      percentLineChart('x', ['2026-11-01'], [{ name: 'a', cls: 'a', values: [null] }], 'no base').value,
      'no base',
    ],
    [
      'line chart, one day',
      percentLineChart('x', ['2026-11-01'], [{ name: 'a', cls: 'a', values: [0.5] }], 'no base').value,
      '<circle',
    ],
  ])('%s', (_name, svg, expected) => {
    expect(svg).toContain(expected);
    const bodies = svgBodies(svg);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatch(/<(rect|path|line|text|circle)\b/);
  });
});

describe('axes', () => {
  it.each([
    [0, [0, 1]],
    [7, [0, 2, 4, 6, 8]],
    [80, [0, 20, 40, 60, 80]],
    [88, [0, 25, 50, 75, 100]],
    [1_000_000, [0, 250_000, 500_000, 750_000, 1_000_000]],
  ])('niceTicks(%d)', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });

  it('dayRange fills missing days and caps the count', () => {
    expect(dayRange(['2026-11-03', '2026-10-31', '2026-11-01'])).toEqual([
      '2026-10-31',
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
    ]);
    expect(dayRange(['2026-01-01', '2026-12-31'], 10)).toHaveLength(10);
    expect(dayRange([])).toEqual([]);
  });
});
