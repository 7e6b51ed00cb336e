// Phone numbers to E.164 with libphonenumber-js and its default ("min") metadata: the larger "max"
// metadata rejects real numbers in newly opened ranges, which would drop real people.
import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  Metadata,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: 'missing_phone' | 'invalid_number'; detail: string };

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
    return {
      ok: false,
      reason: 'invalid_number',
      detail: 'written as a decimal number by a spreadsheet (export the column as text)',
    };
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
  const detail = (failure === 'INVALID_COUNTRY' ? unknownCallingCode(text) : null) ?? DETAILS[failure ?? ''];
  return { ok: false, reason: 'invalid_number', detail: detail ?? 'not a valid number for its country' };
}

/**
 * "unknown country calling code +999" for a number written with + or 00 whose calling code does not
 * exist: asking for "+ and the country code" would tell the person to do what they did. Null when
 * the number is not written that way, or its trouble lies elsewhere.
 */
function unknownCallingCode(text: string): string | null {
  const written = /^(?:\+|00)([\d\s.\-()]+)$/.exec(text)?.[1];
  if (written === undefined) return null;
  const digits = written.replace(/\D/g, '');
  try {
    parsePhoneNumberWithError(`+${digits}`);
    return null;
  } catch (err) {
    if ((err as Error).message !== 'INVALID_COUNTRY') return null;
  }
  // The code as the person grouped it ("+28 1234"), else the longest a calling code can be.
  const code = /^[\s.\-()]*(\d{1,3})(?!\d)/.exec(written)?.[1] ?? digits.slice(0, 3);
  return `unknown country calling code +${code}`;
}

/** Readings of a cell, most likely first; the first that is valid wins, the first failure explains. */
function candidates(text: string, defaultCountry?: CountryCode): string[] {
  const list = [text];
  const digits = text.replace(/[\s.\-()]/g, '');
  // 00 is the international prefix almost everywhere, even where the default country's is 011.
  if (/^00[1-9]\d{6,}$/.test(digits))
    list[!defaultCountry || zeroZeroIsInternational(defaultCountry) ? 'unshift' : 'push'](`+${digits.slice(2)}`);
  // Digits that already carry a country code but no +, as wa_id exports have them. Ten digits are
  // left out: that is the national length in the US, India and elsewhere.
  else if (!defaultCountry && /^[1-9]\d{10,14}$/.test(digits)) list.push(`+${digits}`);
  const mx = mexicanLegacyMobile(digits);
  if (mx) list.push(mx);
  return list;
}

const zeroZeroReading = new Map<CountryCode, boolean>();

/**
 * Whether "00…" read with this default country can only be the + reading or fail, so trying the +
 * reading first changes no result and spares a failed national parse per row. True where the
 * country's international prefix is exactly 00 (libphonenumber strips just that), and in the North
 * American plan, whose numbers never start with 0. False where 00 starts a longer, carrier-selecting
 * prefix (Colombia's 005, Korea's 001, Brazil's 0021…) or a national number (Japan, Korea, Indonesia):
 * there the national reading wins, as it always did, because it can be a different valid number.
 */
function zeroZeroIsInternational(country: CountryCode): boolean {
  let international = zeroZeroReading.get(country);
  if (international === undefined) {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(country);
    const idd = new RegExp(`^(?:${metadata.numberingPlan?.IDDPrefix() ?? '00'})`);
    international =
      getCountryCallingCode(country) === '1' ||
      Array.from({ length: 100 }, (_, n) => `00${String(n).padStart(2, '0')}`).every((digits) => idd.exec(digits)?.[0] === '00');
    zeroZeroReading.set(country, international);
  }
  return international;
}

/** Mexico dropped the mobile "1" after +52 in 2020; old lists and wa_ids still carry it (521 + 10 digits). */
export function mexicanLegacyMobile(digits: string): string | null {
  const m = /^\+?521(\d{10})$/.exec(digits);
  return m ? `+52${m[1]}` : null;
}
