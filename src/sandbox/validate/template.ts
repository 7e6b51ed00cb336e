// Template messages (FACTS §1): the shape and the documented limits only. Whether the template
// exists and its parameters fit (132001/132015/132016/132000) is templates/catalog.ts's job, and only
// when the sandbox was given templates.
import { arr, fail, isObj, keys, num, type Obj, obj, onlyKeys, optStr, str } from './check.js';
import { validateMedia } from './simple.js';

const TEMPLATE_KEYS = keys('name', 'language', 'components', 'namespace');
const LANGUAGE_KEYS = keys('code', 'policy');
const COMPONENT_KEYS = keys('type', 'sub_type', 'index', 'parameters', 'cards');
const COMPONENT_TYPES = ['header', 'body', 'footer', 'button', 'carousel', 'limited_time_offer'];
// Meta's examples spell sub_type in lower and upper case ("flow", "CATALOG"): compare case-insensitively.
const BUTTON_SUB_TYPES = [
  'quick_reply',
  'url',
  'flow',
  'catalog',
  'mpm',
  'copy_code',
  'voice_call',
  'order_details',
  'otp',
  'phone_number',
  'spm',
  'call_permission_request',
];
const PARAM_TYPES = [
  'text',
  'currency',
  'date_time',
  'image',
  'video',
  'document',
  'location',
  'payload',
  'action',
  'coupon_code',
  'product',
  'limited_time_offer',
  'tap_target_configuration',
  'order_status',
];
const TEMPLATE_MEDIA_KEYS = keys('id', 'link', 'caption', 'filename', 'provider');

export function validateTemplate(v: unknown): void {
  const t = obj(v, 'template');
  onlyKeys(t, TEMPLATE_KEYS, 'template');
  str(t.name, 'template.name', 512);
  const lang = obj(t.language, 'template.language');
  onlyKeys(lang, LANGUAGE_KEYS, 'template.language');
  // No length cap: Meta's examples use the placeholder "language-and-locale-code".
  str(lang.code, 'template.language.code');
  // `policy` has one legal value; Meta's current examples omit it, so it stays optional.
  if (lang.policy !== undefined && lang.policy !== 'deterministic') {
    fail(131009, `template.language.policy: must be "deterministic" (got ${JSON.stringify(lang.policy)})`);
  }
  if (t.components === undefined) return;
  const components = arr(t.components, 'template.components', 0, 20);
  const types = components.map((c, i) => componentType(c, `template.components[${i}]`));
  // The body limit depends on the rest of the message: 32768 alone, 1024 next to a header or buttons.
  const bodyMax = types.every((ty) => ty === 'body') ? 32768 : 1024;
  components.forEach((c, i) => validateComponent(c as Obj, types[i]!, `template.components[${i}]`, bodyMax));
}

function componentType(c: unknown, path: string): string {
  if (!isObj(c)) fail(100, `${path}: must be an object`);
  const type = str(c.type, `${path}.type`).toLowerCase();
  if (!COMPONENT_TYPES.includes(type))
    fail(131009, `${path}.type: must be one of ${COMPONENT_TYPES.join(', ')} (got "${c.type}")`);
  return type;
}

function validateComponent(c: Obj, type: string, path: string, bodyMax: number): void {
  onlyKeys(c, COMPONENT_KEYS, path);
  if (type === 'carousel') {
    arr(c.cards, `${path}.cards`, 1, 10);
    return;
  }
  if (type === 'button') {
    const sub = str(c.sub_type, `${path}.sub_type`);
    if (!BUTTON_SUB_TYPES.includes(sub.toLowerCase())) {
      fail(131009, `${path}.sub_type: must be one of ${BUTTON_SUB_TYPES.join(', ')} (got "${sub}")`);
    }
    buttonIndex(c.index, `${path}.index`);
  } else if (c.sub_type !== undefined || c.index !== undefined) {
    fail(100, `${path}: sub_type and index are only for button components`);
  }
  if (c.parameters === undefined && type !== 'button') return;
  const params = arr(c.parameters, `${path}.parameters`, type === 'button' ? 1 : 0, 100);
  const textMax = type === 'header' ? 60 : type === 'body' ? bodyMax : 2000;
  params.forEach((p, i) => validateParam(p, `${path}.parameters[${i}]`, type, textMax));
}

/** 0–9, as a number or a numeric string (Meta's examples use both). */
function buttonIndex(v: unknown, path: string): void {
  if (typeof v === 'boolean' || isObj(v) || Array.isArray(v)) fail(100, `${path}: must be a number or numeric string`);
  const n = num(v, path);
  if (!Number.isInteger(n) || n < 0 || n > 9) fail(131009, `${path}: must be an integer from 0 to 9 (got ${JSON.stringify(v)})`);
}

function validateParam(p: unknown, path: string, component: string, textMax: number): void {
  if (!isObj(p)) fail(100, `${path}: must be an object`);
  const type = str(p.type, `${path}.type`);
  if (!PARAM_TYPES.includes(type)) fail(131009, `${path}.type: must be one of ${PARAM_TYPES.join(', ')} (got "${type}")`);
  // A parameter carries its value under a key named after its type, plus an optional name.
  onlyKeys(p, keys('type', 'parameter_name', type), path);
  optStr(p.parameter_name, `${path}.parameter_name`, 256);
  const value = p[type];
  switch (type) {
    case 'text':
      // Meta's sample_issue_resolution example sends booleans as quick-reply button text; accept that.
      if (component === 'button' && typeof value === 'boolean') return;
      if (/[\r\n\t]| {5}/.test(str(value, `${path}.text`, textMax))) {
        fail(100, `${path}.text: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`);
      }
      return;
    case 'currency': {
      const cur = obj(value, `${path}.currency`);
      str(cur.fallback_value, `${path}.currency.fallback_value`);
      str(cur.code, `${path}.currency.code`, 3);
      const amount = num(cur.amount_1000, `${path}.currency.amount_1000`);
      if (!Number.isInteger(amount)) fail(131009, `${path}.currency.amount_1000: must be an integer (got ${amount})`);
      return;
    }
    case 'date_time':
      str(obj(value, `${path}.date_time`).fallback_value, `${path}.date_time.fallback_value`);
      return;
    case 'image':
    case 'video':
    case 'document':
      validateMedia(type, value, `${path}.${type}`, TEMPLATE_MEDIA_KEYS);
      return;
    case 'payload':
    case 'coupon_code':
      str(value, `${path}.${type}`, 1000);
      return;
    default:
      // action, location, product, limited_time_offer …: present and an object; details vary by feature.
      obj(value, `${path}.${type}`);
  }
}
