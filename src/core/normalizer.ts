// Phone normalization behind an interface: planning hands over batches of raw numbers and gets
// results back in order. Inline here; src/threads runs it on a worker thread for real runs (it is
// the slowest step of planning: libphonenumber validates ~60k numbers/s).
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone, type PhoneResult } from './phone.js';

export interface Normalizer {
  normalize(raws: string[]): Promise<PhoneResult[]>;
  close(): Promise<void>;
}

export function inlineNormalizer(defaultCountry?: CountryCode): Normalizer {
  return {
    normalize: async (raws) => raws.map((raw) => normalizePhone(raw, defaultCountry)),
    close: async () => {},
  };
}

/** Results cross the thread boundary as plain strings: "+E164" or "!reason|detail". */
export function encodeResult(r: PhoneResult): string {
  return r.ok ? r.e164 : `!${r.reason}|${r.detail}`;
}

export function decodeResult(s: string): PhoneResult {
  if (!s.startsWith('!')) return { ok: true, e164: s };
  const bar = s.indexOf('|');
  return { ok: false, reason: s.slice(1, bar) as 'missing_phone' | 'invalid_number', detail: s.slice(bar + 1) };
}
