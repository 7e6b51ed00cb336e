import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { mexicanLegacyMobile, normalizePhone, type PhoneResult, toCountryCode } from '../../src/core/phone.js';

const e164 = (raw: string, cc?: string) => {
  const r = normalizePhone(raw, cc ? toCountryCode(cc)! : undefined);
  return r.ok ? r.e164 : `${r.reason}: ${r.detail}`;
};

describe('normalizePhone', () => {
  it.each([
    ['+1 (415) 201-4567', 'US'],
    ['011 1 415 201 4567', 'US'],
    ['1-415-201-4567', 'US'],
    ['415-201-4567', 'US'],
    ['+1 (415) 201-4567', undefined],
    ['14152014567', undefined],
  ])('reads %s (default %s) as one US number', (raw, cc) => {
    expect(e164(raw, cc)).toBe('+14152014567');
  });

  it.each([
    ['00972 50-234-5678', 'IL'],
    ['050-234-5678', 'IL'],
    ['00972 50-234-5678', undefined],
    ['00972 50-234-5678', 'US'], // 00 is understood even where the country's own prefix is 011
    ['+972 50 234 5678', 'DE'],
  ])('reads %s (default %s) as one Israeli number', (raw, cc) => {
    expect(e164(raw, cc)).toBe('+972502345678');
  });

  it('reads Mexico numbers with the obsolete mobile 1', () => {
    expect(e164('+52 1 55 1234 5678')).toBe('+525512345678');
  });

  it('accepts Arabic-Indic digits', () => {
    expect(e164('٠٥٠-٢٣٤-٥٦٧٨', 'IL')).toBe('+972502345678');
  });

  it.each([
    ['', undefined, 'missing_phone: empty cell'],
    ['   ', 'US', 'missing_phone: empty cell'],
    ['12', 'US', 'invalid_number: too short'],
    ['+1 415 201 4567 8901', 'US', 'invalid_number: too long'],
    ['415-201-4567', undefined, 'invalid_number: no valid country code'],
    ['not a number', 'US', 'invalid_number: not a phone number'],
    // It has its +: the country calling code itself is what is wrong (was "no valid country code (add + …)").
    ['+999 1234567', undefined, 'invalid_number: unknown country calling code +999'],
  ])('rejects %j (default %s) with a reason', (raw, cc, expected) => {
    expect(e164(raw, cc)).toContain(expected);
  });

  it.each([
    ['2019194729.0', 'US'],
    ['14152014567.0', undefined],
    ['4152014567.00', 'US'],
  ])('rejects the spreadsheet decimal %s (default %s) instead of guessing', (raw, cc) => {
    expect(e164(raw, cc)).toMatch(/^invalid_number: written as a decimal number/);
  });

  it('never turns a number that does not fit the default country into a foreign one', () => {
    // One digit too many for the US: without this rule these became Egyptian and Swiss numbers.
    expect(e164('20283894587', 'US')).toMatch(/^invalid_number/);
    expect(e164('41520145670', 'US')).toMatch(/^invalid_number/);
    // The country's own code without + is still understood (libphonenumber strips it).
    expect(e164('972502345678', 'IL')).toBe('+972502345678');
  });

  it('reads bare digits as a wa_id only without a default country, and only from 11 digits', () => {
    expect(e164('447400123456')).toBe('+447400123456');
    expect(e164('2012000000')).toMatch(/^invalid_number: no valid country code/);
    expect(e164('1-415-201-4567')).toBe('+14152014567');
    expect(e164('(201) 200-0000')).toMatch(/^invalid_number/);
    expect(e164('201.200.0000')).toMatch(/^invalid_number/);
    expect(e164('2012000000', 'US')).toBe('+12012000000');
  });

  it('validates --default-country', () => {
    expect(toCountryCode('us')).toBe('US');
    expect(toCountryCode('XX')).toBeNull();
  });
});

describe('normalizePhone: a number written with + or 00 and an unknown country calling code', () => {
  it.each([
    ['+999 123456', undefined, '+999'],
    ['+999 123456', 'US', '+999'],
    ['+999123456', undefined, '+999'],
    ['+28 1234 5678', 'GB', '+28'],
    ['00999 123456', undefined, '+999'],
    ['00 999 123456', 'DE', '+999'],
    ['00999123456', 'US', '+999'],
  ])('%s (default %s) names the code %s', (raw, cc, code) => {
    expect(e164(raw, cc)).toBe(`invalid_number: unknown country calling code ${code}`);
  });

  it('a number without + or 00 still asks for the country code', () => {
    expect(e164('415-201-4567')).toBe(
      'invalid_number: no valid country code (add + and the country code, or pass --default-country)',
    );
  });
});

// Where a default country's international prefix is exactly 00 (most of the world) or it is in the
// North American plan, 00 is now read as international first, sparing a failed national parse per
// row. The outcome must not change: the old order is kept here as the reference, and both run over
// every country's example number written a dozen ways, with several default countries.
describe('normalizePhone: reading 00 as international first changes no outcome', () => {
  const OLD_DETAILS: Record<string, string> = {
    TOO_SHORT: 'too short',
    TOO_LONG: 'too long',
    INVALID_LENGTH: 'wrong length for its country',
    INVALID_COUNTRY: 'no valid country code (add + and the country code, or pass --default-country)',
    NOT_A_NUMBER: 'not a phone number',
  };
  function oldNormalize(raw: string, defaultCountry?: CountryCode): PhoneResult {
    const text = raw.trim();
    if (text === '') return { ok: false, reason: 'missing_phone', detail: 'empty cell' };
    if (/^\+?\d{6,}[.,]0+$/.test(text)) {
      return {
        ok: false,
        reason: 'invalid_number',
        detail: 'written as a decimal number by a spreadsheet (export the column as text)',
      };
    }
    const list = [text];
    const digits = text.replace(/[\s.\-()]/g, '');
    if (/^00[1-9]\d{6,}$/.test(digits)) list[defaultCountry ? 'push' : 'unshift'](`+${digits.slice(2)}`);
    else if (!defaultCountry && /^[1-9]\d{10,14}$/.test(digits)) list.push(`+${digits}`);
    const mx = mexicanLegacyMobile(digits);
    if (mx) list.push(mx);
    let failure: string | null = null;
    for (const candidate of list) {
      try {
        const parsed = parsePhoneNumberWithError(candidate, defaultCountry);
        if (parsed.isValid()) return { ok: true, e164: parsed.number };
        failure ??= validatePhoneNumberLength(candidate, defaultCountry) ?? 'INVALID_NUMBER';
      } catch (err) {
        failure ??= (err as Error).message;
      }
    }
    return { ok: false, reason: 'invalid_number', detail: OLD_DETAILS[failure ?? ''] ?? 'not a valid number for its country' };
  }

  /** Every country's example mobile number, written the ways people write them, with near misses. */
  function inputs(): Array<[string, CountryCode | undefined]> {
    // Every country once as the default of some other country's number, plus none and the US.
    const defaults: Array<CountryCode | undefined> = [undefined, 'US', ...getCountries()];
    const out: Array<[string, CountryCode | undefined]> = [];
    let k = 0;
    for (const country of getCountries()) {
      const national = (examples as Record<string, string>)[country];
      if (!national || !isSupportedCountry(country)) continue;
      const cc = getCountryCallingCode(country);
      const spaced = national.replace(/(\d{3})(?=\d)/g, '$1 ');
      const written = [
        `00${cc}${national}`,
        `00 ${cc} ${spaced}`,
        `00${cc}0${national}`,
        `00${cc}${national.slice(0, -1)}`,
        `00${cc}${national}7`,
        `+${cc} ${spaced}`,
        `+${cc}${national}9`,
        national,
        `0${national}`,
        `${cc}${national}`,
        `011 ${cc} ${national}`,
        `00${cc}-${national.slice(0, 3)}-${national.slice(3)}`,
        `(00${cc}) ${national}`,
      ];
      for (const raw of written) {
        out.push([raw, defaults[k++ % defaults.length]], [raw, country]);
        if (raw.startsWith('00')) out.push([raw, 'US'], [raw, 'GB']);
      }
    }
    for (const fake of ['999', '28', '80', '0', '1'])
      out.push([`00${fake}1234567`, undefined], [`00${fake}1234567`, 'US'], [`00 ${fake} 12 34 56`, 'GB']);
    return out;
  }

  it('accepts and rejects exactly what it did, for every country and several default countries', () => {
    const all = inputs();
    expect(all.length).toBeGreaterThan(5000);
    // The number accepted, or the reason for refusing it; the wording of a refusal may differ (+999 above).
    const outcome = (r: PhoneResult) => (r.ok ? r.e164 : r.reason);
    const changed = all.filter(([raw, cc]) => outcome(oldNormalize(raw, cc)) !== outcome(normalizePhone(raw, cc)));
    expect(changed.map(([raw, cc]) => `${raw} (${cc ?? '-'})`)).toEqual([]);
  });
});
