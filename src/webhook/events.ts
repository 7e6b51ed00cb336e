// One webhook POST → the events to persist, as domain events (src/core/delivery-events.ts). Meta
// batches up to 1,000 updates per POST and mixes statuses for many messages, so every entry[] ×
// changes[] × (statuses|messages|user_preferences)[] is visited. Each event gets a dedup key: Meta
// retries and fans out, so duplicates are normal.
import type { DeliveryEvent, LegacyEventReader, NewWebhookEvent, PreferenceEvent } from '../core/delivery-events.js';
import {
  asList,
  asObj,
  type InboundMessage,
  isMarketingStopResume,
  type PreferenceUpdate,
  readInbound,
  readPreference,
  readStatus,
  waIdToPhones,
} from './wire.js';

export { DEFAULT_OPTOUT_KEYWORDS, foldKeyword, optoutMatcher } from './keywords.js';

export interface ExtractedBatch {
  events: NewWebhookEvent[];
  counts: { statuses: number; inbound: number; preferences: number };
  /** value.errors[]: account- or app-level problems Meta reports outside any message. */
  systemErrors: { code: unknown; title: unknown }[];
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
  // A status we do not act on (a future kind) is kept for the record only.
  batch.events.push({
    dedupKey: `status:${wamid}:${String(o.status)}:${String(o.timestamp)}`,
    event: readStatus(o),
    raw: JSON.stringify(o),
  });
}

function addInbound(batch: ExtractedBatch, raw: unknown, isOptoutText: (text: string | null) => boolean): void {
  const message = readInbound(raw);
  if (!message) return;
  batch.counts.inbound++;
  // Decided here, with the receiver's keyword list: a stored event to apply always means
  // "record an opt-out", and whoever applies it later needs no configuration.
  batch.events.push({
    dedupKey: `msg:${message.id}`,
    event: isOptoutText(message.text) ? inboundOptout(message) : null,
    raw: JSON.stringify(raw),
  });
}

function addPreference(batch: ExtractedBatch, raw: unknown): void {
  const pref = readPreference(raw);
  if (!pref) return;
  batch.counts.preferences++;
  batch.events.push({
    dedupKey: `pref:${pref.waId}:${pref.category}:${String(asObj(raw)?.timestamp)}:${pref.value}`,
    event: preferenceEvent(pref),
    raw: JSON.stringify(raw),
  });
}

function inboundOptout(m: InboundMessage): DeliveryEvent {
  return { kind: 'inbound_optout', phones: waIdToPhones(m.from), text: m.text ?? '' };
}

function preferenceEvent(p: PreferenceUpdate): PreferenceEvent | null {
  if (!isMarketingStopResume(p)) return null;
  return {
    kind: 'preference',
    waId: p.waId,
    phones: waIdToPhones(p.waId),
    value: p.value as 'stop' | 'resume',
    timestampMs: p.timestampMs,
    detail: p.detail,
  };
}

/**
 * Events stored by versions before domain events: kind + Meta's JSON. A pending inbound event was
 * stored only when its text was an opt-out keyword.
 */
export const readLegacyEvent: LegacyEventReader = (kind, raw) => {
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return null;
  }
  if (kind === 'status') return readStatus(payload);
  if (kind === 'inbound') {
    const m = readInbound(payload);
    return m ? inboundOptout(m) : null;
  }
  if (kind === 'user_preference') {
    const p = readPreference(payload);
    return p ? preferenceEvent(p) : null;
  }
  return null;
};
