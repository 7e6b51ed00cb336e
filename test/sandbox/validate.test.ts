// Each rejection rule: the right Cloud API code (131008 missing, 131009 invalid value, 100 unknown
// parameter / wrong type / bad JSON) and a details string that names the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { PayloadError, validateRequest } from '../../src/sandbox/validate/index.js';
import { post, textMessage } from './helpers.js';

type Msg = Record<string, any>;
const base = (type: string, obj: unknown, extra: Msg = {}): Msg => ({
  messaging_product: 'whatsapp',
  to: '+15551230000',
  type,
  [type]: obj,
  ...extra,
});
const text = (body: unknown = 'hi', extra: Msg = {}) => base('text', { body }, extra);
const image = (obj: unknown) => base('image', obj);
const template = (components: unknown[]) => base('template', { name: 'promo', language: { code: 'en_US' }, components });
const bodyParam = (t: string) => ({ type: 'body', parameters: [{ type: 'text', text: t }] });
const headerParam = (t: string) => ({ type: 'header', parameters: [{ type: 'text', text: t }] });
const button = (index: unknown, subType = 'quick_reply') => ({
  type: 'button',
  sub_type: subType,
  index,
  parameters: [{ type: 'payload', payload: 'P' }],
});
const buttons = (list: unknown[]) =>
  base('interactive', { type: 'button', body: { text: 'Pick one' }, action: { buttons: list } });
const reply = (id: string, title: string) => ({ type: 'reply', reply: { id, title } });
const row = (id: string, title = 'Row', description?: string) => ({
  id,
  title,
  ...(description === undefined ? {} : { description }),
});
const list = (sections: unknown[], buttonLabel = 'Choose') =>
  base('interactive', { type: 'list', body: { text: 'Menu' }, action: { button: buttonLabel, sections } });
const rows = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => row(`${prefix}${i}`));
const x = (n: number, c = 'x') => c.repeat(n);

function codeOf(body: unknown): { code: number; details: string } | 'ok' {
  try {
    validateRequest(body);
    return 'ok';
  } catch (err) {
    if (err instanceof PayloadError) return { code: err.code, details: err.details };
    throw err;
  }
}

const REJECTIONS: [string, unknown, number, RegExp][] = [
  ['body not an object', [1, 2], 100, /JSON object/],
  ['messaging_product missing', { to: '+1555', type: 'text', text: { body: 'x' } }, 131008, /messaging_product/],
  ['messaging_product wrong', text('x', { messaging_product: 'sms' }), 131009, /messaging_product.*whatsapp/],
  ['unknown top-level field', text('x', { priority: 'high' }), 100, /unknown parameter "priority"/],
  ['to missing', { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } }, 131008, /^to: required/],
  ['to not a phone', text('x', { to: 'alice' }), 131009, /^to: must be a phone number/],
  ['to wrong type', text('x', { to: 15551230000 }), 100, /^to: must be a string, got number/],
  ['unsupported type', base('hologram', {}), 100, /unsupported message type "hologram"/],
  ['type object missing', { messaging_product: 'whatsapp', to: '+1555', type: 'image' }, 131008, /^image: required/],
  ['type object of another type', text('x', { image: { id: '1' } }), 100, /image: not allowed in a message of type "text"/],
  ['text wrong JSON type', base('text', 'hello'), 100, /^text: must be an object, got string/],
  ['text body missing', base('text', {}), 131008, /text\.body: required/],
  ['text body empty', text(''), 131008, /text\.body: required/],
  ['text body too long', text(x(4097)), 131009, /text\.body: must be at most 4096 characters \(got 4097\)/],
  ['text unknown key', base('text', { body: 'x', bold: true }), 100, /text: unknown parameter "bold"/],
  ['preview_url not boolean', base('text', { body: 'x', preview_url: 'yes' }), 100, /text\.preview_url: must be a boolean/],
  [
    'biz_opaque_callback_data too long',
    text('x', { biz_opaque_callback_data: x(513) }),
    131009,
    /biz_opaque_callback_data: must be at most 512/,
  ],
  [
    'biz_opaque_callback_data not a string',
    text('x', { biz_opaque_callback_data: 7 }),
    100,
    /biz_opaque_callback_data: must be a string/,
  ],
  ['context without message_id', text('x', { context: {} }), 131008, /context\.message_id/],
  ['recipient_type invalid', text('x', { recipient_type: 'everyone' }), 131009, /recipient_type/],
  ['media without id or link', image({ caption: 'c' }), 131008, /image: required parameter is missing: id or link/],
  ['media with id and link', image({ id: '1', link: 'https://x.test/y.png' }), 131009, /image: give either id or link, not both/],
  ['caption too long', image({ id: '1', caption: x(1025) }), 131009, /image\.caption: must be at most 1024/],
  ['caption on audio', base('audio', { id: '1', caption: 'c' }), 100, /audio: unknown parameter "caption"/],
  ['caption on sticker', base('sticker', { id: '1', caption: 'c' }), 100, /sticker: unknown parameter "caption"/],
  ['filename on image', image({ id: '1', filename: 'a.png' }), 100, /image: unknown parameter "filename"/],
  ['template name missing', base('template', { language: { code: 'en' } }), 131008, /template\.name/],
  ['template language missing', base('template', { name: 'n' }), 131008, /template\.language: required/],
  ['template policy invalid', base('template', { name: 'n', language: { code: 'en', policy: 'fallback' } }), 131009, /policy/],
  [
    'body param over 1024 next to a header',
    template([headerParam('H'), bodyParam(x(1025))]),
    131009,
    /template\.components\[1\]\.parameters\[0\]\.text: must be at most 1024/,
  ],
  ['body-only param over 32768', template([bodyParam(x(32769))]), 131009, /must be at most 32768/],
  ['header text over 60', template([headerParam(x(61))]), 131009, /components\[0\]\.parameters\[0\]\.text: must be at most 60/],
  [
    'param text wrong type',
    template([{ type: 'body', parameters: [{ type: 'text', text: 5 }] }]),
    100,
    /must be a string, got number/,
  ],
  ['param text empty', template([bodyParam('')]), 131008, /parameters\[0\]\.text: required/],
  ['param text with a newline', template([bodyParam('a\nb')]), 100, /cannot have new-line\/tab characters/],
  ['param text with 5 spaces in a row', template([bodyParam('a     b')]), 100, /more than 4 consecutive spaces/],
  [
    'param unknown type',
    template([{ type: 'body', parameters: [{ type: 'emoji', emoji: 'x' }] }]),
    131009,
    /parameters\[0\]\.type: must be one of/,
  ],
  [
    'currency without amount',
    template([{ type: 'body', parameters: [{ type: 'currency', currency: { fallback_value: '$1', code: 'USD' } }] }]),
    131008,
    /currency\.amount_1000/,
  ],
  ['component type invalid', template([{ type: 'sidebar' }]), 131009, /components\[0\]\.type: must be one of/],
  ['button index 10', template([button(10)]), 131009, /components\[0\]\.index: must be an integer from 0 to 9 \(got 10\)/],
  ['button index not numeric', template([button('first')]), 131009, /index: must be a number/],
  [
    'button index missing',
    template([{ type: 'button', sub_type: 'quick_reply', parameters: [{ type: 'payload', payload: 'P' }] }]),
    131008,
    /index: required/,
  ],
  ['button sub_type invalid', template([button(0, 'teleport')]), 131009, /sub_type: must be one of/],
  ['button without parameters', template([{ type: 'button', sub_type: 'url', index: 0 }]), 131008, /parameters: required/],
  ['reply buttons: none', buttons([]), 131008, /interactive\.action\.buttons: required/],
  [
    'reply buttons: four',
    buttons([reply('a', 'A'), reply('b', 'B'), reply('c', 'C'), reply('d', 'D')]),
    131009,
    /at most 3 items \(got 4\)/,
  ],
  ['reply button title too long', buttons([reply('a', x(21))]), 131009, /buttons\[0\]\.reply\.title: must be at most 20/],
  ['reply button title empty', buttons([reply('a', '')]), 131008, /buttons\[0\]\.reply\.title: required/],
  [
    'reply button titles repeat',
    buttons([reply('a', 'Yes'), reply('b', 'Yes')]),
    131009,
    /buttons\[1\]\.reply\.title: button titles must be unique/,
  ],
  ['reply button id too long', buttons([reply(x(257), 'A')]), 131009, /reply\.id: must be at most 256/],
  ['reply button id padded', buttons([reply(' a', 'A')]), 131009, /reply\.id: must not start or end with spaces/],
  [
    'reply button wrong type',
    buttons([{ type: 'url', reply: { id: 'a', title: 'A' } }]),
    131009,
    /buttons\[0\]\.type: must be "reply"/,
  ],
  [
    'interactive body missing',
    base('interactive', { type: 'button', action: { buttons: [reply('a', 'A')] } }),
    131008,
    /interactive\.body: required/,
  ],
  [
    'interactive body too long',
    base('interactive', { type: 'button', body: { text: x(1025) }, action: { buttons: [reply('a', 'A')] } }),
    131009,
    /interactive\.body\.text: must be at most 1024/,
  ],
  [
    'interactive footer too long',
    base('interactive', { type: 'button', body: { text: 'b' }, footer: { text: x(61) }, action: { buttons: [reply('a', 'A')] } }),
    131009,
    /interactive\.footer\.text: must be at most 60/,
  ],
  [
    'interactive type unsupported',
    base('interactive', { type: 'hologram', body: { text: 'b' }, action: {} }),
    100,
    /unsupported interactive type/,
  ],
  ['list button label too long', list([{ rows: rows(1) }], x(21)), 131009, /interactive\.action\.button: must be at most 20/],
  ['list with no sections', list([]), 131008, /sections: required/],
  [
    'list with 11 sections',
    list(Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: [row(`r${i}`)] }))),
    131009,
    /at most 10 items \(got 11\)/,
  ],
  [
    'list with 11 rows in total',
    list([
      { title: 'A', rows: rows(6, 'a') },
      { title: 'B', rows: rows(5, 'b') },
    ]),
    131009,
    /at most 10 rows in total.*got 11/,
  ],
  ['list row title too long', list([{ rows: [row('r', x(25))] }]), 131009, /rows\[0\]\.title: must be at most 24/],
  ['list row id too long', list([{ rows: [row(x(201))] }]), 131009, /rows\[0\]\.id: must be at most 200/],
  [
    'list row description too long',
    list([{ rows: [row('r', 'T', x(73))] }]),
    131009,
    /rows\[0\]\.description: must be at most 72/,
  ],
  [
    'list row ids repeat',
    list([
      { title: 'A', rows: [row('same')] },
      { title: 'B', rows: [row('same')] },
    ]),
    131009,
    /row ids must be unique/,
  ],
  [
    'list section title missing with 2 sections',
    list([{ rows: rows(1, 'a') }, { title: 'B', rows: rows(1, 'b') }]),
    131008,
    /sections\[0\]\.title: required/,
  ],
  ['list section title too long', list([{ title: x(25), rows: rows(1) }]), 131009, /sections\[0\]\.title: must be at most 24/],
  [
    'list header not text',
    base('interactive', {
      type: 'list',
      header: { type: 'image', image: { id: '1' } },
      body: { text: 'b' },
      action: { button: 'B', sections: [{ rows: rows(1) }] },
    }),
    131009,
    /a list header must be text/,
  ],
  [
    'location latitude out of range',
    base('location', { latitude: 91, longitude: 0 }),
    131009,
    /location\.latitude: must be between -90 and 90/,
  ],
  ['location longitude missing', base('location', { latitude: 1 }), 131008, /location\.longitude: required/],
  [
    'contacts without formatted_name',
    base('contacts', [{ name: { first_name: 'A' } }]),
    131008,
    /contacts\[0\]\.name\.formatted_name/,
  ],
  [
    'reaction with two emoji',
    base('reaction', { message_id: 'wamid.X', emoji: '😀😀' }),
    131009,
    /reaction\.emoji: must be a single emoji/,
  ],
  ['reaction without message_id', base('reaction', { emoji: '😀' }), 131008, /reaction\.message_id/],
  [
    'mark-as-read bad status',
    { messaging_product: 'whatsapp', status: 'delivered', message_id: 'wamid.X' },
    131009,
    /status: must be "read"/,
  ],
  ['mark-as-read without message_id', { messaging_product: 'whatsapp', status: 'read' }, 131008, /message_id: required/],
  [
    'mark-as-read unknown key',
    { messaging_product: 'whatsapp', status: 'read', message_id: 'w', to: '+1' },
    100,
    /unknown parameter "to"/,
  ],
];

describe('payload validation', () => {
  it.each(REJECTIONS)('rejects: %s', (_name, body, code, details) => {
    const result = codeOf(body);
    expect(result).not.toBe('ok');
    const { code: got, details: why } = result as { code: number; details: string };
    expect({ code: got, why }).toMatchObject({ code });
    expect(why).toMatch(details);
  });

  const ACCEPTED: [string, unknown][] = [
    ['text of exactly 4096 characters', text(x(4096))],
    ['4096 emoji (8192 UTF-16 units) count as 4096 characters', text(x(4096, '😀'))],
    ['body-only template param of 32768', template([bodyParam(x(32768))])],
    ['body param of 1024 beside a header', template([headerParam(x(60)), bodyParam(x(1024))])],
    ['button index as string and number', template([button('9'), button(0, 'URL')])],
    ['three reply buttons', buttons([reply('a', 'A'), reply('b', 'B'), reply('c', x(20))])],
    [
      'list with 10 rows over 2 sections',
      list([
        { title: 'A', rows: rows(5, 'a') },
        { title: 'B', rows: rows(5, 'b') },
      ]),
    ],
    ['untitled single section', list([{ rows: rows(3) }])],
    ['empty reaction (removes it)', base('reaction', { message_id: 'wamid.X', emoji: '' })],
    ['numeric-string coordinates', base('location', { latitude: '37.7', longitude: '-122.4' })],
    ['biz_opaque_callback_data of 512', text('x', { biz_opaque_callback_data: x(512) })],
    ['formatted recipient', text('x', { to: '+1 (555) 123-0000' })],
    ['no type: defaults to the object present', { messaging_product: 'whatsapp', to: '+1555', image: { id: '1' } }],
  ];
  it.each(ACCEPTED)('accepts: %s', (_name, body) => {
    expect(codeOf(body)).toBe('ok');
  });
});

describe('error responses over HTTP', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('uses the Cloud API error shape and HTTP 400', async () => {
    const { status, json } = await post(sandbox.url, text(x(5000)));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({
      message: '(#131009) Parameter value invalid',
      type: 'OAuthException',
      code: 131009,
      error_data: { messaging_product: 'whatsapp', details: expect.stringMatching(/text\.body: must be at most 4096/) },
    });
    expect(json.error.fbtrace_id).toMatch(/^\S{8,}$/);
  });

  it('answers invalid JSON with 100', async () => {
    const { status, json } = await post(sandbox.url, '{"messaging_product": "whatsapp",', { raw: true });
    expect(status).toBe(400);
    expect(json.error.code).toBe(100);
    expect(json.error.error_data.details).toMatch(/invalid JSON/);
  });

  it('requires a Bearer token (190, HTTP 401)', async () => {
    const missing = await post(sandbox.url, textMessage('+15551230000'), { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json.error.code).toBe(190);
    const empty = await post(sandbox.url, textMessage('+15551230000'), { token: '' });
    expect(empty.status).toBe(401);
  });

  it('checks the token when one is configured', async () => {
    sandbox.configure({ token: 'right' });
    try {
      expect((await post(sandbox.url, textMessage('+15551230000'), { token: 'wrong' })).json.error.code).toBe(190);
      expect((await post(sandbox.url, textMessage('+15551230000'), { token: 'right' })).status).toBe(200);
    } finally {
      sandbox.configure({ token: null });
    }
  });

  it('counts rejections by code and does not accept them', async () => {
    sandbox.reset();
    await post(sandbox.url, text(''));
    await post(sandbox.url, text('x', { extra: 1 }));
    const s = sandbox.stats();
    expect(s.errors_by_code).toEqual({ '131008': 1, '100': 1 });
    expect(s.accepted).toBe(0);
    expect(s.requests).toBe(2);
  });

  it('answers unknown paths with 404', async () => {
    const res = await fetch(`${sandbox.url}/v23.0/123/media`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe(100);
  });
});
