// One webhook POST → the events to persist. Meta batches up to 1,000 updates per POST and mixes
// statuses for many messages, so every entry[] × changes[] × (statuses|messages|user_preferences)[]
// is visited. Each event gets a dedup key: Meta retries and fans out, so duplicates are normal.
import type { NewWebhookEvent } from '../journal/webhook-events.js';
import { asList, asObj, isMarketingStopResume, readInbound, readPreference, readStatus } from './wire.js';

export const DEFAULT_OPTOUT_KEYWORDS: readonly string[] = ['STOP', 'UNSUBSCRIBE', 'STOPALL', 'CANCEL', 'END', 'QUIT', 'OPTOUT'];

export interface ExtractedBatch {
  events: NewWebhookEvent[];
  counts: { statuses: number; inbound: number; preferences: number };
  /** value.errors[]: account- or app-level problems Meta reports outside any message. */
  systemErrors: { code: unknown; title: unknown }[];
}

export function foldKeyword(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** Matcher for the configured opt-out keywords: the whole trimmed, case-folded message must be one. */
export function optoutMatcher(keywords: readonly string[]): (text: string | null) => boolean {
  const set = new Set(keywords.map(foldKeyword).filter((k) => k !== ''));
  return (text) => text !== null && set.has(foldKeyword(text));
}

export function extractEvents(payload: unknown, isOptoutText: (text: string | null) => boolean): ExtractedBatch {
  const batch: ExtractedBatch = { events: [], counts: { statuses: 0, inbound: 0, preferences: 0 }, systemErrors: [] };
  for (const entry of asList(asObj(payload)?.entry)) {
    for (const change of asList(asObj(entry)?.changes)) {
      const value = asObj(asObj(change)?.value);
      if (!value) continue;
      for (const s of asList(value.statuses)) addStatus(batch, s);
      for (const m of asList(value.messages)) addInbound(batch, m, isOptoutText);
      for (const p of asList(value.user_preferences)) addPreference(batch, p);
      for (const e of asList(value.errors)) batch.systemErrors.push({ code: asObj(e)?.code, title: asObj(e)?.title });
    }
  }
  return batch;
}

function addStatus(batch: ExtractedBatch, raw: unknown): void {
  const o = asObj(raw);
  const wamid = typeof o?.id === 'string' ? o.id : null;
  if (!o || !wamid) return;
  batch.counts.statuses++;
  const status = readStatus(o);
  batch.events.push({
    dedupKey: `status:${wamid}:${String(o.status)}:${String(o.timestamp)}`,
    kind: 'status',
    wamid,
    callbackData: status?.callbackData ?? null,
    payload: JSON.stringify(o),
    // Statuses we do not act on (e.g. a future kind) are kept for the record only.
    needsApply: status !== null,
  });
}

function addInbound(batch: ExtractedBatch, raw: unknown, isOptoutText: (text: string | null) => boolean): void {
  const message = readInbound(raw);
  if (!message) return;
  batch.counts.inbound++;
  batch.events.push({
    dedupKey: `msg:${message.id}`,
    kind: 'inbound',
    wamid: null,
    callbackData: null,
    payload: JSON.stringify(raw),
    // Decided here, with the receiver's keyword list, so a pending inbound event always means
    // "record an opt-out" and whoever applies it later needs no configuration.
    needsApply: isOptoutText(message.text),
  });
}

function addPreference(batch: ExtractedBatch, raw: unknown): void {
  const pref = readPreference(raw);
  if (!pref) return;
  batch.counts.preferences++;
  batch.events.push({
    // Keyed by wa_id first: applying one looks up the user's other preference events by prefix.
    dedupKey: `pref:${pref.waId}:${pref.category}:${String(asObj(raw)?.timestamp)}:${pref.value}`,
    kind: 'user_preference',
    wamid: null,
    callbackData: null,
    payload: JSON.stringify(raw),
    needsApply: isMarketingStopResume(pref),
  });
}
