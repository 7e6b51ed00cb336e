// The top of a broadcast report: what was sent, from which number, when, and what state it is in,
// with the exact command that continues it when it is not finished.
import { type BroadcastReportData, stateMeaning } from '../../core/report-data.js';
import { fmtDuration, fmtIso } from '../format.js';
import { clip, html, type SafeHtml } from '../html.js';
import { LIMIT, stateBadge } from './common.js';

type Broadcast = BroadcastReportData['broadcast'];

const TOC: readonly [string, string][] = [
  ['funnel', 'Funnel'],
  ['timeline', 'Timeline'],
  ['latency', 'Delivery latency'],
  ['errors', 'Errors'],
  ['rejections', 'Rejected rows'],
  ['countries', 'By country'],
];

export function messageLabel(m: Broadcast['message']): string {
  return m.kind === 'template'
    ? `template ${clip(m.name, LIMIT.name)} (${clip(m.language, 20)})`
    : `${clip(m.type, LIMIT.label)} message`;
}

export function headerSection(b: Broadcast): SafeHtml {
  const bad = b.state === 'halted' || b.state === 'failed';
  const reason = b.reason ? html`<p><strong>Reason:</strong> ${clip(b.reason, LIMIT.reason)}</p>` : null;
  const next = b.continueCommand ? html`<p>To continue: <code>${clip(b.continueCommand, LIMIT.command)}</code></p>` : null;
  const callout = reason || next ? html`<div class="callout${bad ? ' bad' : ''}">${reason}${next}</div>` : null;
  return html`<header id="summary">
<h1>Broadcast <code>${clip(b.id, LIMIT.id)}</code>${b.name ? html` — ${clip(b.name, LIMIT.name)}` : null}</h1>
<p id="state">${stateBadge(b.state)} ${stateMeaning(b.state)}</p>
${callout}
<dl class="kv">
<dt>Message</dt><dd>${messageLabel(b.message)}</dd>
<dt>Sending number</dt><dd>${clip(b.sendingNumber, LIMIT.label)}</dd>
${b.sourceFile ? html`<dt>Source file</dt><dd><code>${clip(b.sourceFile, LIMIT.name)}</code></dd>` : null}
<dt>Created</dt><dd>${fmtIso(b.createdAt)}</dd>
<dt>First send</dt><dd>${b.firstSendAt ? fmtIso(b.firstSendAt) : 'not sent yet'}</dd>
<dt>Last send</dt><dd>${b.lastSendAt ? fmtIso(b.lastSendAt) : '–'}</dd>
<dt>Sending time</dt><dd>${b.durationS === null ? '–' : fmtDuration(b.durationS)}</dd>
</dl>
<nav class="toc" aria-label="Sections">${TOC.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>
</header>`;
}
