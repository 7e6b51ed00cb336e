// Pieces shared by the sections of both reports: tables that scroll on their own, state badges,
// legends, and how long each kind of journal text may get before it is clipped.
import type { BroadcastState } from '../../core/types.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';

/** Longest text shown per field; the journal can hold a 1 MB CSV cell or reason. */
export const LIMIT = {
  id: 64,
  name: 160,
  reason: 600,
  input: 80,
  detail: 240,
  title: 140,
  action: 400,
  phone: 40,
  command: 300,
  label: 80,
  cell: 200,
} as const;
/** Rows per table: a report of aggregates, not an export (status --recipients is the export). */
export const MAX_ROWS = 200;
export const MAX_EXAMPLES = 3;

export interface Column {
  label: string;
  num?: boolean;
}

export function table(columns: readonly Column[], rows: readonly HtmlValue[][], caption?: string): SafeHtml {
  const head = columns.map((c) => html`<th${c.num ? html` class="num"` : ''} scope="col">${c.label}</th>`);
  const body = rows.slice(0, MAX_ROWS).map((r) => html`<tr>${r}</tr>`);
  const more = rows.length > MAX_ROWS ? html`<p class="note">${rows.length - MAX_ROWS} more rows not shown.</p>` : null;
  return html`<div class="table-wrap"><table>${caption ? html`<caption class="note">${caption}</caption>` : null}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>${more}`;
}

export const td = (v: HtmlValue): SafeHtml => html`<td>${v}</td>`;
export const tdNum = (v: HtmlValue): SafeHtml => html`<td class="num">${v}</td>`;
export const tdNoWrap = (v: HtmlValue): SafeHtml => html`<td class="nowrap">${v}</td>`;
export const tdWrap = (v: HtmlValue): SafeHtml => html`<td class="wrap">${v}</td>`;

export function stateBadge(state: BroadcastState): SafeHtml {
  return html`<span class="state state-${state}">${state}</span>`;
}

export function legend(items: readonly [cls: string, label: string][]): SafeHtml {
  return html`<div class="legend">${items.map(([cls, label]) => html`<span><span class="sw ${cls}"></span>${label}</span>`)}</div>`;
}

/** A figure with its caption: the big number first, what it counts below. */
export function stats(items: readonly [value: string, label: string][]): SafeHtml {
  return html`<div class="stats">${items.map(([v, l]) => html`<div><b>${v}</b><span>${l}</span></div>`)}</div>`;
}

export function section(id: string, title: string, body: HtmlValue): SafeHtml {
  return html`<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${body}</section>`;
}

export function chart(svg: SafeHtml): SafeHtml {
  return html`<div class="chart-wrap">${svg}</div>`;
}
