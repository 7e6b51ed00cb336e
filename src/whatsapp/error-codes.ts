// The Cloud API error codes wa-send knows, with a short title (ours, not Meta's wording) and how a
// broadcast sender must treat each (FACTS §3). Logic keys on `code`, never on the HTTP status or
// the message text, which Meta is deprecating. The classes are explained in src/core/sender.ts.

import type { ErrorClass } from '../core/sender.js';

export type { ErrorClass };

export interface ErrorCodeInfo {
  title: string;
  class: ErrorClass;
}

export const ERROR_CODES: Readonly<Record<number, ErrorCodeInfo>> = {
  0: { title: 'Authentication failed (token expired or revoked)', class: 'halt' },
  1: { title: 'Invalid request or possible server error', class: 'retryable' },
  2: { title: 'Temporary downtime or overload', class: 'retryable' },
  3: { title: 'Capability or permission problem', class: 'halt' },
  4: { title: 'Too many API calls (app rate limit)', class: 'throttle' },
  10: { title: 'Permission not granted or removed', class: 'halt' },
  33: { title: 'Business phone number deleted', class: 'halt' },
  100: { title: 'Invalid parameter', class: 'payload' },
  190: { title: 'Access token expired', class: 'halt' },
  200: { title: 'Permission not granted or removed', class: 'halt' },
  368: { title: 'Account restricted for policy violations', class: 'halt' },
  80007: { title: 'WhatsApp Business Account rate limit reached', class: 'throttle' },
  130403: { title: 'Recipient blocked by the business', class: 'permanent' },
  130429: { title: 'Throughput limit reached', class: 'throttle' },
  130472: { title: 'Recipient held out by a marketing experiment', class: 'permanent' },
  130497: { title: 'Business may not message users in this country', class: 'permanent' },
  131000: { title: 'Unknown send failure', class: 'retryable' },
  131005: { title: 'Access denied', class: 'halt' },
  131008: { title: 'Required parameter missing', class: 'payload' },
  131009: { title: 'Parameter value invalid', class: 'payload' },
  131016: { title: 'Service temporarily unavailable', class: 'retryable' },
  131021: { title: 'Recipient is the sender', class: 'permanent' },
  131026: { title: 'Message undeliverable', class: 'permanent' },
  131031: { title: 'Business account locked', class: 'halt' },
  131037: { title: 'Display name not approved', class: 'halt' },
  131042: { title: 'Payment method problem', class: 'halt' },
  131045: { title: 'Phone number not registered correctly', class: 'halt' },
  131047: { title: 'Outside the 24-hour service window (send a template)', class: 'permanent' },
  131048: { title: 'Number restricted: flagged as spam', class: 'halt' },
  131049: { title: 'Not delivered to keep engagement healthy (retry after 24 h)', class: 'defer_24h' },
  131050: { title: 'Recipient stopped marketing messages', class: 'opted_out' },
  131051: { title: 'Unsupported message type', class: 'permanent' },
  131052: { title: 'Media download error', class: 'permanent' },
  131053: { title: 'Media upload error', class: 'payload' },
  131056: { title: 'Too many messages to this recipient (pair rate limit)', class: 'pair_rate' },
  131057: { title: 'Account in maintenance mode', class: 'maintenance' },
  131063: { title: 'Marketing messages disabled on Cloud API', class: 'halt' },
  131064: { title: 'Messaging limited for template violations', class: 'halt' },
  132000: { title: 'Template parameter count mismatch', class: 'payload' },
  132001: { title: 'Template does not exist in this language', class: 'halt' },
  132005: { title: 'Translated text too long', class: 'payload' },
  132007: { title: 'Template violates content policy', class: 'halt' },
  132012: { title: 'Template parameter format mismatch', class: 'payload' },
  132015: { title: 'Template paused for low quality', class: 'halt' },
  132016: { title: 'Template disabled', class: 'halt' },
  132068: { title: 'Flow blocked', class: 'halt' },
  132069: { title: 'Flow throttled', class: 'halt' },
  133000: { title: 'Incomplete deregistration', class: 'halt' },
  133004: { title: 'Server temporarily unavailable', class: 'retryable' },
  133010: { title: 'Phone number not registered', class: 'halt' },
  134011: { title: 'Payments terms not accepted', class: 'halt' },
  135000: { title: 'Generic user error', class: 'payload' },
};

/** 200–299 are all "permission" codes in the Graph API. */
export function errorCodeInfo(code: number): ErrorCodeInfo | undefined {
  const known = ERROR_CODES[code];
  if (known) return known;
  if (code >= 200 && code <= 299) return ERROR_CODES[200];
  return undefined;
}

export function errorTitle(code: number | null | undefined): string {
  if (code === null || code === undefined) return 'No error code';
  return errorCodeInfo(code)?.title ?? `Error ${code}`;
}

/**
 * HTTP status the Cloud API is reported to use for a code (FACTS §3, secondary sources). Only the
 * sandbox uses this; the client never trusts the status over the code.
 */
export function httpStatusFor(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 131031 || code === 131005) return 403;
  if (code === 131000 || code === 1 || code === 3) return 500;
  if (code === 2 || code === 131016 || code === 133004) return 503;
  return 400;
}
