// Shared set-up for webhook and delivery tests: a real journal in a temp dir, rows inserted with
// plain SQL (the schema of migration 1), payloads shaped like Meta's, and signed POSTs.
import { WHATSAPP_SAMPLES } from '../helpers/fixtures.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, type Db } from '../../src/journal/db.js';
import { signatureHeader } from '../../src/webhook/signature.js';

export const SAMPLES = WHATSAPP_SAMPLES;
export const SECRET = 'test-app-secret';

export function sample(path: string): string {
  return readFileSync(join(SAMPLES, path), 'utf8');
}

export function tempJournal(): { db: Db; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'wa-send-webhook-'));
  const path = join(dir, 'journal.db');
  const db = openJournal(path);
  return { db, path, cleanup: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export function addBroadcast(db: Db, id = 'btest1'): string {
  db.prepare(`INSERT INTO broadcasts (id, key, target, spec, created_at) VALUES (?, ?, '"sandbox"', '{"message":{},"columns":[]}', ?)`)
    .run(id, `key-${id}`, Date.now());
  return id;
}

export interface RowSpec {
  phone: string; state: string; wamid?: string | null; sentAt?: number | null;
  errorCode?: number | null; nextAttemptAt?: number | null;
}

let line = 1;
export function addRecipient(db: Db, broadcastId: string, r: RowSpec): number {
  return Number(db.prepare(`INSERT INTO recipients (broadcast_id, line, input, phone, state, attempts, wamid, sent_at, error_code, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`).run(
    broadcastId, line++, r.phone, r.phone, r.state, r.wamid ?? null, r.sentAt ?? null, r.errorCode ?? null, r.nextAttemptAt ?? null,
  ).lastInsertRowid);
}

export interface Row {
  state: string; wamid: string | null; sent_at: number | null; delivered_at: number | null; read_at: number | null;
  failed_at: number | null; error_code: number | null; error_title: string | null; error_detail: string | null;
  error_class: string | null; next_attempt_at: number | null;
}

export function row(db: Db, id: number): Row {
  return db.prepare('SELECT * FROM recipients WHERE id = ?').get(id) as Row;
}

export interface StatusSpec {
  id: string; status: string; timestamp: number | string; recipient_id?: string;
  biz_opaque_callback_data?: string; errors?: unknown[];
}

/** A status webhook body like Meta's (one entry, one change), holding the given statuses. */
export function statusBody(statuses: StatusSpec[]): Record<string, unknown> {
  return envelope('messages', { statuses: statuses.map((s) => ({ recipient_id: '15551230000', ...s, timestamp: String(s.timestamp) })) });
}

export function envelope(field: string, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '100000000000001', changes: [{ field, value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: '200000000000002' }, ...value,
    } }] }],
  };
}

export function post(url: string, body: string | Buffer, signature: string | null = signatureHeader(body, SECRET)): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return fetch(url, { method: 'POST', headers, body });
}

export function eventCount(db: Db, where = '1'): number {
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
