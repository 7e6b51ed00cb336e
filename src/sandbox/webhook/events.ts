// The status events one accepted message produces (FACTS §5): `sent`, then `delivered` or `failed`,
// then maybe `read`. Which path a message takes is a hash of (seed, phone digits), like failure
// injection, so a test can predict it; reactions only ever get `sent`, as on the real API.
import { errorTitle } from '../../whatsapp/error-codes.js';
import { hash32, unit } from '../inject.js';
import type { ResolvedOptions } from '../options.js';

export type Status = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  status: Status;
  phoneNumberId: string;
  /** One element of value.statuses[]. */
  item: Record<string, unknown>;
}

export interface AcceptedMessage {
  wamid: string;
  recipientId: string;
  callbackData: string | undefined;
  phoneNumberId: string;
  /** e.g. "v23.0": v24+ status webhooks omit `conversation`. */
  apiVersion: string;
  type: string;
}

const ERROR_HREF = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes';

/** The path a message takes, as the receiver will see it. */
export function plannedStatuses(o: ResolvedOptions, digits: string, type = 'text'): Status[] {
  if (type === 'reaction') return ['sent'];
  const fate = unit(o.seed, digits, 'webhook-fate');
  if (fate < o.asyncFailFraction) return ['sent', 'failed'];
  const deliver = o.deliverFraction ?? 1 - o.asyncFailFraction;
  if (fate >= o.asyncFailFraction + deliver) return ['sent'];
  return unit(o.seed, digits, 'webhook-read') < o.readFraction ? ['sent', 'delivered', 'read'] : ['sent', 'delivered'];
}

export function statusEvents(m: AcceptedMessage, o: ResolvedOptions): StatusEvent[] {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return plannedStatuses(o, m.recipientId, m.type).map((status) => {
    const item: Record<string, unknown> = { id: m.wamid, status, timestamp, recipient_id: m.recipientId };
    if (m.callbackData !== undefined) item.biz_opaque_callback_data = m.callbackData;
    if (status === 'sent') addBilling(item, m, Number(timestamp));
    if (status === 'failed') {
      const code = o.asyncFailCode;
      item.errors = [
        {
          code,
          title: errorTitle(code),
          message: errorTitle(code),
          error_data: { details: `sandbox: simulated asynchronous failure (${code})` },
          href: ERROR_HREF,
        },
      ];
    }
    return { status, phoneNumberId: m.phoneNumberId, item };
  });
}

/** Pricing (and, up to v23, conversation) ride on `sent`; failed statuses carry neither. */
function addBilling(item: Record<string, unknown>, m: AcceptedMessage, now: number): void {
  const template = m.type === 'template';
  const category = template ? 'marketing' : 'service';
  if (Number(/^v(\d+)/.exec(m.apiVersion)?.[1] ?? 23) < 24) {
    item.conversation = {
      id: hash32(m.wamid).toString(16).padStart(8, '0') + hash32(`${m.wamid}#`).toString(16).padStart(8, '0'),
      expiration_timestamp: String(now + 86_400),
      origin: { type: category },
    };
  }
  item.pricing = {
    billable: template,
    pricing_model: 'PMP',
    type: template ? 'regular' : 'free_customer_service',
    category,
  };
}
