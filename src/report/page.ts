// The HTML document around a report. Its Content-Security-Policy makes "opens with no request to
// any other host" a property the browser enforces, not just one we test: no scripts, no fetches,
// no external styles, fonts or images; the one stylesheet is allowed by its hash, so even an
// injected style attribute would be refused.
import { createHash } from 'node:crypto';
import { type HtmlValue, html, raw } from './html.js';
import { STYLES } from './styles.js';

const STYLE_HASH = createHash('sha256').update(STYLES).digest('base64');

export const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

export function page(title: string, body: HtmlValue, footer: HtmlValue): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="wa-send">
<title>${title}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
<main>
${body}
</main>
<footer>${footer}</footer>
</body>
</html>
`.value;
}
