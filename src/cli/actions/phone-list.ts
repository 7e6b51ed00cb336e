// optout|optin add|remove|list|import: one implementation for both lists of numbers
// (src/cli/phone-lists.ts). Numbers are normalized exactly as planning does (libphonenumber,
// --default-country, the same phone-column detection).
import { usageError } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { detectPhoneColumn } from '../../core/phone-column.js';
import { openCsvInput } from '../../csv/input.js';
import type { Action } from '../commands/action.js';
import type { Context } from '../context.js';
import { countryFromFlag } from '../country.js';
import { note, printable, printJson, printLine } from '../io.js';
import { PHONE_LISTS, type PhoneList, type PhoneListKind } from '../phone-lists.js';

interface CountryFlag {
  defaultCountry?: string;
}
/** optin only: where the consent came from (the optout commands do not offer these flags). */
interface Provenance {
  source?: string;
  detail?: string;
}
interface AddFlags extends CountryFlag, Provenance {}
interface ImportFlags extends CountryFlag, Provenance {
  phoneColumn?: string;
  maxInvalid: number;
  json?: boolean;
}

const IMPORT_BATCH = 5_000;
const SHOWN_INVALID = 20;

/** The action of one subcommand of one list, for commander. */
export function phoneListAction(kind: PhoneListKind, name: 'add' | 'remove' | 'list' | 'import'): Action {
  const list = PHONE_LISTS[kind];
  switch (name) {
    case 'add':
      return (ctx, phones, flags) => addAction(list, ctx, phones, flags);
    case 'remove':
      return (ctx, phones, flags) => removeAction(list, ctx, phones, flags);
    case 'list':
      return (ctx, flags) => listAction(list, ctx, flags);
    case 'import':
      return (ctx, file, flags) => importAction(list, ctx, file, flags);
  }
}

async function addAction(list: PhoneList, ctx: Context, phones: string[], flags: AddFlags): Promise<number> {
  const valid = normalizeAll(phones, flags);
  return ctx.withJournal({}, async (journal) => {
    const added = await list.store(journal).add(valid, sourceOf(flags, 'manual'), flags.detail ?? null, ctx.clock.now());
    printLine(
      ctx.io.stdout,
      `added ${added} number${plural(added)} to ${list.title}${also(valid.length - added, 'already listed')}`,
    );
    return 0;
  });
}

async function removeAction(list: PhoneList, ctx: Context, phones: string[], flags: CountryFlag): Promise<number> {
  const valid = normalizeAll(phones, flags);
  return ctx.withJournal({}, async (journal) => {
    const removed = await list.store(journal).remove(valid);
    printLine(
      ctx.io.stdout,
      `removed ${removed} number${plural(removed)} from ${list.title}${also(valid.length - removed, 'not listed')}`,
    );
    return 0;
  });
}

async function listAction(list: PhoneList, ctx: Context, flags: { json?: boolean }): Promise<number> {
  return ctx.withJournal({ readonly: true }, async (journal) => {
    const rows = (await list.store(journal).list()).map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() }));
    if (flags.json) printJson(ctx.io, rows);
    else if (rows.length === 0) note(ctx.io, list.empty);
    else
      for (const r of rows)
        printLine(
          ctx.io.stdout,
          [r.phone.padEnd(16), printable(r.source).padEnd(16), r.created_at, printable(r.detail ?? '')].join('  ').trimEnd(),
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

async function importAction(list: PhoneList, ctx: Context, file: string, flags: ImportFlags): Promise<number> {
  const cc = countryFromFlag(flags.defaultCountry);
  const source = sourceOf(flags, 'import');
  const input = await openCsvInput(file, () => ctx.io.stdin());
  const name = input.source.name;
  try {
    const column = detectPhoneColumn(input.source.headers, flags.phoneColumn);
    // Read and check everything first: a file that is mostly not numbers (a wrong column, a
    // wrong --default-country) must not half-fill the list.
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
        const batch = valid.slice(i, i + IMPORT_BATCH);
        n += await list.store(journal).add(batch, source, flags.detail ?? name, ctx.clock.now());
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

/** --source as given, or the list's default; an empty one would record consent from nowhere. */
function sourceOf(flags: Provenance, fallback: string): string {
  if (flags.source === undefined) return fallback;
  if (flags.source.trim() === '') throw usageError('--source needs a name, e.g. --source signup-form');
  return flags.source.trim();
}

const plural = (n: number) => (n === 1 ? '' : 's');
const also = (n: number, what: string) => (n > 0 ? ` (${n} ${what})` : '');
