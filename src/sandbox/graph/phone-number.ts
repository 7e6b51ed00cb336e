// GET /{version}/{phone-number-id}: the phone number node a preflight reads (quality, throughput,
// messaging limit). Field names and values follow Meta's PhoneNumberInfo (OpenAPI v23.0) and the
// throughput and messaging-limit pages (FACTS §4). The sandbox answers for any id, as /messages does.
import type { ResolvedOptions } from '../options.js';

export const QUALITY_RATINGS = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const;
export type QualityRating = (typeof QUALITY_RATINGS)[number];

/** TIER_50/TIER_1K are the older per-number levels; current portfolios have 250 → 2K → 10K → 100K → unlimited. */
export const MESSAGING_LIMIT_TIERS = [
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
] as const;
export type MessagingLimitTier = (typeof MESSAGING_LIMIT_TIERS)[number];

export const THROUGHPUT_LEVELS = ['STANDARD', 'HIGH'] as const;
export type ThroughputLevel = (typeof THROUGHPUT_LEVELS)[number];

/** Without ?fields=, Graph returns only these (OpenAPI getPhoneNumberById). */
export const DEFAULT_NUMBER_FIELDS = ['display_phone_number', 'verified_name', 'quality_rating'];

/** Every field the sandbox can answer for a phone number node, id included. */
export function phoneNumberNode(o: ResolvedOptions, id: string): Record<string, unknown> {
  return {
    id,
    display_phone_number: formatDisplayNumber(o.displayPhoneNumber),
    verified_name: o.verifiedName,
    quality_rating: o.quality,
    throughput: { level: o.throughput },
    whatsapp_business_manager_messaging_limit: o.messagingLimit,
    // Deprecated by Meta in favour of the field above; still answered for older clients.
    messaging_limit_tier: o.messagingLimit,
    name_status: 'APPROVED',
    code_verification_status: 'VERIFIED',
    status: 'CONNECTED',
    platform_type: 'CLOUD_API',
    account_mode: 'LIVE',
    is_official_business_account: false,
  };
}

/** Meta shows numbers as "+1 555-555-5555"; the webhook metadata keeps the bare digits. */
function formatDisplayNumber(digits: string): string {
  const d = digits.replace(/\D+/g, '');
  const nanp = /^1(\d{3})(\d{3})(\d{4})$/.exec(d);
  return nanp ? `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}` : `+${d}`;
}

/** Part of applyPatch: the number's options are one of the values Meta uses. */
export function checkNumberOptions(o: ResolvedOptions): void {
  const oneOf = (name: string, v: unknown, list: readonly string[]) => {
    if (!list.includes(v as string)) throw new RangeError(`${name} must be one of ${list.join(', ')} (got ${JSON.stringify(v)})`);
  };
  oneOf('quality', o.quality, QUALITY_RATINGS);
  oneOf('messagingLimit', o.messagingLimit, MESSAGING_LIMIT_TIERS);
  oneOf('throughput', o.throughput, THROUGHPUT_LEVELS);
  if (typeof o.verifiedName !== 'string' || o.verifiedName === '')
    throw new RangeError('verifiedName must be a non-empty string');
}
