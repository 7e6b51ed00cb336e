// What went wrong and what to do about it: API errors by code, rows rejected while planning by
// reason, each with a few examples so the operator can find the rows in the CSV.
import type { BroadcastReportData } from '../../core/report-data.js';
import { fmtInt, fmtPct } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { LIMIT, MAX_EXAMPLES, section, table, tdNoWrap, tdNum, tdWrap } from './common.js';

const REASONS: Record<string, string> = {
  invalid_number: 'not a valid phone number (too short, too long, no country code…)',
  missing_phone: 'the phone cell is empty',
  duplicate: 'the same number as an earlier row',
  missing_value: 'a column the message uses is empty',
  value_too_long: 'a value is over a Cloud API limit',
  malformed_row: 'more or fewer fields than the header',
  opted_out: 'on the suppression list',
  already_sent: 'sent the same message recently (--dedup-window)',
  no_optin: 'no recorded opt-in (--require-optin)',
};

interface ErrorLine {
  code: number | null;
  title: string;
  action: string;
  count: number;
}

/** Most frequent first, each as its code, title, what to do and count cells (both reports' error tables). */
export function errorRows<E extends ErrorLine>(errors: readonly E[], more: (e: E) => SafeHtml[] = () => []): SafeHtml[][] {
  return [...errors]
    .sort((a, b) => b.count - a.count)
    .map((e) => [
      tdNum(e.code === null ? '–' : String(e.code)),
      tdWrap(clip(e.title, LIMIT.title)),
      tdWrap(clip(e.action, LIMIT.action)),
      tdNum(fmtInt(e.count)),
      ...more(e),
    ]);
}

export function errorsSection(errors: BroadcastReportData['errors'], recipients: number): SafeHtml {
  if (errors.length === 0) return section('errors', 'Errors', html`<p class="muted">No API errors.</p>`);
  const rows = errorRows(errors, (e) => [
    tdNum(fmtPct(e.count, recipients)),
    tdWrap(
      html`<ul class="ex">${e.examples.slice(0, MAX_EXAMPLES).map((x) => html`<li>${clip(x.phone, LIMIT.phone)} · line ${fmtInt(x.line)}${x.detail ? html` · ${clip(x.detail, LIMIT.detail)}` : null}</li>`)}</ul>`,
    ),
  ]);
  return section(
    'errors',
    'Errors',
    table(
      [
        { label: 'Code', num: true },
        { label: 'Error' },
        { label: 'What to do' },
        { label: 'Count', num: true },
        { label: 'Of recipients', num: true },
        { label: 'Examples' },
      ],
      rows,
    ),
  );
}

export function rejectionsSection(rejections: BroadcastReportData['rejections']): SafeHtml {
  if (rejections.length === 0) return section('rejections', 'Rejected rows', html`<p class="muted">No rows were rejected.</p>`);
  const rows = [...rejections]
    .sort((a, b) => b.count - a.count)
    .map((r) => [
      tdNoWrap(html`<code>${clip(r.reason, LIMIT.label)}</code>`),
      tdWrap(REASONS[r.reason] ?? ''),
      tdNum(fmtInt(r.count)),
      tdWrap(
        html`<ul class="ex">${r.examples.slice(0, MAX_EXAMPLES).map((x) => html`<li>line ${fmtInt(x.line)}: <code>${clip(x.input, LIMIT.input)}</code>${x.detail ? html` — ${clip(x.detail, LIMIT.detail)}` : null}</li>`)}</ul>`,
      ),
    ]);
  return section(
    'rejections',
    'Rejected rows',
    table([{ label: 'Reason' }, { label: 'Meaning' }, { label: 'Rows', num: true }, { label: 'Examples' }], rows),
  );
}
