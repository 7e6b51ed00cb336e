// Checks a template message against the template Meta has on file, before anything is sent: a
// status other than APPROVED, or parameters that do not fit the template's variables, make the API
// refuse every recipient (132001/132015/132016 halt a run; 132000/132012 fail the first rows, then
// halt it). Catching them here turns a halted broadcast into one sentence before planning.
// Pure: the template (Meta's GET message_templates shape) and the message come in as values.

/** One template translation as GET /{waba-id}/message_templates returns it (fields wa-send reads). */
export interface TemplateDefinition {
  name: string;
  language: string;
  status: string;
  category?: string;
  id?: string;
  /** POSITIONAL ({{1}}) or NAMED ({{first_name}}); Meta omits it on older templates. */
  parameter_format?: string;
  components: TemplateComponentDef[];
}

export interface TemplateComponentDef {
  type: string; // HEADER, BODY, FOOTER, BUTTONS
  format?: string; // HEADER: TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION
  text?: string;
  buttons?: TemplateButtonDef[];
}

export interface TemplateButtonDef {
  type: string; // QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, …
  text?: string;
  url?: string;
}

export interface TemplateProblem {
  /** The Cloud API error code the API would answer with, null when none applies. */
  code: number | null;
  message: string;
}

export interface CheckOptions {
  /** Who sends the parameters, for the sentence: "the command" (default) or e.g. "the request". */
  sender?: string;
  /** Append " — the API would answer <code>" (default true). */
  apiSuffix?: boolean;
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct variables ({{1}}, {{first_name}}) in a template text, in order of appearance. */
export function templateVariables(text: string | undefined): string[] {
  return text ? [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))] : [];
}

export function templateLabel(t: { name: string; language: string }): string {
  return `template ${t.name} (${t.language})`;
}

const STATUS_PROBLEMS: Record<string, [number, string]> = {
  PAUSED: [132015, 'is PAUSED (Meta paused it for low quality; it can be sent again once it is unpaused)'],
  DISABLED: [132016, 'is DISABLED (permanently, for low quality; create a new template)'],
  REJECTED: [132001, 'was REJECTED in review and cannot be sent'],
  PENDING: [132001, 'is PENDING review and cannot be sent yet'],
};

/** The template with this name in this language, or the problem sending it would meet. */
export function selectTemplate(
  templates: readonly TemplateDefinition[],
  name: string,
  language: string,
): { ok: true; template: TemplateDefinition } | { ok: false; problem: TemplateProblem } {
  const named = templates.filter((t) => t.name === name);
  const exact = named.find((t) => t.language === language);
  if (exact) return { ok: true, template: exact };
  const message =
    named.length === 0
      ? `there is no template named ${name} on this WhatsApp Business Account — the API would answer 132001`
      : `template ${name} has no ${language} translation (it has: ${named.map((t) => t.language).join(', ')}) — the API would answer 132001`;
  return { ok: false, problem: { code: 132001, message } };
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Every problem the API would find with `message` (a Cloud API template message, with or without
 * the envelope) against `template`, one sentence each; empty when it would be accepted.
 */
export function checkTemplateMessage(template: TemplateDefinition, message: Obj, opts: CheckOptions = {}): TemplateProblem[] {
  const sender = opts.sender ?? 'the command';
  const label = templateLabel(template);
  const problems: TemplateProblem[] = [];
  const add = (code: number, text: string) =>
    problems.push({ code, message: opts.apiSuffix === false ? text : `${text} — the API would answer ${code}` });

  const status = template.status.toUpperCase();
  if (status !== 'APPROVED') {
    const [code, why] = STATUS_PROBLEMS[status] ?? [132001, `has status ${status}, not APPROVED, and cannot be sent`];
    add(code, `${label} ${why}`);
  }
  const sent = asList(asObj(asObj(message)?.template)?.components)
    .map(asObj)
    .filter((c): c is Obj => c !== undefined);
  const sentOf = (type: string) => sent.filter((c) => String(c.type).toLowerCase() === type);
  const defOf = (type: string) => template.components.find((c) => c.type.toUpperCase() === type);

  checkBody(defOf('BODY'), sentOf('body'), template, label, sender, add);
  checkHeader(defOf('HEADER'), sentOf('header'), label, sender, add);
  checkButtons(defOf('BUTTONS')?.buttons ?? [], sentOf('button'), label, sender, add);
  return problems;
}

type Add = (code: number, text: string) => void;

function checkBody(
  def: TemplateComponentDef | undefined,
  sent: Obj[],
  t: TemplateDefinition,
  label: string,
  sender: string,
  add: Add,
): void {
  const vars = templateVariables(def?.text);
  const params = sent.flatMap((c) => asList(c.parameters)).map(asObj);
  if (params.length !== vars.length) {
    add(132000, `${label} has ${plural(vars.length, 'body parameter')}; ${sender} sends ${params.length}`);
    return;
  }
  // Named templates match parameters by parameter_name, not by position.
  if (t.parameter_format?.toUpperCase() !== 'NAMED') return;
  const names = new Set(params.map((p) => p?.parameter_name));
  const missing = vars.filter((v) => !names.has(v));
  if (missing.length > 0) {
    add(
      132000,
      `${label} names its body parameters ${vars.map((v) => `{{${v}}}`).join(', ')}; ${sender} sends no parameter_name ${missing.join(', ')}`,
    );
  }
}

const MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];

function checkHeader(def: TemplateComponentDef | undefined, sent: Obj[], label: string, sender: string, add: Add): void {
  const params = sent.flatMap((c) => asList(c.parameters)).map(asObj);
  const format = (def?.format ?? 'TEXT').toUpperCase();
  if (!def) {
    if (params.length > 0) add(132000, `${label} has no header; ${sender} sends ${plural(params.length, 'header parameter')}`);
    return;
  }
  if (MEDIA_FORMATS.includes(format)) {
    const kind = format.toLowerCase();
    if (params.length === 0)
      add(132000, `${label} has a${format === 'IMAGE' ? 'n' : ''} ${format} header; ${sender} sends no ${kind} for it`);
    else if (params.length > 1)
      add(132000, `${label} has one ${format} header; ${sender} sends ${params.length} header parameters`);
    else if (params[0]?.type !== kind)
      add(
        132012,
        `${label} has a${format === 'IMAGE' ? 'n' : ''} ${format} header; ${sender} sends a ${String(params[0]?.type)} header parameter`,
      );
    return;
  }
  const vars = templateVariables(def.text);
  if (params.length !== vars.length) {
    add(132000, `${label} has a text header with ${plural(vars.length, 'parameter')}; ${sender} sends ${params.length}`);
  } else if (vars.length > 0 && params[0]?.type !== 'text') {
    add(132012, `${label} has a text header; ${sender} sends a ${String(params[0]?.type)} header parameter`);
  }
}

/** What a button at an index needs: a parameter type, none, or (quick replies) an optional payload. */
function buttonNeed(b: TemplateButtonDef): { needs: 'text' | 'coupon_code' | null; optional?: string } {
  const type = b.type.toUpperCase();
  if (type === 'URL') return { needs: templateVariables(b.url).length > 0 ? 'text' : null };
  if (type === 'COPY_CODE') return { needs: 'coupon_code' };
  if (type === 'OTP') return { needs: 'text' };
  if (type === 'QUICK_REPLY') return { needs: null, optional: 'payload' };
  // FLOW, CATALOG, MPM…: their parameters vary by feature; don't judge them.
  if (type === 'FLOW' || type === 'CATALOG' || type === 'MPM' || type === 'SPM') return { needs: null, optional: '*' };
  return { needs: null };
}

function checkButtons(defs: TemplateButtonDef[], sent: Obj[], label: string, sender: string, add: Add): void {
  const byIndex = new Map<number, Obj>();
  for (const c of sent) {
    const index = Number(c.index);
    if (byIndex.has(index)) add(132000, `${label}: ${sender} sends button ${index} twice`);
    byIndex.set(index, c);
  }
  defs.forEach((b, i) => {
    const { needs } = buttonNeed(b);
    if (needs === null || byIndex.has(i)) return;
    const what =
      b.type.toUpperCase() === 'URL'
        ? `a URL button at index ${i} with a variable (${b.url})`
        : `a ${b.type.toUpperCase()} button at index ${i}`;
    add(132000, `${label} has ${what}; ${sender} sends no parameter for it`);
  });
  for (const [i, c] of byIndex) {
    const b = defs[i];
    if (!b) {
      add(
        132000,
        `${label} has ${defs.length === 0 ? 'no buttons' : `no button at index ${i} (it has ${plural(defs.length, 'button')})`}; ${sender} sends a parameter for button ${i}`,
      );
      continue;
    }
    const type = b.type.toUpperCase();
    const { needs, optional } = buttonNeed(b);
    const params = asList(c.parameters).map(asObj);
    const subType = String(c.sub_type).toUpperCase();
    if (optional === '*') continue;
    if (subType !== type) {
      add(132012, `${label} has a ${type} button at index ${i}; ${sender} sends it as sub_type ${String(c.sub_type)}`);
    } else if (needs === null && optional === undefined && params.length > 0) {
      const why =
        type === 'URL'
          ? `a URL button at index ${i} without a variable (${b.url})`
          : `a ${type} button at index ${i}, which takes no parameter`;
      add(132000, `${label} has ${why}; ${sender} sends ${plural(params.length, 'parameter')} for it`);
    } else if (params.length > 1 || (needs !== null && params.length === 0)) {
      add(132000, `${label} takes one parameter for button ${i}; ${sender} sends ${params.length}`);
    } else if (needs !== null && params[0]?.type !== needs) {
      add(
        132012,
        `${label} needs a ${needs} parameter for its ${type} button at index ${i}; ${sender} sends a ${String(params[0]?.type)}`,
      );
    }
  }
}
