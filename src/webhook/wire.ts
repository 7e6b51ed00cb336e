// Readers for single webhook objects (FACTS §5): a status, an inbound message, a user preference.
// Tolerant by design: fields Meta adds or drops between versions (conversation, pricing, BSUIDs)
// are ignored, and anything we cannot use reads as null rather than throwing.
import type { StatusError, StatusEvent } from '../core/delivery-events.js';
import { mexicanLegacyMobile } from '../core/phone.js';
import { errorCodeInfo, errorTitle } from '../whatsapp/error-codes.js';

/** The only preference category wa-send acts on: broadcasts are (mostly) marketing templates. */
export const MARKETING_CATEGORY = 'marketing_messages';

export interface InboundMessage {
  id: string;
  from: string;
  type: string;
  text: string | null;
}

export interface PreferenceUpdate {
  waId: string;
  category: string;
  value: string;
  timestampMs: number | null;
  detail: string | null;
}

/** The only preference events wa-send acts on: a marketing stop or resume. */
export const isMarketingStopResume = (p: PreferenceUpdate): boolean =>
  p.category === MARKETING_CATEGORY && (p.value === 'stop' || p.value === 'resume');

type Obj = Record<string, unknown>;
export const asObj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

export function unixToMs(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n * 1000 : null;
}

export function readStatus(raw: unknown): StatusEvent | null {
  const o = asObj(raw);
  const wamid = str(o?.id);
  let status = str(o?.status);
  // `played` (first play of a voice message) can only follow a read: it implies read.
  if (status === 'played') status = 'read';
  if (!o || !wamid || (status !== 'sent' && status !== 'delivered' && status !== 'read' && status !== 'failed')) return null;
  const recipientId = str(o.recipient_id);
  return {
    kind: 'status',
    wamid,
    status,
    timestampMs: unixToMs(o.timestamp),
    recipientPhones: recipientId === null ? [] : waIdToPhones(recipientId),
    callbackData: str(o.biz_opaque_callback_data),
    error: status === 'failed' ? readError(asList(o.errors)[0]) : null,
  };
}

/** Titles are ours for codes we know, like the send engine's, so `status` groups sync and async errors together. */
function readError(raw: unknown): StatusError {
  const e = asObj(raw);
  const code = typeof e?.code === 'number' && Number.isInteger(e.code) ? e.code : null;
  const known = code === null ? undefined : errorCodeInfo(code);
  return {
    code,
    title: known?.title ?? str(e?.title) ?? errorTitle(code),
    detail: str(asObj(e?.error_data)?.details) ?? str(e?.message),
    errorClass: known?.class ?? 'permanent',
  };
}

export function readInbound(raw: unknown): InboundMessage | null {
  const o = asObj(raw);
  const id = str(o?.id);
  const from = str(o?.from);
  if (!o || !id || !from) return null;
  const type = str(o.type) ?? 'unknown';
  // A template's quick-reply tap arrives as type "button"; its label is what the user chose to say.
  const text = type === 'text' ? str(asObj(o.text)?.body) : type === 'button' ? str(asObj(o.button)?.text) : null;
  return { id, from, type, text };
}

export function readPreference(raw: unknown): PreferenceUpdate | null {
  const o = asObj(raw);
  const waId = str(o?.wa_id);
  const category = str(o?.category);
  const value = str(o?.value);
  if (!o || !waId || !category || !value) return null;
  return { waId, category, value, timestampMs: unixToMs(o.timestamp), detail: str(o.detail) };
}

/**
 * E.164 forms of a wa_id (digits without '+'). WhatsApp keeps legacy forms for two countries:
 * Mexican mobiles as 521 + 10 digits (E.164 drops the 1) and older Brazilian mobiles without the
 * ninth digit. Opt-outs record every form, so suppression errs on the side of not messaging.
 * A BSUID (no digits-only wa_id) yields nothing.
 */
export function waIdToPhones(waId: string): string[] {
  const digits = waId.trim().replace(/^\+/, '');
  if (!/^\d{6,15}$/.test(digits)) return [];
  const phones = [`+${digits}`];
  const mx = mexicanLegacyMobile(digits);
  if (mx) phones.push(mx);
  const br = /^55(\d{2})([6-9]\d{7})$/.exec(digits);
  if (br) phones.push(`+55${br[1]}9${br[2]}`);
  return phones;
}
