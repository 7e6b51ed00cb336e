// wa-send optout add|remove|list|import: the suppression list. Numbers are normalized exactly as
// planning does (libphonenumber, --default-country, the same phone-column detection).
import type { Command } from 'commander';
import { basename } from 'node:path';
import { openCsv } from '../core/csv.js';
import { usageError } from '../core/errors.js';
import { detectPhoneColumn } from '../core/phone-column.js';
import { normalizePhone } from '../core/phone.js';
import type { Db } from '../journal/db.js';
import { addOptouts, listOptouts, removeOptouts } from '../journal/optouts.js';
import type { Wrap } from '../main.js';
import type { Context } from './context.js';
import { note, printJson, printLine } from './io.js';
import { countryFromFlag, DEFAULT_COUNTRY_OPTION } from './message-flags.js';

interface CountryFlag { defaultCountry?: string }
interface ImportFlags extends CountryFlag { phoneColumn?: string; json?: boolean }

const IMPORT_BATCH = 5_000;
const SHOWN_INVALID = 20;

export function registerOptout(program: Command, wrap: Wrap): void {
  const optout = program.command('optout').description('the suppression list: numbers wa-send never sends to');
  const country = DEFAULT_COUNTRY_OPTION;
  optout.command('add').description('add numbers (all or none: an invalid one adds nothing)')
    .argument('<phone...>').option(...country)
    .action(wrap(async (ctx: Context, phones: string[], flags: CountryFlag) => withDb(ctx, (db) => {
      const valid = normalizeAll(phones, flags);
      const added = addOptouts(db, valid, 'manual');
      printLine(ctx.io.stdout, `added ${added} number${added === 1 ? '' : 's'} to the suppression list${alreadyNote(valid.length - added, 'already listed')}`);
    })));
  optout.command('remove').description('remove numbers from the suppression list')
    .argument('<phone...>').option(...country)
    .action(wrap(async (ctx: Context, phones: string[], flags: CountryFlag) => withDb(ctx, (db) => {
      const valid = normalizeAll(phones, flags);
      const removed = removeOptouts(db, valid);
      printLine(ctx.io.stdout, `removed ${removed} number${removed === 1 ? '' : 's'} from the suppression list${alreadyNote(valid.length - removed, 'not listed')}`);
    })));
  optout.command('list').description('print the suppression list').option('--json', 'a JSON array of {phone, source, detail, created_at}')
    .action(wrap(async (ctx: Context, flags: { json?: boolean }) => withDb(ctx, (db) => {
      const rows = listOptouts(db).map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() }));
      if (flags.json) return printJson(ctx.io, rows);
      if (rows.length === 0) return note(ctx.io, 'The suppression list is empty.');
      for (const r of rows) printLine(ctx.io.stdout, [r.phone.padEnd(16), r.source.padEnd(16), r.created_at, r.detail ?? ''].join('  ').trimEnd());
    })));
  optout.command('import').description('add every number of a CSV file (source "import")')
    .argument('<csv>').option('--phone-column <name>', 'the column holding the numbers (default: detect)').option(...country)
    .option('--json', 'print the counts as JSON')
    .action(wrap(async (ctx: Context, file: string, flags: ImportFlags) => importCsv(ctx, file, flags)));
}

async function withDb(ctx: Context, fn: (db: Db) => void): Promise<number> {
  const db = ctx.openJournal();
  try {
    fn(db);
    return 0;
  } finally {
    db.close();
  }
}

/** Every number or a usage error naming each bad one: a half-applied command is worse than none. */
function normalizeAll(raws: string[], flags: CountryFlag): string[] {
  const cc = countryFromFlag(flags.defaultCountry);
  const results = raws.map((raw) => ({ raw, r: normalizePhone(raw, cc) }));
  const bad = results.filter((x) => !x.r.ok).map((x) => `"${x.raw}" (${x.r.ok ? '' : x.r.detail})`);
  if (bad.length > 0) throw usageError(`not a valid phone number: ${bad.join(', ')}; nothing was changed`);
  return [...new Set(results.map((x) => (x.r.ok ? x.r.e164 : '')))];
}

function alreadyNote(n: number, what: string): string {
  return n > 0 ? ` (${n} ${what})` : '';
}

async function importCsv(ctx: Context, file: string, flags: ImportFlags): Promise<number> {
  const cc = countryFromFlag(flags.defaultCountry);
  const source = await openCsv(file);
  const column = detectPhoneColumn(source.headers, flags.phoneColumn);
  const invalid: { line: number; input: string; reason: string }[] = [];
  let valid = 0;
  let added = 0;
  const db = ctx.openJournal();
  try {
    let batch: string[] = [];
    const flush = () => { added += addOptouts(db, batch, 'import', basename(file)); batch = []; };
    for await (const row of source.rows) {
      if (row.error !== undefined) { invalid.push({ line: row.line, input: row.raw, reason: row.error }); continue; }
      const input = row.values[column] ?? '';
      const r = normalizePhone(input, cc);
      if (!r.ok) { invalid.push({ line: row.line, input, reason: r.detail }); continue; }
      valid++;
      batch.push(r.e164);
      if (batch.length >= IMPORT_BATCH) flush();
    }
    flush();
  } finally {
    db.close();
  }
  const counts = { added, already_present: valid - added, invalid: invalid.length };
  if (flags.json) {
    printJson(ctx.io, { ...counts, invalid_rows: invalid });
    return 0;
  }
  printLine(ctx.io.stdout, `${basename(file)}: ${counts.added} added, ${counts.already_present} already present, ${counts.invalid} invalid`);
  for (const x of invalid.slice(0, SHOWN_INVALID)) note(ctx.io, `  line ${x.line}: "${x.input}" ${x.reason}`);
  if (invalid.length > SHOWN_INVALID) note(ctx.io, `  … and ${invalid.length - SHOWN_INVALID} more (see --json)`);
  return 0;
}
