// From the message flags (or a message file) to the frozen MessageSpec, and the per-row check of the
// values a recipient fills in.
import { usageError } from './errors.js';
import {
  breaksTemplateParameter,
  flattenTemplateParameter,
  isTemplateParameterText,
  limitFor,
  type StringLimit,
  structuralProblems,
} from './message-limits.js';
import { fillPlaceholders, hasPlaceholder, PLACEHOLDER, placeholderColumns, stringsIn } from './placeholders.js';
import type { MessageSpec } from './types.js';

export interface MessageFlags {
  template?: string;
  lang?: string;
  body?: string[];
  headerText?: string;
  headerImage?: string;
  headerVideo?: string;
  headerDocument?: string;
  button?: string[];
  text?: string;
  /** The parsed JSON of --message-file. */
  messageFile?: unknown;
}

/** A template's language when --lang is not given (applied here, not by commander, so --lang's absence shows). */
export const DEFAULT_LANGUAGE = 'en_US';

/** Builds the Cloud API message object (without `to`) that the flags describe. */
export function messageFromFlags(flags: MessageFlags): Record<string, unknown> {
  const kinds = [flags.template !== undefined, flags.text !== undefined, flags.messageFile !== undefined].filter(Boolean);
  if (kinds.length !== 1) {
    throw usageError('say what to send with exactly one of --template <name>, --text <body> or --message-file <file.json>');
  }
  const templateOnly =
    flags.body?.length ||
    flags.button?.length ||
    flags.headerText ||
    flags.headerImage ||
    flags.headerVideo ||
    flags.headerDocument;
  if (flags.template === undefined && templateOnly) {
    throw usageError('--body, --header-* and --button fill a template: use them with --template');
  }
  // Silently ignored otherwise: a message file carries its own language, a text message has none.
  if (flags.template === undefined && flags.lang !== undefined)
    throw usageError("--lang sets a template's language: use it with --template");
  if (flags.text !== undefined) {
    if (flags.text.trim() === '') throw usageError('--text is empty');
    return { type: 'text', text: { body: flags.text, preview_url: /https?:\/\//.test(flags.text) } };
  }
  if (flags.messageFile !== undefined) return messageFromFile(flags.messageFile);
  return templateMessage(flags);
}

function templateMessage(flags: MessageFlags): Record<string, unknown> {
  const name = flags.template!.trim();
  if (!/^[a-z0-9_]+$/i.test(name)) throw usageError(`--template "${name}" is not a template name (letters, digits and _ only)`);
  const components: Record<string, unknown>[] = [];
  const header = headerParameter(flags);
  if (header) components.push({ type: 'header', parameters: [header] });
  if (flags.body?.length) {
    const count = flags.body.length;
    components.push({
      type: 'body',
      parameters: flags.body.map((text, i) => ({ type: 'text', text: filled(text, `--body ${i + 1} of ${count}`) })),
    });
  }
  const indexes = new Set<string>();
  for (const spec of flags.button ?? []) {
    const button = buttonComponent(spec);
    // Meta would take one and ignore or refuse the other; either way one of them is a mistake.
    if (indexes.has(button.index)) throw usageError(`--button ${button.index} is given twice: each button index takes one value`);
    indexes.add(button.index);
    components.push(button);
  }
  const lang = (flags.lang ?? DEFAULT_LANGUAGE).trim();
  // Meta's codes: en, en_US, pt_BR, zh_HK, fil… A typo would make every request fail with 132001.
  if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(lang))
    throw usageError(`--lang "${lang}" is not a language code like en_US, pt_BR or fr`);
  const template: Record<string, unknown> = { name, language: { code: lang } };
  if (components.length > 0) template.components = components;
  return { type: 'template', template };
}

function headerParameter(flags: MessageFlags): Record<string, unknown> | null {
  const given = (['headerText', 'headerImage', 'headerVideo', 'headerDocument'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) throw usageError('a template has one header: pass only one --header-* flag');
  if (flags.headerText !== undefined) return { type: 'text', text: filled(flags.headerText, '--header-text') };
  for (const [key, type] of [
    ['headerImage', 'image'],
    ['headerVideo', 'video'],
    ['headerDocument', 'document'],
  ] as const) {
    const value = flags[key];
    if (value === undefined) continue;
    return { type, [type]: mediaObject(value, `--header-${type}`) };
  }
  return null;
}

/** A literal parameter with no text fails every request: the API refuses an empty parameter. */
function filled(value: string, flag: string): string {
  if (value.trim() === '') throw usageError(`${flag} is empty: a template parameter needs text or a {{column}} placeholder`);
  return value;
}

/**
 * A URL (or a placeholder that will hold one) is sent by link, digits by uploaded media id. Anything
 * else (a file name, a URL without its scheme) can only fail, for every recipient.
 */
function mediaObject(raw: string, flag: string): { link: string } | { id: string } {
  const value = raw.trim();
  if (value === '') throw usageError(`${flag} is empty`);
  if (hasPlaceholder(value) || /^https?:\/\/\S+$/i.test(value)) return { link: value };
  if (/^\d+$/.test(value)) return { id: value };
  throw usageError(`${flag} "${value}" is neither an http(s) URL, a media id (digits) nor a {{column}} placeholder`);
}

/** --button <index>=<value>; the value may start with url: or quick_reply: (the default). */
function buttonComponent(spec: string): Record<string, unknown> & { index: string } {
  const m = /^\s*(\d+)\s*=(.*)$/s.exec(spec);
  if (!m) throw usageError(`--button "${spec}" must look like <index>=<value>, e.g. 0=STOP or 1=url:order/{{order_id}}`);
  const index = Number(m[1]);
  if (index > 9) throw usageError(`--button index must be 0–9, got ${index}`);
  const typed = /^(url|quick_reply|copy_code):(.*)$/s.exec(m[2]!);
  const subType = typed ? typed[1]! : 'quick_reply';
  const value = typed ? typed[2]! : m[2]!;
  if (value === '') throw usageError(`--button ${index} has no value`);
  const parameter =
    subType === 'url'
      ? { type: 'text', text: value }
      : subType === 'copy_code'
        ? { type: 'coupon_code', coupon_code: value }
        : { type: 'payload', payload: value };
  return { type: 'button', sub_type: subType, index: String(index), parameters: [parameter] };
}

/** The message types the Cloud API sends (FACTS §1); anything else fails every request. */
const MESSAGE_TYPES = [
  'text',
  'template',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'interactive',
  'location',
  'contacts',
  'reaction',
];

/** Fields wa-send sets on every request itself (whatsapp/payload.ts), and why a file may not set them. */
const SET_BY_WA_SEND: Record<string, string> = {
  to: 'recipients come from the CSV',
  biz_opaque_callback_data: 'wa-send sets it to the recipient key, by which status webhooks find their row',
};

function messageFromFile(json: unknown): Record<string, unknown> {
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw usageError('--message-file must hold one JSON object (a Cloud API message)');
  const message = { ...(json as Record<string, unknown>) };
  for (const [key, why] of Object.entries(SET_BY_WA_SEND)) {
    if (key in message) throw usageError(`--message-file must not contain "${key}": ${why}`);
  }
  // The envelope may be spelled out as wa-send would send it; a different value would be overridden.
  if ('recipient_type' in message && message.recipient_type !== 'individual') {
    throw usageError(
      `--message-file "recipient_type": ${shown(message.recipient_type)} is not supported: wa-send sends to individual phone numbers`,
    );
  }
  if ('messaging_product' in message && message.messaging_product !== 'whatsapp') {
    throw usageError(`--message-file "messaging_product" must be "whatsapp", got ${shown(message.messaging_product)}`);
  }
  const { type } = message;
  if (type === undefined) throw usageError(`--message-file has no "type" (${MESSAGE_TYPES.join(', ')})`);
  if (typeof type !== 'string' || !MESSAGE_TYPES.includes(type)) {
    throw usageError(`--message-file "type": ${shown(type)} is not a Cloud API message type (${MESSAGE_TYPES.join(', ')})`);
  }
  delete message.messaging_product;
  delete message.recipient_type;
  return message;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** A string of the message that holds placeholders, with the limit its rendered form must keep. */
interface Slot {
  template: string;
  limit: StringLimit | null;
}

export interface CompiledSpec {
  spec: MessageSpec;
  /** Column name (lower case) → index in the CSV row. */
  columnIndex: Map<string, number>;
  slots: Slot[];
  /** Columns filling a template parameter: their values are frozen flattened to one line. */
  singleLine: Set<string>;
}

/** Checks the message against the CSV headers and the literal limits; freezes it as a MessageSpec. */
export function compileSpec(message: Record<string, unknown>, headers: string[]): CompiledSpec {
  const problems = structuralProblems(message);
  const byName = new Map<string, number>();
  headers.forEach((h, i) => {
    if (!byName.has(h.toLowerCase())) byName.set(h.toLowerCase(), i);
  });
  const columnIndex = new Map<string, number>();
  const slots: Slot[] = [];
  const singleLine = new Set<string>();
  for (const [text, path] of stringsIn(message)) {
    const limit = limitFor(message, path);
    const columns = placeholderColumns(text);
    if (/\{\{|\}\}/.test(text.replace(PLACEHOLDER, ''))) {
      problems.push(
        `${JSON.stringify(text.slice(0, 60))} has a {{ or }} that is not a placeholder: write placeholders as {{column}}`,
      );
    }
    const parameter = isTemplateParameterText(path);
    if (parameter && breaksTemplateParameter(text)) {
      problems.push(
        `a template parameter cannot hold a newline, a tab or more than 4 spaces in a row: ${JSON.stringify(text.slice(0, 60))}`,
      );
    }
    if (parameter) for (const col of columns) singleLine.add(col);
    if (columns.length === 0) {
      if (limit && text.length > limit.max)
        problems.push(`the ${limit.field} is ${text.length} characters; the limit is ${limit.max}`);
      continue;
    }
    for (const col of columns) {
      const index = byName.get(col);
      if (index === undefined) {
        throw usageError(`the placeholder {{${col}}} names no CSV column; the columns are: ${headers.join(', ')}`);
      }
      columnIndex.set(col, index);
    }
    slots.push({ template: text, limit });
  }
  if (problems.length > 0) throw usageError(`the message is not valid: ${problems.join('; ')}`);
  return { spec: { message, columns: [...columnIndex.keys()] }, columnIndex, slots, singleLine };
}

export type RowValues =
  | { ok: true; vars: Record<string, string> }
  | { ok: false; reason: 'missing_value' | 'value_too_long'; detail: string };

/** Extracts and checks one row's placeholder values (frozen into the journal as `vars`). */
export function rowValues(compiled: CompiledSpec, row: string[]): RowValues {
  const vars: Record<string, string> = {};
  for (const [col, index] of compiled.columnIndex) {
    const value = (row[index] ?? '').trim();
    if (value === '') return { ok: false, reason: 'missing_value', detail: `column "${col}" is empty` };
    // A multi-line cell (an address, a note) would make the API refuse the whole message; one line of it is sent.
    vars[col] = compiled.singleLine.has(col) ? flattenTemplateParameter(value) : value;
  }
  for (const slot of compiled.slots) {
    if (!slot.limit) continue;
    const length = fillPlaceholders(slot.template, vars).length;
    if (length > slot.limit.max) {
      return {
        ok: false,
        reason: 'value_too_long',
        detail: `${slot.limit.field} would be ${length} characters; the limit is ${slot.limit.max}`,
      };
    }
  }
  return { ok: true, vars };
}
