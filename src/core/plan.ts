// planBroadcast: rows → E.164 → dedup → a frozen plan (DESIGN §3 rule 1, §4). Rows are streamed;
// normalization runs ahead on the Normalizer (a worker thread for real runs) in ordered batches,
// and staged rows go to the journal's staging area, so memory stays flat whatever the input size.
import { createHash } from 'node:crypto';
import { usageError } from './errors.js';
import type { Journal, PlanStaging, StagedRecipient, StagedRejection } from './journal.js';
import { type CompiledSpec, compileSpec, type RowValues, rowValues } from './message-spec.js';
import type { Normalizer } from './normalizer.js';
import { detectPhoneColumn } from './phone-column.js';
import type { CsvRow, RecipientSource } from './recipient-source.js';
import { checkKeyReuse } from './rules/key-reuse.js';
import { dedupSince, messageHasher, senderOf } from './rules/message-identity.js';
import { type BroadcastRecord, type MessageSpec, type RejectionCounts, type Target, zeroRejectionCounts } from './types.js';

export interface PlanRequest {
  source: RecipientSource;
  message: Record<string, unknown>;
  phoneColumn?: string;
  maxInvalidPct: number;
  target: Target;
  key?: string;
  name?: string;
  /** Read, normalize and count; write nothing. */
  dryRun?: boolean;
  now: number;
  /** Aborted (Ctrl-C while planning): stop reading; nothing is written. */
  signal?: AbortSignal;
  /** --dedup-window: an identical message accepted for a recipient within it makes the row `already_sent` (0: off). */
  dedupWindowMs: number;
  /** --require-optin: rows without a recorded opt-in become `no_optin` rejections. */
  requireOptin?: boolean;
  /** The profile the command uses, kept on the broadcast. */
  profile?: string | null;
}

/** Planning stopped by a signal before anything was written. */
export class PlanInterrupted extends Error {
  constructor() {
    super('interrupted while planning; nothing was planned');
    this.name = 'PlanInterrupted';
  }
}

export interface PlanResult {
  /** null for a dry run or input with no rows. */
  broadcastId: string | null;
  /** The broadcast the key already names (nothing new was written). */
  existing: BroadcastRecord | null;
  key: string;
  rowsRead: number;
  recipients: number;
  rejections: RejectionCounts;
  spec: MessageSpec;
  firstRecipient: StagedRecipient | null;
  phoneColumn: string;
}

const BATCH_ROWS = 2000;
const BATCHES_AHEAD = 4;
/** Rows that cannot be sent because of what is in them (not duplicates or opt-outs): --max-invalid counts these. */
const UNSENDABLE = ['invalid_number', 'missing_phone', 'malformed_row', 'missing_value', 'value_too_long'] as const;
const EXAMPLE_INPUT_MAX = 40;

interface Item {
  line: number;
  input: string;
  phone: string | null;
  values: RowValues | null;
  malformed?: string;
}

export async function planBroadcast(
  req: PlanRequest,
  journal: Pick<Journal, 'plans' | 'broadcasts'>,
  normalizer: Normalizer,
): Promise<PlanResult> {
  const { source } = req;
  const phoneIndex = detectPhoneColumn(source.headers, req.phoneColumn);
  const compiled = compileSpec(req.message, source.headers);
  const phoneColumn = source.headers[phoneIndex]!;
  const named = req.key === undefined ? null : await journal.broadcasts.findByKey(req.key);
  if (named !== null) {
    await checkKeyReuse(named, { key: req.key!, target: req.target, spec: compiled.spec, source });
    // The same request again: it continues that broadcast, nothing is planned twice.
    if (!req.dryRun) return existingResult(named, compiled.spec, phoneColumn);
  }

  const staging = await journal.plans.openStaging({
    dedupSince: dedupSince(req.now, req.dedupWindowMs),
    requireOptin: Boolean(req.requireOptin),
  });
  try {
    const hash = messageHasher(req.target, compiled.spec);
    const rowsRead = await stageRows(source.rows, phoneIndex, compiled, { staging, normalizer, hash }, req.signal);
    const counts = await staging.counts();
    await checkInvalidShare(req, staging, rowsRead, counts.rejections);
    const key = req.key ?? (await contentKey(req.target, compiled.spec, staging));
    const rejections = { ...zeroRejectionCounts(), ...counts.rejections };
    const firstRecipient = await staging.first();
    const base = { rowsRead, recipients: counts.recipients, rejections, spec: compiled.spec, phoneColumn, key, firstRecipient };
    const existing = named ?? (await journal.broadcasts.findByKey(key));
    if (existing !== null || req.dryRun || rowsRead === 0) {
      return { ...base, broadcastId: existing?.id ?? null, existing };
    }
    const { id, created } = await staging.commit({
      key,
      name: req.name ?? null,
      target: req.target,
      sender: senderOf(req.target),
      profile: req.profile ?? null,
      requireOptin: Boolean(req.requireOptin),
      spec: compiled.spec,
      sourceFile: source.name,
      sourceSha256: await source.sha256(),
      rowsRead,
      createdAt: req.now,
    });
    return { ...base, broadcastId: id, existing: created ? null : await journal.broadcasts.get(id) };
  } finally {
    await staging.drop();
  }
}

interface Stager {
  staging: PlanStaging;
  normalizer: Normalizer;
  hash: (phone: string, vars: string | null) => string;
}

async function stageRows(
  rows: AsyncIterable<CsvRow>,
  phoneIndex: number,
  compiled: CompiledSpec,
  stager: Stager,
  signal: AbortSignal | undefined,
): Promise<number> {
  const { normalizer } = stager;
  const ahead: { items: Item[]; results: ReturnType<Normalizer['normalize']> }[] = [];
  const flush = async () => {
    const next = ahead.shift()!;
    await stageBatch(next.items, await next.results, stager);
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
      if (signal?.aborted) throw new PlanInterrupted();
      send();
      if (ahead.length >= BATCHES_AHEAD) await flush();
    }
  }
  if (items.length > 0) send();
  while (ahead.length > 0) await flush();
  if (signal?.aborted) throw new PlanInterrupted();
  return rowsRead;
}

async function stageBatch(items: Item[], results: Awaited<ReturnType<Normalizer['normalize']>>, stager: Stager): Promise<void> {
  const recipients: StagedRecipient[] = [];
  const rejections: StagedRejection[] = [];
  let r = 0;
  for (const item of items) {
    if (item.malformed !== undefined) {
      rejections.push({ line: item.line, input: item.input, reason: 'malformed_row', detail: item.malformed });
      continue;
    }
    const phone = results[r++]!;
    const values = item.values!;
    if (!phone.ok) rejections.push({ line: item.line, input: item.input, reason: phone.reason, detail: phone.detail });
    else if (!values.ok) rejections.push({ line: item.line, input: item.input, reason: values.reason, detail: values.detail });
    else {
      const vars = Object.keys(values.vars).length > 0 ? JSON.stringify(values.vars) : null;
      recipients.push({
        line: item.line,
        input: item.input,
        phone: phone.e164,
        vars,
        messageHash: stager.hash(phone.e164, vars),
      });
    }
  }
  await stager.staging.stageBatch(recipients, rejections);
}

/** A wrong --default-country, --phone-column or placeholder column must not silently drop a large part of a list. */
async function checkInvalidShare(
  req: PlanRequest,
  staging: PlanStaging,
  rowsRead: number,
  rejections: Record<string, number>,
): Promise<void> {
  const invalid = UNSENDABLE.reduce((n, reason) => n + (rejections[reason] ?? 0), 0);
  if (rowsRead === 0 || (invalid * 100) / rowsRead <= req.maxInvalidPct) return;
  const byReason = UNSENDABLE.filter((r) => rejections[r])
    .map((r) => `${r} ${rejections[r]}`)
    .join(', ');
  const examples = (await staging.examples([...UNSENDABLE], 3))
    .map((e) => `line ${e.line} ${JSON.stringify(clip(e.input))} (${e.detail ?? e.reason})`)
    .join('; ');
  const pct = ((invalid * 100) / rowsRead).toFixed(1);
  throw usageError(
    `${invalid} of ${rowsRead} rows (${pct}%) cannot be sent (${byReason}), above --max-invalid ${req.maxInvalidPct}%; nothing was planned. Examples: ${examples}`,
    'check --default-country, --phone-column and the {{placeholder}} columns, or raise --max-invalid',
  );
}

const clip = (s: string) => (s.length > EXAMPLE_INPUT_MAX ? `${s.slice(0, EXAMPLE_INPUT_MAX - 1)}…` : s);

/** DESIGN §4: sha256 over the target, the message spec and the sorted recipients with their values. */
async function contentKey(target: Target, spec: MessageSpec, staging: PlanStaging): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(target)).update('\n').update(JSON.stringify(spec)).update('\n');
  await staging.forEachSorted((phone, vars) => hash.update(`${phone}\t${vars ?? ''}\n`));
  return `sha256:${hash.digest('hex')}`;
}

function existingResult(b: BroadcastRecord, spec: MessageSpec, phoneColumn: string): PlanResult {
  return {
    broadcastId: b.id,
    existing: b,
    key: b.key,
    rowsRead: b.rowsRead,
    recipients: 0,
    rejections: zeroRejectionCounts(),
    spec,
    firstRecipient: null,
    phoneColumn,
  };
}
