// The only way text reaches the report: `html` escapes every interpolated value unless it is
// already SafeHtml, so a name like `<script>` or a CSV cell full of quotes cannot become markup.
// Strings from the journal may also hold control characters, bidi overrides (which can make a
// reason read backwards), lone surrogates and megabytes of text: `clean` and `clip` handle those.

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/** No journal string is shown whole past this; call sites clip far shorter where it matters. */
const HARD_LIMIT = 4000;

// C0 and C1 controls (tab and line breaks included: a table cell is one line), DEL, bidi embeddings
// and isolates, and surrogates that are not part of a pair.
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function clean(text: string): string {
  return text.replace(UNPRINTABLE, (c) =>
    c === '\n' || c === '\t' || c === '\r' || c === '\u2028' || c === '\u2029' ? ' ' : '\ufffd',
  );
}

/** At most `max` characters (code points, never half a pair), with "…" when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(1, max - 1)).join('')}…`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return clean(clip(text, HARD_LIMIT)).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(render).join('');
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** For markup built by code (SVG paths, numbers), never for text from the data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
