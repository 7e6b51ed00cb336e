// planBroadcast: CSV → E.164 → dedup → a frozen plan (DESIGN §3 rule 1, §4). The CSV is streamed;
// normalization runs ahead on the Normalizer (a worker thread for real runs) in ordered batches, and
// staged rows go to the PlanStore, so memory stays flat whatever the file size.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { openCsv } from './csv.js';
import { usageError } from './errors.js';
import { compileSpec, rowValues, type CompiledSpec, type RowValues } from './message-spec.js';
import type { Normalizer } from './normalizer.js';
import { detectPhoneColumn } from './phone-column.js';
import type { PlanStore, StagedRecipient, StagedRejection } from './plan-store.js';
import { zeroRejectionCounts, type MessageSpec, type RejectionCounts, type Target } from './types.js';

export interface PlanRequest {
  csvPath: string;
  message: Record<string, unknown>;
  phoneColumn?: string;
  defaultCountry?: CountryCode;
  maxInvalidPct: number;
  target: Target;
  key?: string;
  name?: string;
  dryRun?: boolean;
}

export interface PlanResult {
  /** null for a dry run or a file with no rows. */
  broadcastId: string | null;
  /** The key matched a broadcast planned earlier: nothing new was written. */
  existing: boolean;
  key: string | null;
  rowsRead: number;
  recipients: number;
  rejections: RejectionCounts;
  spec: MessageSpec | null;
  firstRecipient: StagedRecipient | null;
  phoneColumn: string | null;
}

const BATCH_ROWS = 2000;
const BATCHES_AHEAD = 4;
/** Rows that cannot be sent because of what is in them (not duplicates or opt-outs): --max-invalid counts these. */
const UNSENDABLE = ['invalid_number', 'missing_phone', 'malformed_row', 'missing_value', 'value_too_long'] as const;
const EXAMPLE_INPUT_MAX = 40;

interface Item { line: number; input: string; phone: string | null; values: RowValues | null; malformed?: string }

export async function planBroadcast(req: PlanRequest, store: PlanStore, normalizer: Normalizer): Promise<PlanResult> {
  if (req.key !== undefined) {
    const id = store.findIdByKey(req.key);
    if (id) return existingResult(id, req.key);
  }
  const source = await openCsv(req.csvPath);
  const phoneIndex = detectPhoneColumn(source.headers, req.phoneColumn);
  const compiled = compileSpec(req.message, source.headers);
  const fileHash = sha256File(req.csvPath);

  store.startStaging();
  try {
    const rowsRead = await stageRows(source.rows, phoneIndex, compiled, store, normalizer);
    const counts = store.stagedCounts();
    checkInvalidShare(req, store, rowsRead, counts.rejections);
    const key = req.key ?? contentKey(req.target, compiled.spec, store);
    const rejections = { ...zeroRejectionCounts(), ...counts.rejections };
    const base = { rowsRead, recipients: counts.recipients, rejections, spec: compiled.spec, phoneColumn: source.headers[phoneIndex]! };
    const existingId = store.findIdByKey(key);
    if (existingId) return { ...base, broadcastId: existingId, existing: true, key, firstRecipient: null };
    const firstRecipient = store.firstStaged();
    if (req.dryRun || rowsRead === 0) return { ...base, broadcastId: null, existing: false, key, firstRecipient };
    const broadcastId = store.commit({
      key, name: req.name ?? null, target: req.target, spec: compiled.spec,
      sourceFile: basename(req.csvPath), sourceSha256: await fileHash, rowsRead,
    });
    return { ...base, broadcastId, existing: false, key, firstRecipient };
  } finally {
    store.dropStaging();
    fileHash.catch(() => {});
  }
}

async function stageRows(
  rows: AsyncIterable<import('./csv.js').CsvRow>, phoneIndex: number, compiled: CompiledSpec, store: PlanStore, normalizer: Normalizer,
): Promise<number> {
  const ahead: { items: Item[]; results: ReturnType<Normalizer['normalize']> }[] = [];
  const flush = async () => {
    const next = ahead.shift()!;
    stageBatch(next.items, await next.results, store);
  };
  let items: Item[] = [];
  let rowsRead = 0;
  const send = () => {
    const phones = items.filter((i) => i.phone !== null).map((i) => i.phone!);
    ahead.push({ items, results: normalizer.normalize(phones) });
    items = [];
  };
  for await (const row of rows) {
    rowsRead++;
    if (row.error !== undefined) {
      items.push({ line: row.line, input: row.raw.slice(0, 200), phone: null, values: null, malformed: row.error });
    } else {
      const phone = row.values[phoneIndex] ?? '';
      items.push({ line: row.line, input: phone, phone, values: rowValues(compiled, row.values) });
    }
    if (items.length >= BATCH_ROWS) {
      send();
      if (ahead.length >= BATCHES_AHEAD) await flush();
    }
  }
  if (items.length > 0) send();
  while (ahead.length > 0) await flush();
  return rowsRead;
}

function stageBatch(items: Item[], results: Awaited<ReturnType<Normalizer['normalize']>>, store: PlanStore): void {
  const recipients: StagedRecipient[] = [];
  const rejections: StagedRejection[] = [];
  let r = 0;
  for (const item of items) {
    if (item.malformed !== undefined) {
      rejections.push({ line: item.line, input: item.input, reason: 'malformed_row', detail: item.malformed });
      continue;
    }
    const phone = results[r++]!;
    if (!phone.ok) rejections.push({ line: item.line, input: item.input, reason: phone.reason, detail: phone.detail });
    else if (!item.values!.ok) rejections.push({ line: item.line, input: item.input, reason: item.values!.reason, detail: item.values!.detail });
    else {
      const vars = Object.keys(item.values!.vars).length > 0 ? JSON.stringify(item.values!.vars) : null;
      recipients.push({ line: item.line, input: item.input, phone: phone.e164, vars });
    }
  }
  store.stageBatch(recipients, rejections);
}

/** A wrong --default-country, --phone-column or placeholder column must not silently drop a large part of a list. */
function checkInvalidShare(req: PlanRequest, store: PlanStore, rowsRead: number, rejections: Record<string, number>): void {
  const invalid = UNSENDABLE.reduce((n, reason) => n + (rejections[reason] ?? 0), 0);
  if (rowsRead === 0 || (invalid * 100) / rowsRead <= req.maxInvalidPct) return;
  const byReason = UNSENDABLE.filter((r) => rejections[r]).map((r) => `${r} ${rejections[r]}`).join(', ');
  const examples = store.stagedExamples([...UNSENDABLE], 3)
    .map((e) => `line ${e.line} ${JSON.stringify(clip(e.input))} (${e.detail ?? e.reason})`).join('; ');
  const pct = ((invalid * 100) / rowsRead).toFixed(1);
  throw usageError(
    `${invalid} of ${rowsRead} rows (${pct}%) cannot be sent (${byReason}), above --max-invalid ${req.maxInvalidPct}%; nothing was planned. Examples: ${examples}`,
    'check --default-country, --phone-column and the {{placeholder}} columns, or raise --max-invalid',
  );
}

const clip = (s: string) => (s.length > EXAMPLE_INPUT_MAX ? `${s.slice(0, EXAMPLE_INPUT_MAX - 1)}…` : s);

/** DESIGN §4: sha256 over the target, the message spec and the sorted recipients with their values. */
function contentKey(target: Target, spec: MessageSpec, store: PlanStore): string {
  const hash = createHash('sha256').update(JSON.stringify(target)).update('\n').update(JSON.stringify(spec)).update('\n');
  store.forEachStagedSorted((phone, vars) => hash.update(`${phone}\t${vars ?? ''}\n`));
  return `sha256:${hash.digest('hex')}`;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (c) => hash.update(c)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

function existingResult(id: string, key: string): PlanResult {
  return {
    broadcastId: id, existing: true, key, rowsRead: 0, recipients: 0, rejections: zeroRejectionCounts(),
    spec: null, firstRecipient: null, phoneColumn: null,
  };
}
