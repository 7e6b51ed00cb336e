// The suppression list. Phones are E.164 with '+'; a phone is listed once, with the source that
// first put it there (manual, import, inbound_keyword, user_preferences, error_131050).
import { isMarketingStopResume, readInbound, readPreference, waIdToPhones } from '../webhook/wire.js';
import { perConnection, writeTx, type Db } from './db.js';
import { preferencePayloadsFor } from './webhook-events.js';

export interface OptoutRow { phone: string; source: string; detail: string | null; created_at: number }

const E164 = /^\+[1-9]\d{5,14}$/;

function prepare(db: Db) {
  return {
    add: db.prepare('INSERT OR IGNORE INTO optouts (phone, source, detail, created_at) VALUES (?, ?, ?, ?)'),
    remove: db.prepare('DELETE FROM optouts WHERE phone = ?'),
    removeFrom: db.prepare('DELETE FROM optouts WHERE phone = ? AND source = ?'),
    list: db.prepare('SELECT phone, source, detail, created_at FROM optouts ORDER BY created_at, phone'),
    has: db.prepare('SELECT 1 FROM optouts WHERE phone = ?').pluck(),
  };
}

const stmts = perConnection(prepare);

function checkE164(phones: readonly string[]): void {
  const bad = phones.find((p) => !E164.test(p));
  if (bad !== undefined) throw new Error(`not an E.164 phone number: "${bad}" (normalize it first)`);
}

/** Adds phones (all or none); returns how many were new. An existing entry keeps its source. */
export function addOptouts(db: Db, phones: readonly string[], source: string, detail?: string | null, now = Date.now()): number {
  checkE164(phones);
  const s = stmts(db);
  return writeTx(db, () => phones.reduce((n, phone) => n + s.add.run(phone, source, detail ?? null, now).changes, 0));
}

/** Removes phones; with `source`, only entries that came from that source. Returns how many went. */
export function removeOptouts(db: Db, phones: readonly string[], opts: { source?: string } = {}): number {
  const s = stmts(db);
  return writeTx(db, () => phones.reduce(
    (n, phone) => n + (opts.source === undefined ? s.remove.run(phone) : s.removeFrom.run(phone, opts.source)).changes, 0,
  ));
}

export function listOptouts(db: Db): OptoutRow[] {
  return stmts(db).list.all() as OptoutRow[];
}

export function isOptedOut(db: Db, phone: string): boolean {
  return stmts(db).has.get(phone) !== undefined;
}

/** An opt-out recorded (or, for a resume, lifted) by applying a webhook event. */
export interface OptoutChange { phone: string; source: string; lifted?: true }

/** Adds each phone on its own; returns the ones that were not listed before, as changes to report. */
export function addOptoutsEach(db: Db, phones: Iterable<string>, source: string, detail: string | null, now: number): OptoutChange[] {
  return [...phones].filter((phone) => addOptouts(db, [phone], source, detail, now) > 0).map((phone) => ({ phone, source }));
}

/** A stored inbound event is pending only when its text was an opt-out keyword (see webhook/events). */
export function applyInboundOptout(db: Db, payload: unknown, now: number): OptoutChange[] {
  const message = readInbound(payload);
  if (!message) return [];
  return addOptoutsEach(db, waIdToPhones(message.from), 'inbound_keyword', message.text, now);
}

/**
 * Meta's marketing stop/resume. Events can arrive out of order, so the user's newest preference
 * (by Meta's timestamp, over every stored event for that wa_id) decides; on a tie, stop wins.
 * A resume lifts only an opt-out that came from user_preferences: a typed STOP stays.
 */
export function applyUserPreference(db: Db, payload: unknown, now: number): OptoutChange[] {
  const event = readPreference(payload);
  if (!event || !isMarketingStopResume(event)) return [];
  let latest = event;
  for (const stored of preferencePayloadsFor(db, event.waId)) {
    const p = readPreference(parseOrNull(stored));
    if (!p || !isMarketingStopResume(p)) continue;
    const [t, tl] = [p.timestampMs ?? 0, latest.timestampMs ?? 0];
    if (t > tl || (t === tl && p.value === 'stop')) latest = p;
  }
  const phones = waIdToPhones(event.waId);
  if (latest.value === 'stop') return addOptoutsEach(db, phones, 'user_preferences', latest.detail, now);
  return phones.filter((phone) => removeOptouts(db, [phone], { source: 'user_preferences' }) > 0)
    .map((phone) => ({ phone, source: 'user_preferences', lifted: true as const }));
}

function parseOrNull(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}
