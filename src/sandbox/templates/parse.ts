// Reads templates given to the sandbox (--templates file, POST /_sandbox/config, startSandbox) in
// Meta's GET message_templates shape, so a dump of a real account's templates can be used as is:
// keys Meta adds (example, quality_score, rejected_reason…) are kept, not refused. Every problem is
// reported at once, each with its path, so a hand-written file is fixed in one go.
import type { TemplateDefinition } from '../../core/template-check.js';
import { hash32 } from '../inject.js';

export const TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'LIMIT_EXCEEDED',
  'ARCHIVED',
] as const;
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];
const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'CATALOG', 'MPM', 'SPM', 'VOICE_CALL'];
const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/;

/** A template as given to the sandbox: Meta's shape, status optional (APPROVED), extra keys kept. */
export type TemplateInput = Omit<TemplateDefinition, 'status'> & { status?: string };

/** A status forced onto a known template: every language of `name`, or only `language`. */
export interface TemplateStatusOverride {
  name: string;
  language: string | null;
  status: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates and normalizes (status defaults to APPROVED, a stable id is made up); throws RangeError. */
export function parseTemplates(value: unknown, path = 'templates'): TemplateDefinition[] {
  if (!Array.isArray(value)) {
    throw new RangeError(
      `${path} must be a JSON array of templates in Meta's shape: [{"name", "language", "status", "category", "components": [...]}]`,
    );
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  const out = value.map((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(t)) {
      problems.push(`${p}: must be an object`);
      return null;
    }
    const name = check(problems, t.name, `${p}.name`, (v) => NAME.test(v), 'lower-case letters, digits and _');
    const language = check(problems, t.language, `${p}.language`, (v) => LANGUAGE.test(v), 'a language code like en_US or pt_BR');
    const status = upper(
      check(problems, t.status ?? 'APPROVED', `${p}.status`, (v) => inList(TEMPLATE_STATUSES, v), TEMPLATE_STATUSES.join('|')),
    );
    const category = upper(
      check(problems, t.category ?? 'UTILITY', `${p}.category`, (v) => inList(CATEGORIES, v), CATEGORIES.join('|')),
    );
    if (t.id !== undefined) check(problems, t.id, `${p}.id`, (v) => /^\d+$/.test(v), 'a string of digits');
    if (t.parameter_format !== undefined)
      check(problems, t.parameter_format, `${p}.parameter_format`, (v) => inList(['POSITIONAL', 'NAMED'], v), 'POSITIONAL|NAMED');
    const key = `${name}\u0000${language}`;
    if (name && language && seen.has(key)) problems.push(`${p}: ${name} (${language}) is listed twice`);
    seen.add(key);
    checkComponents(problems, t.components, `${p}.components`);
    const id = typeof t.id === 'string' ? t.id : `9${String(hash32(key)).padStart(15, '0')}`;
    return { ...t, name, language, status, category, id } as TemplateDefinition;
  });
  if (problems.length > 0)
    throw new RangeError(`${path}: ${problems.length === 1 ? '' : `${problems.length} problems: `}${problems.join('; ')}`);
  return out as TemplateDefinition[];
}

function checkComponents(problems: string[], value: unknown, path: string): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be an array of components (HEADER, BODY, FOOTER, BUTTONS)`);
    return;
  }
  const counts = new Map<string, number>();
  value.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(c)) return void problems.push(`${p}: must be an object`);
    const type = upper(
      check(
        problems,
        c.type,
        `${p}.type`,
        (v) => inList(['HEADER', 'BODY', 'FOOTER', 'BUTTONS'], v),
        'HEADER|BODY|FOOTER|BUTTONS',
      ),
    );
    counts.set(type, (counts.get(type) ?? 0) + 1);
    if (type === 'HEADER') {
      const format = upper(check(problems, c.format, `${p}.format`, (v) => inList(HEADER_FORMATS, v), HEADER_FORMATS.join('|')));
      if (format === 'TEXT') check(problems, c.text, `${p}.text`, () => true, 'the header text');
    } else if (type === 'BODY') {
      check(problems, c.text, `${p}.text`, () => true, 'the body text, with variables like {{1}}');
    } else if (type === 'BUTTONS') {
      checkButtons(problems, c.buttons, `${p}.buttons`);
    }
  });
  if (!counts.has('BODY')) problems.push(`${path}: needs a BODY component`);
  for (const [type, n] of counts)
    if (type && n > 1) problems.push(`${path}: has ${n} ${type} components; a template has at most one`);
}

function checkButtons(problems: string[], value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) {
    problems.push(`${path}: must be an array of 1 to 10 buttons`);
    return;
  }
  value.forEach((b, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(b)) return void problems.push(`${p}: must be an object`);
    const type = upper(check(problems, b.type, `${p}.type`, (v) => inList(BUTTON_TYPES, v), BUTTON_TYPES.join('|')));
    if (type === 'URL')
      check(
        problems,
        b.url,
        `${p}.url`,
        (v) => /^https?:\/\/\S+$/i.test(v),
        'an http(s) URL, e.g. https://example.com/track/{{1}}',
      );
  });
}

/** "NAME[:LANG]=STATUS" (the --template-status flag) or {name, language?, status}. */
export function parseTemplateStatus(value: unknown, path = 'template status'): TemplateStatusOverride {
  if (typeof value === 'string') {
    const m = /^\s*([a-z0-9_]+)(?::([A-Za-z_0-9]+))?\s*=\s*([A-Za-z_]+)\s*$/.exec(value);
    if (!m || !inList(TEMPLATE_STATUSES, m[3]!)) {
      throw new RangeError(
        `${path} must look like NAME[:LANG]=STATUS with STATUS one of ${TEMPLATE_STATUSES.join('|')}, e.g. order_update=PAUSED, got "${value}"`,
      );
    }
    return { name: m[1]!, language: m[2] ?? null, status: m[3]!.toUpperCase() };
  }
  if (!isObj(value)) throw new RangeError(`${path} must be "NAME[:LANG]=STATUS" or {"name", "language"?, "status"}`);
  const problems: string[] = [];
  const name = check(problems, value.name, `${path}.name`, (v) => NAME.test(v), 'a template name');
  const language =
    value.language === undefined || value.language === null
      ? null
      : check(problems, value.language, `${path}.language`, (v) => LANGUAGE.test(v), 'a language code like en_US');
  const status = upper(
    check(problems, value.status, `${path}.status`, (v) => inList(TEMPLATE_STATUSES, v), TEMPLATE_STATUSES.join('|')),
  );
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return { name, language, status };
}

/** A non-empty string passing `ok`, else a problem naming what was expected; '' when wrong. */
function check(problems: string[], v: unknown, path: string, ok: (v: string) => boolean, want: string): string {
  if (typeof v !== 'string' || v === '') {
    problems.push(`${path}: ${v === undefined ? 'required' : `must be a string`} (${want})`);
    return '';
  }
  if (!ok(v)) problems.push(`${path}: must be ${want}, got ${JSON.stringify(v)}`);
  return v;
}

const inList = (list: readonly string[], v: string) => list.includes(v.toUpperCase());
const upper = (v: string) => v.toUpperCase();
