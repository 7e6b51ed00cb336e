// Inbound opt-out keywords (STOP, UNSUBSCRIBE, … configurable). A message opts out when, once its
// edges are cleaned, it is exactly one keyword: people type "Stop.", "STOP!", "«stop»" or "stop 🛑",
// and each of those must be honoured; a message with another word in it ("stop it", "don't stop")
// is a conversation and is left alone. Meta does no keyword handling of its own (FACTS §5).

export const DEFAULT_OPTOUT_KEYWORDS: readonly string[] = ['STOP', 'UNSUBSCRIBE', 'STOPALL', 'CANCEL', 'END', 'QUIT', 'OPTOUT'];

/**
 * What may surround a keyword: whitespace, punctuation of any script (quotes and «» included), the
 * backtick and acute accent people use as quotes, invisible format characters (zero-width space, ZWJ,
 * direction marks), and emoji with their variation selectors, skin tones, keycaps and flags.
 */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: it tests one code point at a time; U+20E3 alone is an edge
const EDGE = /^[\s\p{P}`´\p{Cf}\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u{FE00}-\u{FE0F}\u{20E3}]$/u;

/** A message (or a configured keyword) as it is compared: NFKC, edges stripped, lower case. */
export function foldKeyword(text: string): string {
  return stripEdges(text.normalize('NFKC')).toLowerCase();
}

/** Matcher for the configured opt-out keywords: the whole folded message must be one of them. */
export function optoutMatcher(keywords: readonly string[]): (text: string | null) => boolean {
  const set = new Set(keywords.map(foldKeyword).filter((k) => k !== ''));
  // A keyword made of edge characters only (an operator's "🛑") would fold to nothing: it is matched
  // as written instead, trimmed and case-folded, as every keyword was before edges were stripped.
  const asWritten = new Set(
    keywords
      .filter((k) => foldKeyword(k) === '')
      .map(plainFold)
      .filter((k) => k !== ''),
  );
  return (text) => text !== null && (set.has(foldKeyword(text)) || (asWritten.size > 0 && asWritten.has(plainFold(text))));
}

function plainFold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** Drops edge characters from both ends, one code point at a time (a regex anchored at $ can backtrack). */
function stripEdges(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end) {
    const char = String.fromCodePoint(text.codePointAt(start)!);
    if (!EDGE.test(char)) break;
    start += char.length;
  }
  while (end > start) {
    // A low surrogate at the end belongs to the code point that starts one unit earlier.
    const low = text.charCodeAt(end - 1);
    const width = low >= 0xdc00 && low <= 0xdfff && end - 2 >= start ? 2 : 1;
    if (!EDGE.test(text.slice(end - width, end))) break;
    end -= width;
  }
  return text.slice(start, end);
}
