// The request body for one recipient: the frozen message with its placeholders filled, the Cloud
// API envelope, and the recipient key as biz_opaque_callback_data so status webhooks can find the
// row even when its wamid was never recorded (DESIGN §4).
import { renderValue } from '../core/placeholders.js';
import type { MessageSpec } from '../core/types.js';

export function buildRequestBody(
  spec: MessageSpec,
  phone: string,
  vars: Record<string, string>,
  callbackData: string,
): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: phone, // always with '+': without it Meta prepends the business number's country code
    ...renderValue(spec.message, vars),
    biz_opaque_callback_data: callbackData,
  };
}
