// The Cloud API's documented limits (FACTS §1), as length limits on string paths of a message and
// structural checks. Literal violations stop planning (exit 2); values filled per row from the CSV
// become `value_too_long` rejections naming the field.

export interface StringLimit {
  field: string;
  max: number;
}

type Path = (string | number)[];

/** The path of a template parameter's text: template.components.<i>.parameters.<j>.text. */
const TEMPLATE_PARAMETER_TEXT = /^template\.components\.(\d+)\.parameters\.(\d+)\.text$/;

/** The length limit that applies to the string at `path` in `message`, if any. */
export function limitFor(message: Record<string, unknown>, path: Path): StringLimit | null {
  const p = path.join('.');
  if (p === 'text.body') return { field: 'text body', max: 4096 };
  if (/^(image|video|document)\.caption$/.test(p)) return { field: 'caption', max: 1024 };
  const template = TEMPLATE_PARAMETER_TEXT.exec(p);
  if (template) {
    const components = (message.template as { components?: { type?: string }[] })?.components ?? [];
    const component = components[Number(template[1])];
    const type = String(component?.type ?? '').toLowerCase();
    if (type === 'header') return { field: 'header text', max: 60 };
    if (type === 'body') {
      const onlyBody = components.length === 1;
      return { field: `body parameter ${Number(template[2]) + 1}`, max: onlyBody ? 32768 : 1024 };
    }
    return null;
  }
  if (p === 'interactive.body.text') return { field: 'interactive body', max: 1024 };
  if (p === 'interactive.footer.text') return { field: 'footer', max: 60 };
  if (p === 'interactive.header.text') return { field: 'header text', max: 60 };
  if (/^interactive\.action\.buttons\.\d+\.reply\.title$/.test(p)) return { field: 'button title', max: 20 };
  if (/^interactive\.action\.buttons\.\d+\.reply\.id$/.test(p)) return { field: 'button id', max: 256 };
  if (p === 'interactive.action.button') return { field: 'list button label', max: 20 };
  if (/^interactive\.action\.sections\.\d+\.title$/.test(p)) return { field: 'section title', max: 24 };
  if (/^interactive\.action\.sections\.\d+\.rows\.\d+\.title$/.test(p)) return { field: 'row title', max: 24 };
  if (/^interactive\.action\.sections\.\d+\.rows\.\d+\.id$/.test(p)) return { field: 'row id', max: 200 };
  if (/^interactive\.action\.sections\.\d+\.rows\.\d+\.description$/.test(p)) return { field: 'row description', max: 72 };
  return null;
}

/**
 * The Cloud API refuses a template parameter's text holding a newline, a tab or more than four spaces in
 * a row (error 132000/100 "Param text cannot have new-line/tab characters or more than 4 consecutive spaces").
 */
export function isTemplateParameterText(path: Path): boolean {
  return TEMPLATE_PARAMETER_TEXT.test(path.join('.'));
}

const MULTI_LINE = /[\r\n\t\v\f]| {5}/;
const MULTI_LINE_RUNS = /\s*[\r\n\t\v\f][\s]*| {5,}/g;

export function breaksTemplateParameter(text: string): boolean {
  return MULTI_LINE.test(text);
}

/** One line, as a template parameter must be: each run of whitespace holding a break, or 5+ spaces, becomes one space. */
export function flattenTemplateParameter(text: string): string {
  return text.replace(MULTI_LINE_RUNS, ' ');
}

/** Structural rules that don't depend on row values. Returns the problems found (empty = fine). */
export function structuralProblems(message: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const type = message.type;
  if (typeof type !== 'string' || type === '') return ['the message needs a "type"'];
  if (type !== 'template' && (message[type] === undefined || typeof message[type] !== 'object')) {
    problems.push(`a "${type}" message needs a "${type}" object`);
  }
  if (type === 'template') problems.push(...templateProblems(message.template));
  if (type === 'interactive') problems.push(...interactiveProblems(message.interactive));
  if (['image', 'video', 'audio', 'document', 'sticker'].includes(type)) {
    const media = message[type] as Record<string, unknown> | undefined;
    if (media && (media.id === undefined) === (media.link === undefined)) {
      problems.push(`a ${type} needs exactly one of "id" or "link"`);
    }
  }
  return problems;
}

function templateProblems(template: unknown): string[] {
  const t = template as { name?: unknown; language?: { code?: unknown }; components?: unknown[] } | undefined;
  if (!t || typeof t.name !== 'string' || t.name === '') return ['a template message needs a template name'];
  const problems: string[] = [];
  if (typeof t.language?.code !== 'string') problems.push('a template needs language.code');
  for (const c of (t.components ?? []) as { type?: string; index?: unknown }[]) {
    if (String(c.type).toLowerCase() !== 'button') continue;
    const index = Number(c.index);
    if (!Number.isInteger(index) || index < 0 || index > 9) problems.push(`button index must be 0–9, got ${String(c.index)}`);
  }
  return problems;
}

function interactiveProblems(interactive: unknown): string[] {
  const i = interactive as { type?: string; action?: { buttons?: unknown[]; sections?: { rows?: unknown[] }[] } } | undefined;
  if (!i) return [];
  const problems: string[] = [];
  if (i.type === 'button') {
    const buttons = (i.action?.buttons ?? []) as { reply?: { title?: string } }[];
    if (buttons.length < 1 || buttons.length > 3) problems.push(`reply buttons: 1–3 allowed, got ${buttons.length}`);
    const titles = buttons.map((b) => b.reply?.title ?? '');
    if (titles.some((t) => t === '')) problems.push('every reply button needs a title');
    if (new Set(titles).size !== titles.length) problems.push('reply button titles must be unique');
  }
  if (i.type === 'list') {
    const sections = i.action?.sections ?? [];
    if (sections.length < 1 || sections.length > 10) problems.push(`list: 1–10 sections allowed, got ${sections.length}`);
    const rows = sections.reduce((n, s) => n + (s.rows?.length ?? 0), 0);
    if (rows < 1 || rows > 10) problems.push(`list: 1–10 rows in all allowed, got ${rows}`);
  }
  return problems;
}
