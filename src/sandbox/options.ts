// Sandbox options: the public shape, the defaults, and one place that checks values, shared by
// startSandbox(), configure() and POST /_sandbox/config so all three accept and reject the same things.
import type { TemplateDefinition } from '../core/template-check.js';
import { checkNumberOptions, type MessagingLimitTier, type QualityRating, type ThroughputLevel } from './graph/phone-number.js';
import { normalizeTemplateOptions } from './templates/catalog.js';
import type { TemplateInput, TemplateStatusOverride } from './templates/parse.js';

export type { MessagingLimitTier, QualityRating, ThroughputLevel } from './graph/phone-number.js';
export type { TemplateInput, TemplateStatusOverride } from './templates/parse.js';

export interface FailureRule {
  code: number;
  fraction: number;
}

export interface SandboxOptions {
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  latencyMs?: number;
  /** Uniform ± around latencyMs. */
  jitterMs?: number;
  /** Synchronous failures; recipients are chosen by a hash of (seed, phone digits, code). */
  failures?: FailureRule[];
  seed?: string;
  /** Requests per sliding second above which the sandbox answers 130429; null = unlimited. */
  mps?: number | null;
  /** When set, any other Bearer token gets 190 / HTTP 401. */
  token?: string | null;
  webhookUrl?: string | null;
  appSecret?: string | null;
  readFraction?: number;
  /** Default: 1 − asyncFailFraction (every message that does not fail asynchronously is delivered). */
  deliverFraction?: number | null;
  asyncFailFraction?: number;
  asyncFailCode?: number;
  webhookDisorder?: number;
  webhookDuplicates?: number;
  /** Most statuses in one webhook POST (Meta: up to 1,000). */
  webhookBatchSize?: number;
  /** How long statuses wait for company before a POST goes out. */
  webhookFlushMs?: number;
  /** close() gives pending webhooks at most this long, then drops them. */
  webhookCloseMs?: number;
  /** Ids echoed in webhook envelopes (fake but shaped like Meta's). */
  wabaId?: string;
  displayPhoneNumber?: string;
  /** The phone number node (GET /{version}/{phone-number-id}), for preflight checks. */
  quality?: QualityRating;
  messagingLimit?: MessagingLimitTier;
  throughput?: ThroughputLevel;
  verifiedName?: string;
  /**
   * Templates known besides hello_world and order_update, in Meta's GET message_templates shape.
   * null (the default) and no templateStatuses: /messages accepts any template name. Given either,
   * it answers 132001/132015/132016/132000 like the API (see templates/catalog.ts).
   */
  templates?: TemplateInput[] | null;
  /** Statuses forced onto known templates (all languages, or one); "NAME[:LANG]=STATUS" strings accepted. */
  templateStatuses?: (TemplateStatusOverride | string)[];
}

/** Templates and statuses come out of applyPatch normalized (status filled in, strings parsed). */
export type ResolvedOptions = Required<Omit<SandboxOptions, 'templates' | 'templateStatuses'>> & {
  templates: TemplateDefinition[] | null;
  templateStatuses: TemplateStatusOverride[];
};

export const DEFAULTS: ResolvedOptions = {
  host: '127.0.0.1',
  port: 0,
  latencyMs: 0,
  jitterMs: 0,
  failures: [],
  seed: 'sandbox',
  mps: null,
  token: null,
  webhookUrl: null,
  appSecret: null,
  readFraction: 0.5,
  deliverFraction: null,
  asyncFailFraction: 0,
  asyncFailCode: 131026,
  webhookDisorder: 0.1,
  webhookDuplicates: 0.05,
  webhookBatchSize: 100,
  webhookFlushMs: 25,
  webhookCloseMs: 2000,
  wabaId: '100000000000001',
  displayPhoneNumber: '15550000000',
  quality: 'GREEN',
  messagingLimit: 'TIER_UNLIMITED',
  throughput: 'STANDARD',
  verifiedName: 'wa-send sandbox',
  templates: null,
  templateStatuses: [],
};

const FRACTIONS = ['readFraction', 'asyncFailFraction', 'webhookDisorder', 'webhookDuplicates'] as const;
const NON_NEGATIVE = ['latencyMs', 'jitterMs', 'webhookFlushMs', 'webhookCloseMs', 'port'] as const;

/** Merges a patch over the current options; throws RangeError naming the first bad value. */
export function applyPatch(current: ResolvedOptions, patch: Partial<SandboxOptions>): ResolvedOptions {
  const next = { ...current } as Record<string, unknown>;
  // undefined means "not given" (a spread would overwrite defaults with it).
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) next[k] = v;
  const o = next as ResolvedOptions;
  for (const k of NON_NEGATIVE) if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`${k} must be a number ≥ 0`);
  for (const k of FRACTIONS) checkFraction(k, o[k]);
  if (o.deliverFraction !== null) checkFraction('deliverFraction', o.deliverFraction);
  if (o.mps !== null && !(Number.isFinite(o.mps) && o.mps > 0)) throw new RangeError('mps must be a number > 0 or null');
  if (!Number.isInteger(o.asyncFailCode)) throw new RangeError('asyncFailCode must be an integer');
  if (!(Number.isInteger(o.webhookBatchSize) && o.webhookBatchSize >= 1))
    throw new RangeError('webhookBatchSize must be an integer ≥ 1');
  if (typeof o.seed !== 'string') throw new RangeError('seed must be a string');
  if (o.token !== null && (typeof o.token !== 'string' || o.token === ''))
    throw new RangeError('token must be a non-empty string or null');
  if (o.webhookUrl !== null && !/^https?:\/\/\S+$/i.test(String(o.webhookUrl)))
    throw new RangeError('webhookUrl must be an http(s) URL');
  if (!Array.isArray(o.failures)) throw new RangeError('failures must be an array of {code, fraction}');
  o.failures = o.failures.map((f, i) => {
    if (!f || !Number.isInteger(f.code)) throw new RangeError(`failures[${i}].code must be an integer`);
    checkFraction(`failures[${i}].fraction`, f.fraction);
    return { code: f.code, fraction: f.fraction };
  });
  checkNumberOptions(o);
  normalizeTemplateOptions(o);
  return o;
}

/** How long to hold an answer: latencyMs ± a uniform jitter. */
export function answerDelay(o: ResolvedOptions): number {
  return o.latencyMs + (o.jitterMs > 0 ? (Math.random() * 2 - 1) * o.jitterMs : 0);
}

function checkFraction(name: string, v: unknown): void {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw new RangeError(`${name} must be a number between 0 and 1`);
}

// POST /_sandbox/config speaks snake_case like the rest of the wire format.
const CONFIG_KEYS: Record<string, keyof SandboxOptions> = {
  latency_ms: 'latencyMs',
  jitter_ms: 'jitterMs',
  failures: 'failures',
  mps: 'mps',
  seed: 'seed',
  token: 'token',
  read_fraction: 'readFraction',
  deliver_fraction: 'deliverFraction',
  async_fail_fraction: 'asyncFailFraction',
  async_fail_code: 'asyncFailCode',
  webhook_disorder: 'webhookDisorder',
  webhook_duplicates: 'webhookDuplicates',
  webhook_url: 'webhookUrl',
  webhook_batch_size: 'webhookBatchSize',
  webhook_flush_ms: 'webhookFlushMs',
  quality: 'quality',
  messaging_limit: 'messagingLimit',
  throughput: 'throughput',
  verified_name: 'verifiedName',
  templates: 'templates',
  template_statuses: 'templateStatuses',
};

/** Turns a config request body into a patch; throws RangeError on unknown keys. */
export function patchFromJson(body: unknown): Partial<SandboxOptions> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RangeError('config body must be a JSON object');
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const key = CONFIG_KEYS[k];
    if (!key) throw new RangeError(`unknown config key "${k}" (known: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    patch[key] = v;
  }
  return patch as Partial<SandboxOptions>;
}
