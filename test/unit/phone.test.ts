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

  it('validates --default-country', () => {
    expect(toCountryCode('us')).toBe('US');
    expect(toCountryCode('XX')).toBeNull();
  });
});
