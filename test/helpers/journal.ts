// Test helpers: a temp journal and a planned broadcast from CSV text, through the real modules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/core/journal.js';
import { type MessageFlags, messageFromFlags } from '../../src/core/message-spec.js';
import { inlineNormalizer } from '../../src/core/normalizer.js';
import { type PlanRequest, planBroadcast } from '../../src/core/plan.js';
import { DEFAULT_DEDUP_WINDOW_MS } from '../../src/core/rules/message-identity.js';
import { openCsv } from '../../src/csv/csv.js';
import { openSqliteJournal } from '../../src/journal/sqlite/journal.js';

export function tempDir(prefix = 'wa-send-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempJournal(): { journal: Journal; path: string; dir: string } {
  const dir = tempDir();
  const path = join(dir, 'journal.db');
  return { journal: openSqliteJournal(path), path, dir };
}

export function writeCsv(dir: string, text: string, name = 'recipients.csv'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** n valid distinct US numbers, +1 415 201 0000 upward. */
export function phones(n: number, start = 0): string[] {
  return Array.from({ length: n }, (_, i) => `+1415201${String(start + i).padStart(4, '0')}`);
}

export function csvOf(numbers: string[], header = 'name,phone'): string {
  return `${header}\n${numbers.map((p, i) => `Person ${i},${p}`).join('\n')}\n`;
}

export async function plan(
  journal: Journal,
  csvPath: string,
  flags: MessageFlags = { template: 'hello_world' },
  extra: Partial<Omit<PlanRequest, 'source'>> & { defaultCountry?: Parameters<typeof inlineNormalizer>[0] } = {},
) {
  const { defaultCountry, ...rest } = extra;
  return planBroadcast(
    {
      source: await openCsv(csvPath),
      message: messageFromFlags(flags),
      maxInvalidPct: 20,
      target: 'sandbox',
      now: Date.now(),
      ...rest,
      dedupWindowMs: rest.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS,
    },
    journal,
    inlineNormalizer(defaultCountry),
  );
}
