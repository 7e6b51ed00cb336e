// `{{column}}` placeholders: found in any string of the message, matched to CSV headers
// case-insensitively, filled from the recipient's frozen values at send time.

export const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

export function placeholderColumns(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.toLowerCase());
}

export function hasPlaceholder(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  const found = PLACEHOLDER.test(text);
  PLACEHOLDER.lastIndex = 0;
  return found;
}

export function fillPlaceholders(text: string, vars: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_m, col: string) => vars[col.toLowerCase()] ?? '');
}

/** Every string in a JSON value, with its path (used for placeholders and limits). */
export function* stringsIn(value: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], [...path, i]);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
  }
}

/** Deep copy with every string's placeholders filled. */
export function renderValue<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return (value.includes('{{') ? fillPlaceholders(value, vars) : value) as T;
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, vars);
    return out as T;
  }
  return value;
}
