// The /messages request validator: the envelope (messaging_product, to, type, context,
// biz_opaque_callback_data) here, each message type in its own file. Hand-written rather than driven
// by Meta's OpenAPI file, whose Message schema rejects all 50 of Meta's own examples (spec/NOTES.md).
import { fail, isObj, keys, missing, type Obj, obj, onlyKeys, optStr, str } from './check.js';
import { validateInteractive } from './interactive.js';
import {
  MEDIA_TYPES,
  type MediaType,
  validateContacts,
  validateLocation,
  validateMedia,
  validateReaction,
  validateText,
} from './simple.js';
import { validateTemplate } from './template.js';

export { PayloadError } from './check.js';

export type Validated =
  | { kind: 'message'; type: string; to: string; key: string; callbackData: string | undefined }
  | { kind: 'read' };

const VALIDATORS: Record<string, (v: unknown) => void> = {
  text: validateText,
  template: validateTemplate,
  interactive: validateInteractive,
  location: validateLocation,
  contacts: validateContacts,
  reaction: validateReaction,
};
for (const m of MEDIA_TYPES) VALIDATORS[m] = (v) => validateMedia(m as MediaType, v, m);

const TYPE_NAMES = Object.keys(VALIDATORS);
const ENVELOPE_KEYS = keys(
  'messaging_product',
  'recipient_type',
  'to',
  'recipient',
  'type',
  'context',
  'biz_opaque_callback_data',
  ...TYPE_NAMES,
);
const READ_KEYS = keys('messaging_product', 'status', 'message_id', 'typing_indicator');

/** Checks a parsed request body; throws PayloadError (code + details) on the first problem. */
export function validateRequest(body: unknown): Validated {
  if (!isObj(body)) fail(100, `request body: must be a JSON object`);
  checkProduct(body.messaging_product);
  // The mark-as-read call shares the endpoint; it is the only body with a top-level `status`.
  if (body.status !== undefined) return validateRead(body);
  const type = messageType(body); // first, so an unknown type is named as such, not as an unknown key
  onlyKeys(body, ENVELOPE_KEYS, 'message');
  if (body[type] === undefined) missing(type);
  for (const name of TYPE_NAMES) {
    if (name !== type && body[name] !== undefined) fail(100, `${name}: not allowed in a message of type "${type}"`);
  }
  VALIDATORS[type]!(body[type]);
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
    fail(131009, `recipient_type: must be "individual" or "group" (got ${JSON.stringify(body.recipient_type)})`);
  }
  if (body.context !== undefined) str(obj(body.context, 'context').message_id, 'context.message_id');
  const callbackData = optStr(body.biz_opaque_callback_data, 'biz_opaque_callback_data', 512);
  const to = recipientOf(body);
  return { kind: 'message', type, to, key: callbackData || to, callbackData };
}

function checkProduct(v: unknown): void {
  if (str(v, 'messaging_product') !== 'whatsapp')
    fail(131009, `messaging_product: must be "whatsapp" (got ${JSON.stringify(v)})`);
}

/** `type` defaults to text; when it is absent, Meta's examples rely on the one type object present. */
function messageType(body: Obj): string {
  if (body.type === undefined) return TYPE_NAMES.find((n) => body[n] !== undefined) ?? 'text';
  const type = str(body.type, 'type');
  if (!(type in VALIDATORS)) fail(100, `type: unsupported message type "${type}" (supported: ${TYPE_NAMES.join(', ')})`);
  return type;
}

/** `to` (a phone number, optionally formatted) or, since 2026, `recipient` (a business-scoped user id). */
function recipientOf(body: Obj): string {
  if (body.to === undefined && body.recipient !== undefined) return str(body.recipient, 'recipient', 256);
  const to = str(body.to, 'to', 64);
  if (!/^\+?[\d\s().-]+$/.test(to) || !/\d/.test(to)) {
    fail(131009, `to: must be a phone number with country code, e.g. +15551230000 (got ${JSON.stringify(to)})`);
  }
  return to;
}

function validateRead(body: Obj): Validated {
  onlyKeys(body, READ_KEYS, 'mark-as-read');
  if (body.status !== 'read') fail(131009, `status: must be "read" (got ${JSON.stringify(body.status)})`);
  str(body.message_id, 'message_id', 256);
  if (body.typing_indicator !== undefined) {
    const ti = obj(body.typing_indicator, 'typing_indicator');
    if (str(ti.type, 'typing_indicator.type') !== 'text') fail(131009, 'typing_indicator.type: must be "text"');
  }
  return { kind: 'read' };
}
