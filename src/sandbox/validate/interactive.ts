// Interactive messages (FACTS §1). Reply buttons and lists, the two a broadcast is likely to use, are
// checked against every documented limit; cta_url a little; flows, products, catalogs and orders
// only loosely (their action objects vary by feature and Meta's examples are full of placeholders).
import { arr, fail, isObj, keys, type Obj, obj, onlyKeys, optObj, optStr, str } from './check.js';
import { validateMedia } from './simple.js';

const TYPES = [
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'order_details',
  'order_status',
  'location_request_message',
  'address_message',
  'call_permission_request',
  'voice_call',
  'carousel',
];
const INTERACTIVE_KEYS = keys('type', 'header', 'body', 'footer', 'action');
const STRICT_HEADER_TYPES = ['text', 'image', 'video', 'document'] as const;

export function validateInteractive(v: unknown): void {
  const it = obj(v, 'interactive');
  onlyKeys(it, INTERACTIVE_KEYS, 'interactive');
  const type = str(it.type, 'interactive.type');
  if (!TYPES.includes(type))
    fail(100, `interactive.type: unsupported interactive type "${type}" (supported: ${TYPES.join(', ')})`);
  const strict = type === 'button' || type === 'list' || type === 'cta_url';
  const body =
    type === 'product' || type === 'product_list' ? optObj(it.body, 'interactive.body') : obj(it.body, 'interactive.body');
  if (body) str(body.text, 'interactive.body.text', type === 'list' ? 4096 : 1024);
  const footer = optObj(it.footer, 'interactive.footer');
  if (footer) str(footer.text, 'interactive.footer.text', 60);
  if (it.header !== undefined) validateHeader(obj(it.header, 'interactive.header'), type, strict);
  const action = obj(it.action, 'interactive.action');
  if (type === 'button') validateButtons(action);
  else if (type === 'list') validateList(action);
  else if (type === 'cta_url') validateCtaUrl(action);
}

function validateHeader(h: Obj, type: string, strict: boolean): void {
  const kind = str(h.type, 'interactive.header.type');
  // Loose types (product_list puts a placeholder type in Meta's example) only need the header to exist.
  if (!strict) return;
  if (type === 'list' && kind !== 'text') fail(131009, `interactive.header.type: a list header must be text (got "${kind}")`);
  if (!(STRICT_HEADER_TYPES as readonly string[]).includes(kind)) {
    fail(131009, `interactive.header.type: must be one of ${STRICT_HEADER_TYPES.join(', ')} (got "${kind}")`);
  }
  onlyKeys(h, keys('type', kind), 'interactive.header');
  if (kind === 'text') str(h.text, 'interactive.header.text', 60);
  else validateMedia(kind as 'image' | 'video' | 'document', h[kind], `interactive.header.${kind}`);
}

const BUTTON_KEYS = keys('type', 'reply');
const REPLY_KEYS = keys('id', 'title');

function validateButtons(action: Obj): void {
  onlyKeys(action, keys('buttons'), 'interactive.action');
  const buttons = arr(action.buttons, 'interactive.action.buttons', 1, 3);
  const titles = new Set<string>();
  buttons.forEach((b, i) => {
    const path = `interactive.action.buttons[${i}]`;
    if (!isObj(b)) fail(100, `${path}: must be an object`);
    onlyKeys(b, BUTTON_KEYS, path);
    if (str(b.type, `${path}.type`) !== 'reply') fail(131009, `${path}.type: must be "reply" (got "${b.type}")`);
    const reply = obj(b.reply, `${path}.reply`);
    onlyKeys(reply, REPLY_KEYS, `${path}.reply`);
    const id = str(reply.id, `${path}.reply.id`, 256);
    if (id.trim() !== id) fail(131009, `${path}.reply.id: must not start or end with spaces`);
    const title = str(reply.title, `${path}.reply.title`, 20);
    if (titles.has(title)) fail(131009, `${path}.reply.title: button titles must be unique ("${title}" repeats)`);
    titles.add(title);
  });
}

const LIST_ACTION_KEYS = keys('button', 'sections');
const SECTION_KEYS = keys('title', 'rows');
const ROW_KEYS = keys('id', 'title', 'description');

function validateList(action: Obj): void {
  onlyKeys(action, LIST_ACTION_KEYS, 'interactive.action');
  str(action.button, 'interactive.action.button', 20);
  const sections = arr(action.sections, 'interactive.action.sections', 1, 10);
  const ids = new Set<string>();
  let rowCount = 0;
  sections.forEach((s, i) => {
    const path = `interactive.action.sections[${i}]`;
    if (!isObj(s)) fail(100, `${path}: must be an object`);
    onlyKeys(s, SECTION_KEYS, path);
    // A single section may go untitled; with several, each needs a title to tell them apart.
    if (sections.length > 1) str(s.title, `${path}.title`, 24);
    else optStr(s.title, `${path}.title`, 24);
    const rows = arr(s.rows, `${path}.rows`, 1, 10);
    rows.forEach((r, j) => {
      const rowPath = `${path}.rows[${j}]`;
      if (!isObj(r)) fail(100, `${rowPath}: must be an object`);
      onlyKeys(r, ROW_KEYS, rowPath);
      const id = str(r.id, `${rowPath}.id`, 200);
      if (ids.has(id)) fail(131009, `${rowPath}.id: row ids must be unique ("${id}" repeats)`);
      ids.add(id);
      str(r.title, `${rowPath}.title`, 24);
      optStr(r.description, `${rowPath}.description`, 72);
    });
    rowCount += rows.length;
  });
  if (rowCount > 10) fail(131009, `interactive.action.sections: at most 10 rows in total across all sections (got ${rowCount})`);
}

function validateCtaUrl(action: Obj): void {
  if (str(action.name, 'interactive.action.name') !== 'cta_url') fail(131009, 'interactive.action.name: must be "cta_url"');
  const params = obj(action.parameters, 'interactive.action.parameters');
  str(params.display_text, 'interactive.action.parameters.display_text', 20);
  str(params.url, 'interactive.action.parameters.url', 2000);
}
