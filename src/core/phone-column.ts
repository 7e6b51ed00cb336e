// Which CSV column holds the phone number: --phone-column, else the first header that is one of the
// usual names (DESIGN §1), else one that contains such a word ("Phone Number", "Mobile No.").
import { usageError } from './errors.js';

const EXACT = ['phone', 'mobile', 'msisdn', 'wa_id', 'number', 'to'];
const CONTAINS = ['phone', 'mobile', 'msisdn', 'whatsapp', 'cell'];

export function detectPhoneColumn(headers: string[], flag?: string): number {
  const lower = headers.map((h) => h.trim().toLowerCase());
  if (flag !== undefined) {
    const index = lower.indexOf(flag.trim().toLowerCase());
    if (index < 0) throw usageError(`--phone-column "${flag}" is not a column; the columns are: ${headers.join(', ')}`);
    return index;
  }
  for (const name of EXACT) {
    const index = lower.indexOf(name);
    if (index >= 0) return index;
  }
  for (const word of CONTAINS) {
    const index = lower.findIndex((h) => h.includes(word));
    if (index >= 0) return index;
  }
  throw usageError(`no phone column found; the columns are: ${headers.join(', ')}`, 'name it with --phone-column <name>');
}
