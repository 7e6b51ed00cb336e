// Keeps an access token out of anything handed back to callers (a proxy or server may echo request
// headers into an error body). The same rule as CloudApiClient's private scrub, which this module
// could replace: tokens shorter than 8 characters are left alone, because a few-letter test token
// ("x") would otherwise shred every word it occurs in, and real tokens are far longer.

export const REDACTED = '[redacted]';
const MIN_REDACTED_LENGTH = 8;

export function redact(text: string, token: string): string {
  return token.length < MIN_REDACTED_LENGTH ? text : text.replaceAll(token, REDACTED);
}

/** Any JSON-able value with the token removed from every string in it (one choke point for a result). */
export function redactDeep<T>(value: T, token: string): T {
  if (token.length < MIN_REDACTED_LENGTH) return value;
  const json = JSON.stringify(value);
  // The token as it appears inside a JSON string (quotes and backslashes escaped).
  const escaped = JSON.stringify(token).slice(1, -1);
  return json === undefined || !json.includes(escaped) ? value : (JSON.parse(json.replaceAll(escaped, REDACTED)) as T);
}
