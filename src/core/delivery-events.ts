// Webhook events as the domain sees them. src/webhook reads Meta's JSON and hands these to the
// journal; the journal stores them (with the raw JSON, for the record) and applies them with the
// rules in src/core/rules. Nothing outside src/webhook knows Meta's webhook format.
import type { ErrorClass } from './sender.js';

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusError {
  code: number | null;
  title: string;
  detail: string | null;
  errorClass: ErrorClass;
}

/** A message status: sent, delivered, read (played counts as read) or failed. */
export interface StatusEvent {
  kind: 'status';
  wamid: string;
  status: DeliveryStatus;
  /** The event's own time in ms; null when absent. */
  timestampMs: number | null;
  /** The E.164 forms of the user's wa_id, when Meta sent one (an async 131050 opts them out). */
  recipientPhones: string[];
  /** biz_opaque_callback_data: our recipient key. */
  callbackData: string | null;
  error: StatusError | null;
}

/** An inbound message whose text is an opt-out keyword: its sender opts out. */
export interface InboundOptoutEvent {
  kind: 'inbound_optout';
  /** The sender's E.164 forms (a wa_id can stand for more than one, see waIdToPhones). */
  phones: string[];
  text: string;
}

/** Meta's marketing stop/resume preference for one user. */
export interface PreferenceEvent {
  kind: 'preference';
  waId: string;
  phones: string[];
  value: 'stop' | 'resume';
  timestampMs: number | null;
  detail: string | null;
}

export type DeliveryEvent = StatusEvent | InboundOptoutEvent | PreferenceEvent;

/** One event of a webhook POST, ready to be stored. */
export interface NewWebhookEvent {
  /** Meta retries and fans out: the same event arrives more than once, and is stored once. */
  dedupKey: string;
  /** What to apply; null: kept for the record only (a status or message wa-send does not act on). */
  event: DeliveryEvent | null;
  /** The event object as received (JSON), for the record. */
  raw: string;
}

/** Reads an event stored before events were kept as domain events (journals from older versions). */
export type LegacyEventReader = (kind: string, raw: string) => DeliveryEvent | null;

/** An opt-out recorded (or, for a marketing resume, lifted) by applying events. */
export interface OptoutChange {
  phone: string;
  source: string;
  lifted?: true;
}

export interface ApplyResult {
  applied: number;
  /** Statuses still waiting for their send to be recorded. */
  waiting: number;
  /** Another sender's messages, or rows skipped on purpose. */
  ignored: number;
  optouts: OptoutChange[];
  /** Events that could not be applied because of an error; they stay pending (first few). */
  errors: string[];
}
