// Which templates the sandbox knows, and whether it checks template sends against them.
// The rule: only when templates were given explicitly (templates, or any template status) does
// /messages refuse a template it does not know or whose parameters do not fit. Without them every
// template name is accepted, as before, so tests and demos that send arbitrary names keep working.
import { checkTemplateMessage, selectTemplate, type TemplateDefinition } from '../../core/template-check.js';
import type { ResolvedOptions } from '../options.js';
import { DEFAULT_TEMPLATES } from './defaults.js';
import { parseTemplateStatus, parseTemplates } from './parse.js';

export function checksTemplates(o: ResolvedOptions): boolean {
  return o.templates !== null || o.templateStatuses.length > 0;
}

// Options objects are replaced, never mutated, on every configure(): one catalog per options object.
const cache = new WeakMap<ResolvedOptions, TemplateDefinition[]>();

/** The defaults, then the given templates (replacing a default of the same name and language), then the status overrides. */
export function knownTemplates(o: ResolvedOptions): TemplateDefinition[] {
  const hit = cache.get(o);
  if (hit) return hit;
  const byKey = new Map<string, TemplateDefinition>();
  for (const t of [...DEFAULT_TEMPLATES, ...(o.templates ?? [])]) byKey.set(`${t.name}\u0000${t.language}`, t);
  const list = [...byKey.values()].map((t) => {
    const override = o.templateStatuses.findLast((s) => s.name === t.name && (s.language === null || s.language === t.language));
    return override ? { ...t, status: override.status } : t;
  });
  cache.set(o, list);
  return list;
}

/**
 * Part of applyPatch: templates validated and completed, status strings parsed, and every status
 * override naming a template the sandbox knows (a typo would otherwise change nothing, silently).
 */
export function normalizeTemplateOptions(o: ResolvedOptions): void {
  if (o.templates !== null) o.templates = parseTemplates(o.templates);
  if (!Array.isArray(o.templateStatuses))
    throw new RangeError('templateStatuses must be an array of "NAME[:LANG]=STATUS" or {name, language, status}');
  o.templateStatuses = o.templateStatuses.map((v, i) => parseTemplateStatus(v, `templateStatuses[${i}]`));
  const list = knownTemplates(o);
  const unknown = o.templateStatuses
    .filter((s) => !list.some((t) => t.name === s.name && (s.language === null || s.language === t.language)))
    .map((s) => (s.language === null ? s.name : `${s.name}:${s.language}`));
  if (unknown.length > 0) {
    throw new RangeError(
      `template status given for a template the sandbox does not know: ${unknown.join(', ')} (add it with templates / --templates)`,
    );
  }
}

/**
 * The error /messages answers for a template message, or null to go on. Unknown name or
 * language → 132001; PAUSED 132015; DISABLED 132016; parameter counts 132000 (first problem wins).
 */
export function templateRejection(o: ResolvedOptions, message: unknown): { code: number; details: string } | null {
  if (!checksTemplates(o)) return null;
  const template = (message as { template?: { name?: unknown; language?: { code?: unknown } } }).template;
  const name = String(template?.name);
  const language = String(template?.language?.code);
  const chosen = selectTemplate(knownTemplates(o), name, language);
  if (!chosen.ok) {
    return {
      code: 132001,
      details: `template name (${name}) does not exist in ${language} (sandbox: it knows ${describe(knownTemplates(o))})`,
    };
  }
  const problem = checkTemplateMessage(chosen.template, message as Record<string, unknown>, {
    sender: 'the request',
    apiSuffix: false,
  })[0];
  return problem && problem.code !== null ? { code: problem.code, details: problem.message } : null;
}

function describe(list: TemplateDefinition[]): string {
  return list.map((t) => `${t.name} (${t.language})`).join(', ');
}
