import { describe, expect, it } from 'vitest';
import { normalizePhone, toCountryCode } from '../../src/core/phone.js';

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
    ['+999 1234567', undefined, 'invalid_number: no valid country code'],
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
