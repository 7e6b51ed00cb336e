// Applying status events to recipient rows (DESIGN §3 rule 5) on a real journal file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recipientKey } from '../../src/core/types.js';
import { UNMATCHED_GRACE_MS, applyPendingEvents } from '../../src/journal/delivery.js';
import { isOptedOut } from '../../src/journal/optouts.js';
import { insertEvents } from '../../src/journal/webhook-events.js';
import { extractEvents } from '../../src/webhook/events.js';
import { addBroadcast, addRecipient, eventCount, row, statusBody, tempJournal, type StatusSpec } from '../webhook/helpers.js';

let j: ReturnType<typeof tempJournal>;
let b: string;
const T = 1_760_000_000; // unix seconds, like Meta's timestamps
const NOW = T * 1000 + 60_000;

beforeEach(() => { j = tempJournal(); b = addBroadcast(j.db); });
afterEach(() => j.cleanup());

function store(statuses: StatusSpec[], receivedAt = NOW) {
  return insertEvents(j.db, extractEvents(statusBody(statuses), () => false).events, receivedAt);
}
const pending = () => eventCount(j.db, 'applied_at IS NULL');

describe('monotonic application', () => {
  it('moves sent → delivered → read; read without delivered sets both; never backwards', () => {
    const a = addRecipient(j.db, b, { phone: '+15551230001', state: 'sent', wamid: 'w.a', sentAt: T * 1000 - 500 });
    const c = addRecipient(j.db, b, { phone: '+15551230002', state: 'sent', wamid: 'w.c', sentAt: T * 1000 });
    store([{ id: 'w.a', status: 'delivered', timestamp: T + 3 }, { id: 'w.c', status: 'read', timestamp: T + 9 }]);
    expect(applyPendingEvents(j.db, NOW)).toMatchObject({ applied: 2, waiting: 0 });
    expect(row(j.db, a)).toMatchObject({ state: 'delivered', delivered_at: (T + 3) * 1000, read_at: null, sent_at: T * 1000 - 500 });
    expect(row(j.db, c)).toMatchObject({ state: 'read', delivered_at: (T + 9) * 1000, read_at: (T + 9) * 1000 });
    // Late, older events: state stays, the earliest delivery time is kept.
    store([{ id: 'w.c', status: 'delivered', timestamp: T + 4 }, { id: 'w.c', status: 'sent', timestamp: T + 1 }, { id: 'w.a', status: 'sent', timestamp: T + 1 }]);
    applyPendingEvents(j.db, NOW);
    expect(row(j.db, c)).toMatchObject({ state: 'read', delivered_at: (T + 4) * 1000, read_at: (T + 9) * 1000 });
    expect(row(j.db, a).state).toBe('delivered');
  });

  it('applies failed to a sent row with its error, but never over delivered or read', () => {
    const sent = addRecipient(j.db, b, { phone: '+15551230001', state: 'sent', wamid: 'w.s', sentAt: 1 });
    const read = addRecipient(j.db, b, { phone: '+15551230002', state: 'read', wamid: 'w.r', sentAt: 1 });
    const errors = [{ code: 131026, title: 'Meta words', message: 'x', error_data: { details: 'not on WhatsApp' } }];
    store([{ id: 'w.s', status: 'failed', timestamp: T, errors }, { id: 'w.r', status: 'failed', timestamp: T, errors }]);
    applyPendingEvents(j.db, NOW);
    expect(row(j.db, sent)).toMatchObject({ state: 'failed', failed_at: T * 1000, error_code: 131026, error_title: 'Message undeliverable', error_detail: 'not on WhatsApp', error_class: 'permanent' });
    expect(row(j.db, read)).toMatchObject({ state: 'read', error_code: null, failed_at: null });
    // A late `sent` does not undo the failure; unknown codes keep Meta's title.
    store([{ id: 'w.s', status: 'sent', timestamp: T - 1 }]);
    applyPendingEvents(j.db, NOW);
    expect(row(j.db, sent).state).toBe('failed');
  });

  it('1,000 shuffled status events with duplicates for 250 messages leave each row in the state of its newest status', () => {
    const chains = [['sent'], ['sent', 'delivered'], ['sent', 'delivered', 'read'], ['sent', 'failed'], ['sent', 'delivered', 'read']];
    const rows: { id: number; final: string; chain: string[] }[] = [];
    const events: StatusSpec[] = [];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 250; i++) {
      const phone = `+1555123${String(i).padStart(4, '0')}`;
      const chain = chains[i % chains.length]!;
      // Every fifth row is `unknown` with no wamid: its events find it by the recipient key alone.
      const unknown = i % 5 === 4;
      const id = addRecipient(j.db, b, { phone, state: unknown ? 'unknown' : 'sent', wamid: unknown ? null : `w.${i}`, sentAt: unknown ? null : T * 1000 });
      rows.push({ id, final: chain[chain.length - 1]!, chain });
      chain.forEach((status, k) => events.push({
        id: `w.${i}`, status, timestamp: T + 10 * k, biz_opaque_callback_data: recipientKey(b, phone),
        ...(status === 'failed' ? { errors: [{ code: 131049, title: 't' }] } : {}),
      }));
    }
    while (events.length < 1000) events.push({ ...events[Math.floor(rand() * events.length)]! }); // duplicates
    for (let i = events.length - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      [events[i], events[k]] = [events[k]!, events[i]!];
    }
    for (let i = 0; i < events.length; i += 100) { store(events.slice(i, i + 100)); applyPendingEvents(j.db, NOW); }
    expect(pending()).toBe(0);
    for (const [i, r] of rows.entries()) {
      const got = row(j.db, r.id);
      expect(got.state, `row ${i}`).toBe(r.final);
      expect(got.wamid).toBe(`w.${i}`);
      if (r.chain.includes('delivered')) expect(got.delivered_at).toBe((T + 10) * 1000);
      if (r.final === 'read') expect(got.read_at).toBe((T + 20) * 1000);
    }
  });
});

describe('events ahead of the send response, and unknown rows', () => {
  it('keeps a status for a row still `sending` (by key) or for a wamid not yet recorded, and applies it once recorded', () => {
    const withKey = addRecipient(j.db, b, { phone: '+15551230001', state: 'sending' });
    const noKey = addRecipient(j.db, b, { phone: '+15551230002', state: 'sending' });
    store([
      { id: 'w.1', status: 'delivered', timestamp: T + 2, biz_opaque_callback_data: recipientKey(b, '+15551230001') },
      { id: 'w.2', status: 'read', timestamp: T + 5 },
    ]);
    expect(applyPendingEvents(j.db, NOW)).toMatchObject({ applied: 0, waiting: 2 });
    expect(row(j.db, withKey)).toMatchObject({ state: 'sending', wamid: null, delivered_at: null });
    // The engine records the API's answers (only on rows still `sending`), then applies what waited.
    const record = j.db.prepare("UPDATE recipients SET state = 'sent', wamid = ?, sent_at = ? WHERE id = ? AND state = 'sending'");
    record.run('w.1', T * 1000, withKey);
    record.run('w.2', T * 1000, noKey);
    expect(applyPendingEvents(j.db, NOW + 1000)).toMatchObject({ applied: 2, waiting: 0 });
    expect(row(j.db, withKey)).toMatchObject({ state: 'delivered', delivered_at: (T + 2) * 1000 });
    expect(row(j.db, noKey)).toMatchObject({ state: 'read', delivered_at: (T + 5) * 1000, read_at: (T + 5) * 1000 });
    expect(pending()).toBe(0);
  });

  it('resolves an unknown row from biz_opaque_callback_data, taking the wamid and clearing the ambiguity', () => {
    const id = addRecipient(j.db, b, { phone: '+15551230001', state: 'unknown' });
    j.db.prepare("UPDATE recipients SET error_title = 'No answer', error_class = 'unknown' WHERE id = ?").run(id);
    store([{ id: 'w.9', status: 'delivered', timestamp: T, biz_opaque_callback_data: recipientKey(b, '+15551230001') }]);
    applyPendingEvents(j.db, NOW);
    expect(row(j.db, id)).toMatchObject({ state: 'delivered', wamid: 'w.9', sent_at: T * 1000, delivered_at: T * 1000, error_title: null, error_class: null });
  });

  it('a status for a retry row proves an earlier attempt got through: the row is not re-sent', () => {
    const id = addRecipient(j.db, b, { phone: '+15551230001', state: 'retry', nextAttemptAt: NOW + 5000, errorCode: 131000 });
    store([{ id: 'w.5', status: 'sent', timestamp: T, biz_opaque_callback_data: recipientKey(b, '+15551230001') }]);
    applyPendingEvents(j.db, NOW);
    expect(row(j.db, id)).toMatchObject({ state: 'sent', wamid: 'w.5', next_attempt_at: null, error_code: null });
  });

  it('leaves skipped rows alone', () => {
    const id = addRecipient(j.db, b, { phone: '+15551230001', state: 'skipped' });
    store([{ id: 'w.7', status: 'read', timestamp: T, biz_opaque_callback_data: recipientKey(b, '+15551230001') }]);
    expect(applyPendingEvents(j.db, NOW)).toMatchObject({ applied: 0, ignored: 1, waiting: 0 });
    expect(row(j.db, id).state).toBe('skipped');
  });

  it('stops rescanning a status that matches nothing of ours after the grace period', () => {
    store([{ id: 'w.other-tool', status: 'delivered', timestamp: T }]);
    expect(applyPendingEvents(j.db, NOW)).toMatchObject({ waiting: 1 });
    expect(applyPendingEvents(j.db, NOW + UNMATCHED_GRACE_MS + 1)).toMatchObject({ waiting: 0, ignored: 1 });
    expect(pending()).toBe(0);
    expect(eventCount(j.db)).toBe(1); // kept for the record
  });

  it('records an opt-out for an asynchronous 131050', () => {
    const id = addRecipient(j.db, b, { phone: '+15551230001', state: 'sent', wamid: 'w.m', sentAt: 1 });
    store([{ id: 'w.m', status: 'failed', timestamp: T, recipient_id: '15551230001', errors: [{ code: 131050, title: 'stopped' }] }]);
    expect(applyPendingEvents(j.db, NOW).optouts).toEqual([{ phone: '+15551230001', source: 'error_131050' }]);
    expect(row(j.db, id)).toMatchObject({ state: 'failed', error_code: 131050, error_class: 'opted_out' });
    expect(isOptedOut(j.db, '+15551230001')).toBe(true);
  });

  it('does nothing, cheaply, when nothing is pending; duplicates are stored once', () => {
    expect(applyPendingEvents(j.db, NOW)).toEqual({ applied: 0, waiting: 0, ignored: 0, optouts: [], errors: [] });
    const batch = [{ id: 'w.d', status: 'sent', timestamp: T }];
    expect(store(batch)).toEqual({ inserted: 1, duplicates: 0 });
    expect(store(batch)).toEqual({ inserted: 0, duplicates: 1 });
  });
});
