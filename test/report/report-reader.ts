// Reads the figures back out of a rendered broadcast report, for tests that compare a report with
// `status --json`: the funnel's chart label, the "not accepted" and "rejected" lists, the timeline's
// stats, and the errors table. Numbers are parsed from their en-US form ("20,000").

const int = (s: string) => Number(s.replace(/,/g, ''));
const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export function sectionOf(html: string, id: string): string {
  const m = new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html);
  if (!m) throw new Error(`no section ${id}`);
  return m[0];
}

/** "Funnel: Rows read 2,029, Recipients 2,000, …" → { 'Rows read': 2029, … }. */
export function funnelStages(html: string): Record<string, number> {
  const label = /aria-label="Funnel: ([^"]*)"/.exec(html)?.[1];
  if (label === undefined) throw new Error('no funnel chart');
  return Object.fromEntries(
    label.split(', ').map((part) => {
      const m = /^(.*) ([\d,]+)$/.exec(part)!;
      return [m[1]!, int(m[2]!)];
    }),
  );
}

/** A <dl> of the report as label → the bold number after it. */
export function definitionNumbers(html: string, id: string): Record<string, number> {
  const dl = new RegExp(`<dl class="kv" id="${id}">([\\s\\S]*?)</dl>`).exec(html)?.[1] ?? '';
  return Object.fromEntries([...dl.matchAll(/<dt>([^<]*)<\/dt><dd><b>([\d,]+)<\/b>/g)].map((m) => [m[1]!, int(m[2]!)]));
}

/** The big figures of a section's stats row: caption → value as printed. */
export function statsOf(section: string): Record<string, string> {
  return Object.fromEntries(
    [...section.matchAll(/<div><b>([^<]*)<\/b><span>([^<]*)<\/span><\/div>/g)].map((m) => [unescapeHtml(m[2]!), m[1]!]),
  );
}

/** The errors table: code → { count, title, examples (as text) }. */
export function errorRows(html: string): Map<string, { title: string; count: number; examples: string[] }> {
  const rows = new Map<string, { title: string; count: number; examples: string[] }>();
  for (const tr of sectionOf(html, 'errors').matchAll(/<tr><td class="num">([^<]*)<\/td>([\s\S]*?)<\/tr>/g)) {
    const cells = [...tr[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!);
    const examples = [...(cells[4] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => unescapeHtml(li[1]!));
    rows.set(tr[1]!, { title: unescapeHtml(cells[0] ?? ''), count: int(cells[2] ?? ''), examples });
  }
  return rows;
}
