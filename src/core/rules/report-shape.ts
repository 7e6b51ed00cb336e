// Small pure pieces of the report data: what the message is, which number sent it, latency read
// off a histogram grouped in SQL, countries from phone prefixes, and CSV values masked like phones.
import {
  type BroadcastReportData,
  countryName,
  countryOfPhone,
  type LatencyStats,
  maskPhone,
  percentileFromHistogram,
} from '../report-data.js';
import type { HistogramFacts, PrefixFact } from '../report-facts.js';
import { META_API_URL, type MessageSpec, type Target } from '../types.js';

export function messageOf(spec: MessageSpec): BroadcastReportData['broadcast']['message'] {
  const m = spec.message;
  const template = m.template as { name?: unknown; language?: { code?: unknown } } | undefined;
  if (m.type === 'template' && template && typeof template.name === 'string') {
    return { kind: 'template', name: template.name, language: String(template.language?.code ?? '') };
  }
  return { kind: 'other', type: typeof m.type === 'string' ? m.type : 'unknown' };
}

export function sendingNumberOf(target: Target): string {
  if (target === 'sandbox') return 'sandbox';
  let host = target.api_url;
  try {
    host = new URL(target.api_url).host;
  } catch {
    // a stored URL that no longer parses is shown as stored
  }
  const meta = host === new URL(META_API_URL).host;
  return `phone number id ${target.phone_number_id}${meta ? '' : ` (${host})`}`;
}

/**
 * Latency statistics from a histogram: the bounds with their counts, the values above the last
 * bound as one more bar labelled with the maximum, percentiles interpolated inside their bar.
 */
export function latencyOf(h: HistogramFacts, bounds: readonly number[]): LatencyStats | null {
  if (h.total === 0) return null;
  const histogram = bounds.map((upToMs, i) => ({ upToMs, count: h.counts[i] ?? 0 }));
  const above = h.counts[bounds.length] ?? 0;
  if (above > 0) histogram.push({ upToMs: h.maxMs, count: above });
  // Trailing empty bars say nothing and widen the chart; leading ones place the first bar.
  while (histogram.length > 1 && histogram[histogram.length - 1]!.count === 0) histogram.pop();
  const p = (q: number) => Math.round(percentileFromHistogram(histogram, q, h.maxMs));
  return { count: h.total, p50Ms: p(50), p90Ms: p(90), p99Ms: p(99), maxMs: h.maxMs, histogram };
}

/** Prefix groups resolved to countries through one sample each, then merged per country. */
export function countriesOf(prefixes: readonly PrefixFact[]): BroadcastReportData['countries'] {
  const byCountry = new Map<string, BroadcastReportData['countries'][number]>();
  for (const g of prefixes) {
    const country = countryOfPhone(g.sample);
    const c = byCountry.get(country) ?? {
      country,
      name: countryName(country),
      recipients: 0,
      accepted: 0,
      delivered: 0,
      failed: 0,
    };
    c.recipients += g.recipients;
    c.accepted += g.accepted;
    c.delivered += g.delivered;
    c.failed += g.failed;
    byCountry.set(country, c);
  }
  return [...byCountry.values()].sort((a, b) => b.recipients - a.recipients || a.country.localeCompare(b.country));
}

/**
 * A CSV value as the report may show it: one written internationally is masked like a phone, any
 * other holding 6 digits or more keeps its first 3 and last 2 digits (a national number is still
 * someone's number); anything shorter cannot be one and stays as it is ("n/a", "12345").
 */
export function maskInput(input: string): string {
  const digits = input.replace(/\D/g, '');
  if (digits.length < 6) return input;
  const intl = /^\s*(\+|00)/.exec(input);
  if (intl) return maskPhone(`+${intl[1] === '00' ? digits.slice(2) : digits}`);
  const positions = [...input.matchAll(/\d/g)].map((m) => m.index);
  const head = input.slice(0, positions[2]! + 1);
  const tail = input.slice(positions[positions.length - 2]!);
  return `${head}•••${tail}`;
}

/**
 * Free text (an API error's detail) with every run of 7 digits or more masked as a phone: Meta and
 * proxies quote the recipient's number in their messages ("… for recipient 14155552671 …").
 */
export function maskNumbersIn(text: string): string {
  return text.replace(/\+?\d{7,}/g, (run) => maskPhone(run.startsWith('+') ? run : `+${run}`));
}
