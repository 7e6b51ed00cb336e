// Reading `wa-send metrics` output the way Prometheus would: an independent parser of the text
// format, then look-ups by family and labels.
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';

export interface Exposition {
  families: MetricFamily[];
  family(name: string): MetricFamily | undefined;
  /** Every sample of `name` whose labels include `labels`, with its full label set. */
  samples(name: string, labels?: Record<string, string>): { labels: Record<string, string>; value: number }[];
  /** The value of the one sample of `name` matching `labels`; undefined when there is none (throws on several). */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function parseExposition(text: string): Exposition {
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => families.find((f) => f.name === name);
  const samples = (name: string, labels: Record<string, string> = {}) =>
    (family(name)?.metrics ?? [])
      .map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }))
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  return {
    families,
    family,
    samples,
    value(name, labels = {}) {
      const found = samples(name, labels);
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}
