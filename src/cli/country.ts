// --default-country, checked against libphonenumber's list (loaded only by the commands that read numbers).
import type { CountryCode } from 'libphonenumber-js';
import { usageError } from '../core/errors.js';
import { toCountryCode } from '../core/phone.js';

export function countryFromFlag(value: string | undefined): CountryCode | undefined {
  if (value === undefined) return undefined;
  const cc = toCountryCode(value);
  if (!cc) throw usageError(`--default-country "${value}" is not an ISO country code like US, GB or IL`);
  return cc;
}
