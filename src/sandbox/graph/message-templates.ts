// GET /{version}/{waba-id}/message_templates: the WABA's templates in Meta's shape, filtered by
// name (like Meta's reported behaviour, a partial match: callers keep the exact name themselves),
// language and status, in pages of `limit` with Graph cursors and a `next` URL.
import type { ResolvedOptions } from '../options.js';
import { knownTemplates } from '../templates/catalog.js';
import { parseFields, pick } from './fields.js';

export interface Reply {
  status: number;
  body: unknown;
  error?: { code: number; details: string };
}

const TEMPLATE_FIELDS = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'components',
  'parameter_format',
  'quality_score',
  'rejected_reason',
  'previous_category',
  'sub_category',
];
const DEFAULT_FIELDS = ['name', 'parameter_format', 'components', 'language', 'status', 'category'];
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

const cursor = (index: number) => Buffer.from(String(index)).toString('base64url');

/** `selfUrl` is this request's own URL (from its Host header), to build `paging.next`. */
export function listTemplates(o: ResolvedOptions, query: URLSearchParams, selfUrl: URL | null): Reply {
  const selection = parseFields(query, TEMPLATE_FIELDS, 'WhatsAppMessageTemplate');
  if (!selection.ok) return { status: 400, body: null, error: { code: 100, details: selection.details } };
  const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return { status: 400, body: null, error: { code: 100, details: `limit must be an integer from 1 to ${MAX_LIMIT}` } };
  }
  let start = 0;
  const after = query.get('after');
  if (after !== null) {
    const decoded = Buffer.from(after, 'base64url').toString();
    start = Number(decoded) + 1;
    if (!/^\d+$/.test(decoded) || !Number.isSafeInteger(start))
      return { status: 400, body: null, error: { code: 100, details: `invalid cursor "after": ${after}` } };
  }
  const name = query.get('name')?.toLowerCase();
  const language = query.get('language');
  const status = query.get('status')?.toUpperCase();
  const matching = knownTemplates(o).filter(
    (t) => (!name || t.name.includes(name)) && (!language || t.language === language) && (!status || t.status === status),
  );
  const page = matching.slice(start, start + limit);
  const data = page.map((t) => pick(t as unknown as Record<string, unknown>, selection.fields, DEFAULT_FIELDS));
  if (page.length === 0) return { status: 200, body: { data } };
  const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length - 1) } };
  if (start + page.length < matching.length && selfUrl) {
    const next = new URL(selfUrl);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', cursor(start + page.length - 1));
    paging.next = next.toString();
  }
  return { status: 200, body: { data, paging } };
}
