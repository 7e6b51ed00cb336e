// Removing the access token from text an answer brought back. A proxy or a misconfigured server may
// echo the Authorization header into an error body, and wa-send keeps a snippet of that body in the
// journal. Scrubbing only the whole token misses the piece a cut-off snippet keeps, so every piece
// of 8 or more characters goes, wherever it appears; callers scrub a body before cutting it.

export const REDACTED = '[redacted]';

/** Shorter pieces of a token are ordinary words and ids: redacting them would shred every text. */
const MIN_FRAGMENT = 8;

/** The value runs to whitespace, a quote, `<`, `,`, `;` or a backslash (so a JSON string stays JSON). */
const BEARER = /\bBearer\s+[^\s"'<,;\\]+/gi;

/** RFC 6750 b64token characters: a short token is redacted only where none of them surrounds it. */
const TOKEN_CHAR = '[\\w.~+/=-]';

export type Redact = (text: string) => string;

/** Any `Bearer <value>`, whichever token it carries, becomes `Bearer [redacted]`. */
export function redactBearer(text: string): string {
  return text.replace(BEARER, `Bearer ${REDACTED}`);
}

/** A function that removes the token, any piece of it of 8+ characters, and every Bearer value. */
export function tokenRedactor(token: string): Redact {
  if (token === '') return redactBearer;
  if (token.length < MIN_FRAGMENT) {
    // A token too short to have pieces (a local test's "x") is still never shown, but only where it
    // stands alone: inside a longer word ("proxy") it is a coincidence, and redacting it would shred text.
    const alone = new RegExp(`(?<!${TOKEN_CHAR})${escapeRegExp(token)}(?!${TOKEN_CHAR})`, 'g');
    return (text) => redactBearer(text.replace(alone, REDACTED));
  }
  const pieces = new Set<string>();
  for (let p = 0; p + MIN_FRAGMENT <= token.length; p++) pieces.add(token.slice(p, p + MIN_FRAGMENT));
  return (text) => redactBearer(redactFragments(text, pieces));
}

/**
 * One left-to-right scan over 8-character windows. A piece of the token of any length ≥ 8 is exactly a
 * run of windows that are all pieces of the token, so covering every hit window redacts each piece
 * maximally, with no per-match extension (a body repeating the token stays one lookup per character).
 * Windows that overlap or touch become one marker.
 */
function redactFragments(text: string, pieces: ReadonlySet<string>): string {
  let out = '';
  let copied = 0; // text[0, copied) is in `out` already
  let runStart = -1;
  let runEnd = -1;
  for (let i = 0; i + MIN_FRAGMENT <= text.length; i++) {
    if (!pieces.has(text.slice(i, i + MIN_FRAGMENT))) continue;
    if (i > runEnd) {
      if (runStart >= 0) {
        out += `${text.slice(copied, runStart)}${REDACTED}`;
        copied = runEnd;
      }
      runStart = i;
    }
    runEnd = i + MIN_FRAGMENT;
  }
  if (runStart < 0) return text;
  return `${out}${text.slice(copied, runStart)}${REDACTED}${text.slice(runEnd)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A JSON-able value with every string in it passed through `redact` (one choke point for a result). */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)])) as T;
  }
  return value;
}
