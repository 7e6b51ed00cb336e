// The text exposition format, written by prom-client (escaping, number formatting and the format's
// details stay its job). A fresh registry per render: prom-client's global registry would keep the
// series of broadcasts that have left the 24-hour window, and its default process metrics describe
// this short-lived CLI, not the journal.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Sample } from '../core/metrics.js';

/** text/plain; version=0.0.4; charset=utf-8: what Prometheus and node_exporter expect. */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

export async function renderPrometheus(samples: readonly Sample[]): Promise<string> {
  const registry = new Registry();
  for (const s of samples) {
    const config = { name: s.name, help: s.help, labelNames: s.labels, registers: [registry] };
    // Labels in their declared order (prom-client prints them in the order of the object's keys).
    const labelsOf = (v: Sample['values'][number]) => Object.fromEntries(s.labels.map((l) => [l, v.labels[l] ?? '']));
    if (s.type === 'counter') {
      // The journal holds the total; a fresh counter incremented once by it exposes exactly that.
      const counter = new Counter(config);
      for (const v of s.values) counter.inc(labelsOf(v), v.value);
    } else {
      const gauge = new Gauge(config);
      for (const v of s.values) gauge.set(labelsOf(v), v.value);
    }
  }
  return registry.metrics();
}
