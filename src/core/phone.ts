// Phone numbers to E.164 with libphonenumber-js and its default ("min") metadata: the larger "max"
// metadata rejects real numbers in newly opened ranges, which would drop real people.
import {
  isSupportedCountry, parsePhoneNumberWithError, validatePhoneNumberLength, type CountryCode,
} from 'libphonenumber-js';

export type PhoneResult =
  | { ok: true; e164: string }
  | { ok: false; reason: 'missing_phone' | 'invalid_number'; detail: string };

const DETAILS: Record<string, string> = {
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'wrong length for its country',
  INVALID_COUNTRY: 'no valid country code (add + and the country code, or pass --default-country)',
  NOT_A_NUMBER: 'not a phone number',
};

/** Validates a --default-country value; returns the upper-cased ISO code or null. */
export function toCountryCode(value: string): CountryCode | null {
  const cc = value.trim().toUpperCase();
  return isSupportedCountry(cc) ? (cc as CountryCode) : null;
}

/**
 * Normalizes what a person typed into a CSV cell. With a default country, national numbers and that
 * country's international dialling prefix (00, 011 in the US, …) are understood by libphonenumber.
 * A leading 00 is also read as the international prefix; a string of 11–15 digits without + (the
 * wa_id form exports use) is read as international only when no default country is given: with one, a
 * number that does not fit that country is far more often a typo than a foreign number without its
 * +, and reading it as foreign would message a stranger. Only a number libphonenumber calls valid
 * is accepted.
 */
export function normalizePhone(raw: string, defaultCountry?: CountryCode): PhoneResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'missing_phone', detail: 'empty cell' };
  // 4152014567.0: a spreadsheet stored the cell as a number; the digits may well have lost a leading + or 0.
  if (/^\+?\d{6,}[.,]0+$/.test(text)) {
    return { ok: false, reason: 'invalid_number', detail: 'written as a decimal number by a spreadsheet (export the column as text)' };
  }
  let failure: string | null = null;
  for (const candidate of candidates(text, defaultCountry)) {
    try {
      const parsed = parsePhoneNumberWithError(candidate, defaultCountry);
      if (parsed.isValid()) return { ok: true, e164: parsed.number };
      failure ??= validatePhoneNumberLength(candidate, defaultCountry) ?? 'INVALID_NUMBER';
    } catch (err) {
      failure ??= (err as Error).message;
    }
  }
  return { ok: false, reason: 'invalid_number', detail: DETAILS[failure ?? ''] ?? 'not a valid number for its country' };
}

/** Readings of a cell, most likely first; the first that is valid wins, the first failure explains. */
function candidates(text: string, defaultCountry?: CountryCode): string[] {
  const list = [text];
  const digits = text.replace(/[\s.\-()]/g, '');
  // 00 is the international prefix almost everywhere, even where the default country's is 011.
  if (/^00[1-9]\d{6,}$/.test(digits)) list[defaultCountry ? 'push' : 'unshift'](`+${digits.slice(2)}`);
  // Digits that already carry a country code but no +, as wa_id exports have them. Ten digits are
  // left out: that is the national length in the US, India and elsewhere.
  else if (!defaultCountry && /^[1-9]\d{10,14}$/.test(digits)) list.push(`+${digits}`);
  const mx = mexicanLegacyMobile(digits);
  if (mx) list.push(mx);
  return list;
}

/** Mexico dropped the mobile "1" after +52 in 2020; old lists and wa_ids still carry it (521 + 10 digits). */
export function mexicanLegacyMobile(digits: string): string | null {
  const m = /^\+?521(\d{10})$/.exec(digits);
  return m ? `+52${m[1]}` : null;
}
