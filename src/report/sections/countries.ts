// Recipients by country (from the number's prefix): where a list went and how each part fared.
// Delivered is a share of accepted (the base of every delivery rate), failed a share of recipients.
import type { BroadcastReportData } from '../../core/report-data.js';
import { fmtInt, fmtPct } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { LIMIT, section, table, td, tdNum } from './common.js';

export function countriesSection(countries: BroadcastReportData['countries']): SafeHtml {
  if (countries.length === 0) return section('countries', 'By country', html`<p class="muted">No recipients.</p>`);
  const rows = [...countries]
    .sort((a, b) => b.recipients - a.recipients)
    .map((c) => [
      td(html`${clip(c.name, LIMIT.label)} <span class="muted">${clip(c.country, 4)}</span>`),
      tdNum(fmtInt(c.recipients)),
      tdNum(fmtInt(c.accepted)),
      tdNum(fmtPct(c.delivered, c.accepted)),
      tdNum(fmtPct(c.failed, c.recipients)),
    ]);
  return section(
    'countries',
    'By country',
    table(
      [
        { label: 'Country' },
        { label: 'Recipients', num: true },
        { label: 'Accepted', num: true },
        { label: 'Delivered', num: true },
        { label: 'Failed', num: true },
      ],
      rows,
    ),
  );
}
