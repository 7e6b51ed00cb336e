// Structural checks on rendered reports, shared by the unit and browser tests.

/** The inside of every <svg>…</svg> (the report never nests them). */
export function svgBodies(html: string): string[] {
  return [...html.matchAll(/<svg\b[^>]*>([\s\S]*?)<\/svg>/g)].map((m) => m[1] ?? '');
}

/** Attributes and CSS that would make a browser fetch something. */
export function externalReferences(html: string): string[] {
  const refs = [
    ...html.matchAll(/\b(?:src|href|xlink:href|action|poster|srcset|data)\s*=\s*"([^"#][^"]*)"/gi),
    ...html.matchAll(/url\(\s*['"]?([^'")]+)/gi),
    ...html.matchAll(/@import\s+['"]?([^'";]+)/gi),
  ].map((m) => m[1] ?? '');
  return refs.filter((r) => !r.startsWith('data:'));
}

/** Attribute names of every real tag (escaped text has no `<`, quoted values are blanked first). */
export function attributeNames(html: string): string[] {
  return [...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((m) =>
    [...m[0].replace(/"[^"]*"/g, '""').matchAll(/\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=/g)].map((a) => (a[1] ?? '').toLowerCase()),
  );
}
