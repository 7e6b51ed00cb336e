// optout add|remove|list|import: the suppression list. Numbers are normalized exactly as planning
// does (libphonenumber, --default-country, the same phone-column detection).
import { usageError } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { detectPhoneColumn } from '../../core/phone-column.js';
import { openCsvInput } from '../../csv/input.js';
import type { Context } from '../context.js';
import { countryFromFlag } from '../country.js';
import { note, printable, printJson, printLine } from '../io.js';

interface CountryFlag {
  defaultCountry?: string;
}
interface ImportFlags extends CountryFlag {
  phoneColumn?: string;
  maxInvalid: number;
  json?: boolean;
}

const IMPORT_BATCH = 5_000;
const SHOWN_INVALID = 20;

export async function optoutAdd(ctx: Context, phones: string[], flags: CountryFlag): Promise<number> {
  const valid = normalizeAll(phones, flags);
  return ctx.withJournal({}, async (journal) => {
    const added = await journal.optouts.add(valid, 'manual', null, ctx.clock.now());
    printLine(
      ctx.io.stdout,
      `added ${added} number${plural(added)} to the suppression list${also(valid.length - added, 'already listed')}`,
    );
    return 0;
  });
}

export async function optoutRemove(ctx: Context, phones: string[], flags: CountryFlag): Promise<number> {
  const valid = normalizeAll(phones, flags);
  return ctx.withJournal({}, async (journal) => {
    const removed = await journal.optouts.remove(valid);
    printLine(
      ctx.io.stdout,
      `removed ${removed} number${plural(removed)} from the suppression list${also(valid.length - removed, 'not listed')}`,
    );
    return 0;
  });
}

export async function optoutList(ctx: Context, flags: { json?: boolean }): Promise<number> {
  return ctx.withJournal({ readonly: true }, async (journal) => {
    const rows = (await journal.optouts.list()).map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() }));
    if (flags.json) printJson(ctx.io, rows);
    else if (rows.length === 0) note(ctx.io, 'The suppression list is empty.');
    else
      for (const r of rows)
        printLine(
          ctx.io.stdout,
          [r.phone.padEnd(16), r.source.padEnd(16), r.created_at, printable(r.detail ?? '')].join('  ').trimEnd(),
        );
    return 0;
  });
}

/** Every number or a usage error naming each bad one: a half-applied command is worse than none. */
function normalizeAll(raws: string[], flags: CountryFlag): string[] {
  const cc = countryFromFlag(flags.defaultCountry);
  const results = raws.map((raw) => ({ raw, r: normalizePhone(raw, cc) }));
  const bad = results.filter((x) => !x.r.ok).map((x) => `"${x.raw}" (${x.r.ok ? '' : x.r.detail})`);
  if (bad.length > 0) throw usageError(`not a valid phone number: ${bad.join(', ')}; nothing was changed`);
  return [...new Set(results.map((x) => (x.r.ok ? x.r.e164 : '')))];
}

export async function optoutImport(ctx: Context, file: string, flags: ImportFlags): Promise<number> {
  const cc = countryFromFlag(flags.defaultCountry);
  const input = await openCsvInput(file, () => ctx.io.stdin());
  const name = input.source.name;
  try {
    const column = detectPhoneColumn(input.source.headers, flags.phoneColumn);
    // Read and check everything first: a file that is mostly not numbers (a wrong column, a
    // wrong --default-country) must not half-fill the suppression list.
    const invalid: { line: number; input: string; reason: string }[] = [];
    const valid: string[] = [];
    let rows = 0;
    for await (const row of input.source.rows) {
      rows++;
      if (row.error !== undefined) {
        invalid.push({ line: row.line, input: row.raw, reason: row.error });
        continue;
      }
      const value = row.values[column] ?? '';
      const r = normalizePhone(value, cc);
      if (r.ok) valid.push(r.e164);
      else invalid.push({ line: row.line, input: value, reason: r.detail });
    }
    if (rows > 0 && (invalid.length * 100) / rows > flags.maxInvalid) {
      const examples = invalid
        .slice(0, 3)
        .map((x) => `line ${x.line} "${x.input}" (${x.reason})`)
        .join('; ');
      throw usageError(
        `${invalid.length} of ${rows} rows of ${name} are not valid numbers, above --max-invalid ${flags.maxInvalid}%; nothing was imported. Examples: ${examples}`,
        'check --default-country and --phone-column, or raise --max-invalid',
      );
    }
    const added = await ctx.withJournal({}, async (journal) => {
      let n = 0;
      for (let i = 0; i < valid.length; i += IMPORT_BATCH) {
        n += await journal.optouts.add(valid.slice(i, i + IMPORT_BATCH), 'import', name, ctx.clock.now());
      }
      return n;
    });
    const counts = { added, already_present: valid.length - added, invalid: invalid.length };
    if (flags.json) {
      printJson(ctx.io, { ...counts, invalid_rows: invalid });
      return 0;
    }
    printLine(
      ctx.io.stdout,
      `${printable(name)}: ${counts.added} added, ${counts.already_present} already present, ${counts.invalid} invalid`,
    );
    for (const x of invalid.slice(0, SHOWN_INVALID)) note(ctx.io, `  line ${x.line}: "${printable(x.input)}" ${x.reason}`);
    if (invalid.length > SHOWN_INVALID) note(ctx.io, `  … and ${invalid.length - SHOWN_INVALID} more (see --json)`);
    return 0;
  } finally {
    input.close();
  }
}

const plural = (n: number) => (n === 1 ? '' : 's');
const also = (n: number, what: string) => (n > 0 ? ` (${n} ${what})` : '');
