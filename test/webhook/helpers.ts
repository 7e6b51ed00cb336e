// Shared set-up for webhook and delivery tests: a real journal in a temp dir (the port for the
// receiver, a second read-only connection to look inside), payloads shaped like Meta's, signed POSTs.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Journal } from '../../src/core/journal.js';
import { openSqliteJournal } from '../../src/journal/sqlite/journal.js';
import { signatureHeader } from '../../src/webhook/signature.js';
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';

export const SAMPLES = WHATSAPP_SAMPLES;
export const SECRET = 'test-app-secret';

export function sample(path: string): string {
  return readFileSync(join(SAMPLES, path), 'utf8');
}

export interface TempJournal {
  journal: Journal;
  path: string;
  /** Reads the journal's rows (a second connection, as a person with sqlite3 would). */
  db: Database.Database;
  cleanup(): Promise<void>;
}

export function tempJournal(): TempJournal {
  const dir = mkdtempSync(join(tmpdir(), 'wa-send-webhook-'));
  const path = join(dir, 'journal.db');
  const journal = openSqliteJournal(path, { durable: true });
  const db = new Database(path, { readonly: true });
  return {
    journal,
    path,
    db,
    cleanup: async () => {
      db.close();
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Row {
  state: string;
  wamid: string | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  error_code: number | null;
  error_title: string | null;
  error_detail: string | null;
  error_class: string | null;
  next_attempt_at: number | null;
}

export function rowOf(db: Database.Database, phone: string): Row {
  return db.prepare('SELECT * FROM recipients WHERE phone = ?').get(phone) as Row;
}

export function optedOut(db: Database.Database, phone: string): boolean {
  return db.prepare('SELECT 1 FROM optouts WHERE phone = ?').get(phone) !== undefined;
}

export function optouts(db: Database.Database): { phone: string; source: string; detail: string | null }[] {
  return db.prepare('SELECT phone, source, detail FROM optouts ORDER BY created_at, phone').all() as never;
}

export interface StatusSpec {
  id: string;
  status: string;
  timestamp: number | string;
  recipient_id?: string;
  biz_opaque_callback_data?: string;
  errors?: unknown[];
}

/** A status webhook body like Meta's (one entry, one change), holding the given statuses. */
export function statusBody(statuses: StatusSpec[]): Record<string, unknown> {
  return envelope('messages', {
    statuses: statuses.map((s) => ({ recipient_id: '15551230000', ...s, timestamp: String(s.timestamp) })),
  });
}

export function envelope(field: string, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '100000000000001',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: '200000000000002' },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

export function post(
  url: string,
  body: string | Buffer,
  signature: string | null = signatureHeader(body, SECRET),
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(url, { method: 'POST', headers, body });
}

export function eventCount(db: Database.Database, where = '1'): number {
  return db.prepare(`SELECT count(*) FROM webhook_events WHERE ${where}`).pluck().get() as number;
}

/** Waits until `check` holds (the receiver applies on the next event-loop turn after its 200). */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
