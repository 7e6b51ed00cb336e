// The suppression list and the webhook events that feed it, on a real journal file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPendingEvents } from '../../src/journal/delivery.js';
import { addOptouts, isOptedOut, listOptouts, removeOptouts } from '../../src/journal/optouts.js';
import { insertEvents } from '../../src/journal/webhook-events.js';
import { DEFAULT_OPTOUT_KEYWORDS, extractEvents, optoutMatcher } from '../../src/webhook/events.js';
import { waIdToPhones } from '../../src/webhook/wire.js';
import { envelope, tempJournal } from '../webhook/helpers.js';

let j: ReturnType<typeof tempJournal>;
beforeEach(() => { j = tempJournal(); });
afterEach(() => j.cleanup());

const matcher = optoutMatcher(DEFAULT_OPTOUT_KEYWORDS);
function receive(body: Record<string, unknown>) {
  insertEvents(j.db, extractEvents(body, matcher).events, Date.now());
  return applyPendingEvents(j.db);
}
const pref = (value: string, timestamp: number, waId = '15551230000') =>
  envelope('user_preferences', { user_preferences: [{ wa_id: waId, detail: `${value} at ${timestamp}`, category: 'marketing_messages', value, timestamp }] });
const text = (id: string, from: string, body: string) =>
  envelope('messages', { messages: [{ from, id, timestamp: '1760000100', type: 'text', text: { body } }] });

describe('the suppression list', () => {
  it('adds, lists, checks and removes; an existing entry keeps its first source', () => {
    expect(addOptouts(j.db, ['+15551230000', '+447700900123'], 'manual', null, 1000)).toBe(2);
    expect(addOptouts(j.db, ['+15551230000'], 'import', 'list.csv', 2000)).toBe(0);
    expect(listOptouts(j.db)).toEqual([
      { phone: '+15551230000', source: 'manual', detail: null, created_at: 1000 },
      { phone: '+447700900123', source: 'manual', detail: null, created_at: 1000 },
    ]);
    expect(isOptedOut(j.db, '+15551230000')).toBe(true);
    expect(removeOptouts(j.db, ['+15551230000'], { source: 'user_preferences' })).toBe(0);
    expect(removeOptouts(j.db, ['+15551230000', '+15550000000'])).toBe(1);
    expect(isOptedOut(j.db, '+15551230000')).toBe(false);
  });

  it('refuses a number that is not E.164 and adds none of the batch', () => {
    expect(() => addOptouts(j.db, ['+15551230000', '15551230001'], 'manual')).toThrow(/E\.164/);
    expect(listOptouts(j.db)).toEqual([]);
  });
});

describe('opt-outs from webhooks', () => {
  it('an inbound keyword, trimmed and case-folded, opts out; other text does not', () => {
    receive(text('m1', '15551230001', '  Stop '));
    receive(text('m2', '15551230002', 'please stop sending'));
    receive(text('m3', '15551230003', 'optout'));
    expect(listOptouts(j.db).map((o) => [o.phone, o.source, o.detail])).toEqual([
      ['+15551230001', 'inbound_keyword', '  Stop '], ['+15551230003', 'inbound_keyword', 'optout'],
    ]);
  });

  it('user_preferences stop opts out; a newer resume lifts it; an older resume (out of order) does not', () => {
    receive(pref('stop', 1760000200));
    expect(listOptouts(j.db)[0]).toMatchObject({ phone: '+15551230000', source: 'user_preferences' });
    receive(pref('resume', 1760000100)); // older than the stop, arriving late
    expect(isOptedOut(j.db, '+15551230000')).toBe(true);
    expect(receive(pref('resume', 1760000300)).optouts).toEqual([{ phone: '+15551230000', source: 'user_preferences', lifted: true }]);
    expect(isOptedOut(j.db, '+15551230000')).toBe(false);
    receive(pref('stop', 1760000250)); // older than the resume: stays lifted
    expect(isOptedOut(j.db, '+15551230000')).toBe(false);
  });

  it('a resume does not lift an opt-out the user asked for by keyword or the operator added', () => {
    receive(text('m1', '15551230000', 'STOP'));
    addOptouts(j.db, ['+15551230001'], 'manual');
    receive(pref('stop', 1760000200));
    receive(pref('resume', 1760000300));
    receive(pref('resume', 1760000300, '15551230001'));
    expect(listOptouts(j.db).map((o) => o.source).sort()).toEqual(['inbound_keyword', 'manual']);
  });

  it('records the legacy E.164 forms of Mexican and Brazilian wa_ids too', () => {
    expect(waIdToPhones('5215512345678')).toEqual(['+5215512345678', '+525512345678']);
    expect(waIdToPhones('551187654321')).toEqual(['+551187654321', '+5511987654321']);
    expect(waIdToPhones('551133334444')).toEqual(['+551133334444']); // a landline has no ninth digit
    expect(waIdToPhones('user.abc123')).toEqual([]);
    receive(text('m9', '5215512345678', 'BAJA'));
    receive(text('m10', '5215512345678', 'Unsubscribe'));
    expect(isOptedOut(j.db, '+525512345678')).toBe(true);
  });
});
