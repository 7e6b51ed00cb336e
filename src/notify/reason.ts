// Why a delivery failed, as one short line that is safe to print: a webhook URL's path and an SMTP
// password are secrets, and an error from a library may quote them.

const MAX = 200;

/** The error's message (or code) on one line, with every secret replaced by "…". */
export function failureReason(err: unknown, secrets: readonly string[]): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' && e.message.trim() !== '' ? e.message : code || String(err);
  // OpenSSL's messages are a stack of internal names; its code says it (ERR_SSL_WRONG_VERSION_NUMBER).
  if (code.startsWith('ERR_SSL_') || /SSL routines/.test(message)) return `the TLS handshake failed (${code || 'SSL'})`;
  const text = message.includes(code) ? message : `${message} (${code})`;
  return scrub(text, secrets);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a secret that contains another must go whole. Shorter than 4 characters, it
  // would cut up ordinary words (and guards nothing).
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join('…');
  const flat = out.replace(/\s+/g, ' ').trim();
  return flat.length > MAX ? `${flat.slice(0, MAX - 1)}…` : flat;
}

/** A URL's user or password as typed (they come percent-encoded). */
export function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a stray % is taken as it is
  }
}
