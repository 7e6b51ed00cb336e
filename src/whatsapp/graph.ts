// Graph API reads for the preflight ("doctor"): the sending number's health and a template's
// translations. Both return values, never throw for an API or network failure, and never carry the
// token in any string (redactDeep over the whole result; see redact.ts).
import type { TemplateDefinition } from '../core/template-check.js';
import { type GraphFailure, type GraphSession, withGraphSession } from './graph-request.js';
import { redactDeep, tokenRedactor } from './redact.js';

export type { GraphErrorKind, GraphFailure } from './graph-request.js';

export interface GraphTarget {
  /** e.g. https://graph.facebook.com, or a sandbox/proxy URL with a path prefix. */
  apiUrl: string;
  apiVersion: string;
  token: string;
  /** Connect, headers and body timeouts, and the deadline of each request. */
  timeoutMs: number;
}

export interface PhoneNumberInfo {
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  /** GREEN, YELLOW, RED, or UNKNOWN/NA for a number not rated yet. */
  qualityRating: string | null;
  /** STANDARD (80 msg/s), HIGH (up to 1,000 msg/s)… */
  throughputLevel: string | null;
  /** e.g. TIER_2K. */
  messagingLimitTier: string | null;
  /** Unique users per 24 h outside service windows: 250, 2000, …; null for unlimited or unknown. */
  messagingLimit: number | null;
}

const NUMBER_FIELDS = 'display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit';
const TEMPLATE_FIELDS = 'name,language,status,category,id,parameter_format,components';
/** One page holds every translation of a name in practice; a few more cover a long name filter match. */
const MAX_PAGES = 5;

export async function fetchPhoneNumberInfo(
  opts: GraphTarget & { phoneNumberId: string },
): Promise<{ ok: true; info: PhoneNumberInfo } | GraphFailure> {
  const url = graphUrl(opts, [opts.phoneNumberId], { fields: NUMBER_FIELDS });
  if (!(url instanceof URL)) return url;
  const result = await withGraphSession(opts.token, opts.timeoutMs, (s) => s.get(url, `phone number ${opts.phoneNumberId}`));
  if (!result.ok) return redactDeep(result, tokenRedactor(opts.token));
  const j = result.json;
  const tier = str(j.whatsapp_business_manager_messaging_limit);
  const info: PhoneNumberInfo = {
    displayPhoneNumber: str(j.display_phone_number),
    verifiedName: str(j.verified_name),
    qualityRating: str(j.quality_rating),
    throughputLevel: str((j.throughput as { level?: unknown } | undefined)?.level),
    messagingLimitTier: tier,
    messagingLimit: messagingLimitOf(tier),
  };
  return redactDeep({ ok: true, info }, tokenRedactor(opts.token));
}

/** "TIER_2K" → 2000, "TIER_250" → 250; null for TIER_UNLIMITED and anything unrecognised. */
export function messagingLimitOf(tier: string | null): number | null {
  const m = tier === null ? null : /^TIER_(\d+)(K?)$/i.exec(tier);
  return m ? Number(m[1]) * (m[2] ? 1000 : 1) : null;
}

/**
 * Every translation of the template `name` on the WABA. Meta's name filter may match more than the
 * exact name, so only exact matches are kept. paging.next is followed only on the API's own origin
 * (the token goes with each request) and for at most MAX_PAGES pages.
 */
export async function fetchTemplates(
  opts: GraphTarget & { wabaId: string; name: string },
): Promise<{ ok: true; templates: TemplateDefinition[] } | GraphFailure> {
  const first = graphUrl(opts, [opts.wabaId, 'message_templates'], { name: opts.name, fields: TEMPLATE_FIELDS, limit: '100' });
  if (!(first instanceof URL)) return first;
  const result = await withGraphSession(opts.token, opts.timeoutMs, (s) =>
    readPages(s, first, `the templates of WhatsApp Business Account ${opts.wabaId}`),
  );
  if (!result.ok) return redactDeep(result, tokenRedactor(opts.token));
  const templates = result.items.map(toTemplate).filter((t): t is TemplateDefinition => t !== null && t.name === opts.name);
  return redactDeep({ ok: true, templates }, tokenRedactor(opts.token));
}

async function readPages(s: GraphSession, first: URL, what: string): Promise<{ ok: true; items: unknown[] } | GraphFailure> {
  const items: unknown[] = [];
  let url: URL | null = first;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const answer = await s.get(url, what);
    if (!answer.ok) return answer;
    if (Array.isArray(answer.json.data)) items.push(...answer.json.data);
    const next = str((answer.json.paging as { next?: unknown } | undefined)?.next);
    url = next !== null && URL.canParse(next) && new URL(next).origin === first.origin ? new URL(next) : null;
  }
  return { ok: true, items };
}

function toTemplate(v: unknown): TemplateDefinition | null {
  const t = v as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || typeof t.language !== 'string') return null;
  const components = Array.isArray(t.components)
    ? t.components.filter(
        (c): c is TemplateDefinition['components'][number] =>
          typeof c === 'object' && c !== null && typeof (c as { type?: unknown }).type === 'string',
      )
    : [];
  return {
    name: t.name,
    language: t.language,
    status: str(t.status) ?? 'UNKNOWN',
    ...(str(t.category) !== null ? { category: str(t.category)! } : {}),
    ...(str(t.id) !== null ? { id: str(t.id)! } : {}),
    ...(str(t.parameter_format) !== null ? { parameter_format: str(t.parameter_format)! } : {}),
    components,
  };
}

/** {apiUrl}{path prefix}/{version}/{segments…}?query, or the failure that explains a bad input. */
function graphUrl(opts: GraphTarget, segments: string[], query: Record<string, string>): URL | GraphFailure {
  const bad = (message: string): GraphFailure => ({ ok: false, kind: 'error', code: null, httpStatus: null, message });
  if (!URL.canParse(opts.apiUrl)) return bad('the API URL is not a URL');
  const base = new URL(opts.apiUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return bad(`the API URL must be http(s), got ${base.protocol}`);
  // undici refuses such a header; say so once, without echoing the token.
  if (opts.token === '' || /[\r\n\0]/.test(opts.token)) return bad('the access token is empty or contains a line break');
  if (segments.some((s) => s.trim() === '')) return bad('an id is empty');
  const prefix = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${prefix}/${[opts.apiVersion, ...segments].map(encodeURIComponent).join('/')}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
