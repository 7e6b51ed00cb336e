// The prom-client rendering: the text format's details (escaping, empty families, counters), checked
// exactly and through an independent parser.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/core/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '../../src/metrics/prometheus.js';
import { parseExposition } from '../helpers/prometheus.js';

const SAMPLES: Sample[] = [
  {
    name: 'm',
    help: 'h',
    type: 'gauge',
    labels: ['a', 'b'],
    // Given out of order and with a value that needs escaping: printed in declared order, escaped.
    values: [{ labels: { b: '2', a: 'x"y\\z\nw' }, value: 2 }],
  },
  { name: 'empty', help: 'no series yet', type: 'gauge', labels: ['a'], values: [] },
  { name: 'c_total', help: 'a total', type: 'counter', labels: ['o'], values: [{ labels: { o: 'k' }, value: 0 }] },
  { name: 'plain', help: 'no labels', type: 'gauge', labels: [], values: [{ labels: {}, value: 0.25 }] },
];

describe('renderPrometheus', () => {
  it('writes the text exposition format', async () => {
    expect(await renderPrometheus(SAMPLES)).toBe(
      [
        '# HELP m h',
        '# TYPE m gauge',
        'm{a="x\\"y\\\\z\\nw",b="2"} 2',
        '',
        '# HELP empty no series yet',
        '# TYPE empty gauge',
        '',
        '# HELP c_total a total',
        '# TYPE c_total counter',
        'c_total{o="k"} 0',
        '',
        '# HELP plain no labels',
        '# TYPE plain gauge',
        'plain 0.25',
        '',
      ].join('\n'),
    );
    expect(PROMETHEUS_CONTENT_TYPE).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('parses back to the same values, and a fresh registry each time (nothing carried over)', async () => {
    const parsed = parseExposition(await renderPrometheus(SAMPLES));
    expect(parsed.value('m', { b: '2' })).toBe(2);
    expect(parsed.samples('m')[0]!.labels.a).toBe('x"y\\z\nw');
    expect(parsed.family('c_total')!.type).toBe('COUNTER');
    expect(parsed.family('empty')!.metrics).toEqual([]);
    const again = parseExposition(await renderPrometheus([{ ...SAMPLES[0]!, values: [] }]));
    expect(again.families.map((f) => [f.name, f.metrics.length])).toEqual([['m', 0]]);
  });
});
