import { describe, expect, it } from 'vitest';
import { REDACTED, redactBearer, tokenRedactor } from '../../src/whatsapp/redact.js';

// A realistic Meta token is EAAG… plus 200–400 letters and digits; this one is deterministic.
const TOKEN = fakeToken(200, 42);

function fakeToken(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  let out = 'EAAG';
  while (out.length < length) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += alphabet.charAt((x >>> 16) % alphabet.length);
  }
  return out;
}

/** Every fragment of `token` of 8 or more characters, as the leak check the redactor must pass. */
function leaks(text: string, token: string): string[] {
  const found: string[] = [];
  for (let p = 0; p + 8 <= token.length; p++) if (text.includes(token.slice(p, p + 8))) found.push(token.slice(p, p + 8));
  return found;
}

describe('tokenRedactor', () => {
  const redact = tokenRedactor(TOKEN);
  const cases: Array<[string, string]> = [
    ['the whole token at the start', `${TOKEN} was refused`],
    ['the whole token in the middle', `token=${TOKEN}&x=1`],
    ['the whole token at the end', `auth failed for ${TOKEN}`],
    ['cut at 120 characters', `proxy saw ${TOKEN.slice(0, 120)}`],
    ['cut at 172 characters, then an ellipsis', `Bearer-less: ${TOKEN.slice(0, 172)}…`],
    ['a middle piece', `…${TOKEN.slice(57, 93)}…`],
    ['exactly 8 characters of it', `id ${TOKEN.slice(100, 108)} end`],
    ['the last 8 characters of it', `tail ${TOKEN.slice(-8)}`],
    ['two overlapping fragments (a re-spliced echo)', `x${TOKEN.slice(10, 40)}${TOKEN.slice(30, 70)}y`],
    ['fragments glued out of order', `${TOKEN.slice(150)}${TOKEN.slice(0, 20)}`],
    ['the token twice with text between', `${TOKEN} and again ${TOKEN}`],
  ];
  it.each(cases)('%s: no 8-character fragment is left', (_name, text) => {
    const out = redact(text);
    expect(leaks(out, TOKEN)).toEqual([]);
    expect(out).toContain(REDACTED);
  });

  it('keeps the text around a fragment and merges adjacent fragments into one marker', () => {
    expect(redact(`a ${TOKEN} b`)).toBe(`a ${REDACTED} b`);
    expect(redact(`x${TOKEN.slice(10, 40)}${TOKEN.slice(30, 70)}y`)).toBe(`x${REDACTED}y`);
    expect(redact(`(${TOKEN.slice(0, 120)})`)).toBe(`(${REDACTED})`);
  });

  it('leaves fragments shorter than 8 characters and unrelated text alone', () => {
    const seven = TOKEN.slice(20, 27);
    expect(redact(`id ${seven} ok`)).toBe(`id ${seven} ok`);
    expect(redact('Service Unavailable')).toBe('Service Unavailable');
    expect(redact('')).toBe('');
  });

  it('redacts any Bearer value, whatever the token, up to whitespace, a quote, <, comma, semicolon or backslash', () => {
    expect(redact('Authorization: bearer abc.def-123 next')).toBe(`Authorization: Bearer ${REDACTED} next`);
    expect(redact('"Bearer xyz", <b>BEARER qq</b>; Bearer zz;x')).toBe(
      `"Bearer ${REDACTED}", <b>Bearer ${REDACTED}</b>; Bearer ${REDACTED};x`,
    );
    // JSON stays JSON: the value stops before an escaped quote.
    expect(JSON.parse(redact('{"m":"Bearer abc\\"def"}'))).toEqual({ m: `Bearer ${REDACTED}"def` });
  });

  it('redacts a token shorter than 8 characters whole, wherever it stands alone', () => {
    const short = tokenRedactor('x7Q!k');
    expect(short('got x7Q!k and x7Q, "x7Q!k"')).toBe(`got ${REDACTED} and x7Q, "${REDACTED}"`);
    // A one-letter local test token must not shred the words it happens to occur in.
    const x = tokenRedactor('x');
    expect(x('proxy said: token x is invalid (x)')).toBe(`proxy said: token ${REDACTED} is invalid (${REDACTED})`);
  });

  it('an empty token redacts only Bearer values', () => {
    expect(tokenRedactor('')('plain text, Bearer abc')).toBe(`plain text, Bearer ${REDACTED}`);
  });

  it('is idempotent', () => {
    const once = redact(`Bearer ${TOKEN} and ${TOKEN.slice(5, 90)}`);
    expect(redact(once)).toBe(once);
  });

  it('a token made of one repeated character is still found whole and in pieces', () => {
    const dull = 'a'.repeat(300);
    const r = tokenRedactor(dull);
    expect(r(`x${'a'.repeat(500)}y`)).toBe(`x${REDACTED}y`);
    expect(r(`x${'a'.repeat(8)}y${'a'.repeat(7)}`)).toBe(`x${REDACTED}y${'a'.repeat(7)}`);
  });

  it('scans a 64 KB body that repeats the token without blowing up', () => {
    const long = tokenRedactor(`EAAG${'Zq81'.repeat(100)}`);
    const body = `Authorization: ${`EAAG${'Zq81'.repeat(100)}`} `.repeat(160);
    expect(body.length).toBeGreaterThan(64_000);
    const out = long(body);
    expect(out).not.toContain('Zq81Zq81');
  });
});

describe('redactBearer', () => {
  it('needs a word boundary and at least one character of value', () => {
    expect(redactBearer('Bearer')).toBe('Bearer');
    expect(redactBearer('NoBearer abc')).toBe('NoBearer abc');
    expect(redactBearer('Bearer\tabc')).toBe(`Bearer ${REDACTED}`);
  });
});
