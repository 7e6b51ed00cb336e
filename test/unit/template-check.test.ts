// checkTemplateMessage against realistic templates (shapes as GET message_templates returns them),
// with messages built the way `broadcast` builds them (messageFromFlags) and by hand.
import { describe, expect, it } from 'vitest';
import { type MessageFlags, messageFromFlags } from '../../src/core/message-spec.js';
import {
  checkTemplateMessage,
  selectTemplate,
  type TemplateDefinition,
  templateVariables,
} from '../../src/core/template-check.js';

const T = (
  name: string,
  components: TemplateDefinition['components'],
  extra: Partial<TemplateDefinition> = {},
): TemplateDefinition => ({ name, language: 'en_US', status: 'APPROVED', category: 'UTILITY', components, ...extra });

const ORDER_UPDATE = T('order_update', [
  { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
  { type: 'FOOTER', text: 'Acme' },
]);
const HELLO_WORLD = T('hello_world', [
  { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
  { type: 'BODY', text: 'Welcome and congratulations!!' },
]);
const SHIPPING = T('shipping_update', [
  { type: 'HEADER', format: 'IMAGE' },
  { type: 'BODY', text: 'Hi {{1}}, order {{2}} ships {{3}}.' },
  {
    type: 'BUTTONS',
    buttons: [
      { type: 'URL', text: 'Track', url: 'https://x.test/t/{{1}}' },
      { type: 'QUICK_REPLY', text: 'Stop' },
    ],
  },
]);
const PROMO = T(
  'seasonal_promo',
  [
    { type: 'HEADER', format: 'TEXT', text: 'Our {{1}} is on!' },
    // {{1}} twice: one variable, one parameter.
    { type: 'BODY', text: 'Shop the {{1}} now with code {{2}}. {{1}} ends soon.' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Stop promotions' },
        { type: 'URL', text: 'Shop', url: 'https://x.test/shop' },
        { type: 'PHONE_NUMBER', text: 'Call' },
      ],
    },
  ],
  { category: 'MARKETING' },
);
const COUPON = T(
  'coupon_code',
  [
    { type: 'BODY', text: 'Your code is ready.' },
    { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', text: 'Copy' }] },
  ],
  { category: 'MARKETING' },
);
const RESERVATION = T(
  'reservation_confirmation',
  [
    { type: 'HEADER', format: 'DOCUMENT' },
    { type: 'BODY', text: 'Your table for {{number_of_guests}} on {{day}} at {{time}} is confirmed.' },
  ],
  { parameter_format: 'NAMED' },
);

const flags = (template: string, extra: Omit<MessageFlags, 'template'> = {}) => messageFromFlags({ template, ...extra });
const named = (...names: string[]) => ({
  type: 'template',
  template: {
    name: 'reservation_confirmation',
    language: { code: 'en_US' },
    components: [
      { type: 'header', parameters: [{ type: 'document', document: { link: 'https://x.test/r.pdf' } }] },
      { type: 'body', parameters: names.map((n) => ({ type: 'text', parameter_name: n, text: 'x' })) },
    ],
  },
});

describe('checkTemplateMessage', () => {
  const CASES: [string, TemplateDefinition, Record<string, unknown>, string[]][] = [
    ['order_update with both body parameters', ORDER_UPDATE, flags('order_update', { body: ['{{name}}', '{{order_id}}'] }), []],
    [
      'order_update with one',
      ORDER_UPDATE,
      flags('order_update', { body: ['{{name}}'] }),
      ['template order_update (en_US) has 2 body parameters; the command sends 1 — the API would answer 132000'],
    ],
    [
      'order_update with none',
      ORDER_UPDATE,
      flags('order_update'),
      ['template order_update (en_US) has 2 body parameters; the command sends 0 — the API would answer 132000'],
    ],
    ['hello_world bare', HELLO_WORLD, flags('hello_world'), []],
    [
      'hello_world with a body parameter and a header',
      HELLO_WORLD,
      flags('hello_world', { body: ['x'], headerText: 'Hi' }),
      [
        'template hello_world (en_US) has 0 body parameters; the command sends 1 — the API would answer 132000',
        'template hello_world (en_US) has a text header with 0 parameters; the command sends 1 — the API would answer 132000',
      ],
    ],
    [
      'shipping_update complete',
      SHIPPING,
      flags('shipping_update', { headerImage: 'https://x.test/a.jpg', body: ['a', 'b', 'c'], button: ['0=url:{{order_id}}'] }),
      [],
    ],
    [
      'shipping_update with a quick-reply payload too',
      SHIPPING,
      flags('shipping_update', { headerImage: 'https://x.test/a.jpg', body: ['a', 'b', 'c'], button: ['0=url:A-1', '1=STOP'] }),
      [],
    ],
    [
      'shipping_update without image or URL parameter',
      SHIPPING,
      flags('shipping_update', { body: ['a', 'b', 'c'] }),
      [
        'template shipping_update (en_US) has an IMAGE header; the command sends no image for it — the API would answer 132000',
        'template shipping_update (en_US) has a URL button at index 0 with a variable (https://x.test/t/{{1}}); the command sends no parameter for it — the API would answer 132000',
      ],
    ],
    [
      'shipping_update with a video header',
      SHIPPING,
      flags('shipping_update', { headerVideo: 'https://x.test/a.mp4', body: ['a', 'b', 'c'], button: ['0=url:x'] }),
      [
        'template shipping_update (en_US) has an IMAGE header; the command sends a video header parameter — the API would answer 132012',
      ],
    ],
    [
      'shipping_update with the URL button sent as a quick reply',
      SHIPPING,
      flags('shipping_update', { headerImage: 'https://example.invalid/h.png', body: ['a', 'b', 'c'], button: ['0=x'] }),
      [
        'template shipping_update (en_US) has a URL button at index 0; the command sends it as sub_type quick_reply — the API would answer 132012',
      ],
    ],
    [
      'seasonal_promo: a repeated variable counts once',
      PROMO,
      flags('seasonal_promo', { headerText: 'Fall Sale', body: ['Fall Sale', 'FALL25'] }),
      [],
    ],
    [
      'seasonal_promo: parameters for buttons without variables',
      PROMO,
      flags('seasonal_promo', {
        headerText: 'Fall Sale',
        body: ['Fall Sale', 'FALL25'],
        button: ['1=url:x', '2=url:y', '4=STOP'],
      }),
      [
        'template seasonal_promo (en_US) has a URL button at index 1 without a variable (https://x.test/shop); the command sends 1 parameter for it — the API would answer 132000',
        'template seasonal_promo (en_US) has a PHONE_NUMBER button at index 2; the command sends it as sub_type url — the API would answer 132012',
        'template seasonal_promo (en_US) has no button at index 4 (it has 3 buttons); the command sends a parameter for button 4 — the API would answer 132000',
      ],
    ],
    [
      'seasonal_promo: a text header parameter missing',
      PROMO,
      flags('seasonal_promo', { body: ['Fall Sale', 'FALL25'] }),
      ['template seasonal_promo (en_US) has a text header with 1 parameter; the command sends 0 — the API would answer 132000'],
    ],
    [
      'order_update with a header it does not have',
      ORDER_UPDATE,
      flags('order_update', { body: ['a', 'b'], headerImage: 'https://x.test/a.jpg' }),
      ['template order_update (en_US) has no header; the command sends 1 header parameter — the API would answer 132000'],
    ],
    ['coupon_code with its code', COUPON, flags('coupon_code', { button: ['0=copy_code:SAVE10'] }), []],
    [
      'coupon_code without it',
      COUPON,
      flags('coupon_code'),
      [
        'template coupon_code (en_US) has a COPY_CODE button at index 0; the command sends no parameter for it — the API would answer 132000',
      ],
    ],
    ['named parameters, all there', RESERVATION, named('number_of_guests', 'day', 'time'), []],
    [
      'named parameters, one misnamed',
      RESERVATION,
      named('number_of_guests', 'day', 'hour'),
      [
        'template reservation_confirmation (en_US) names its body parameters {{number_of_guests}}, {{day}}, {{time}}; the command sends no parameter_name time — the API would answer 132000',
      ],
    ],
    [
      'named parameters, one short',
      RESERVATION,
      named('number_of_guests', 'day'),
      ['template reservation_confirmation (en_US) has 3 body parameters; the command sends 2 — the API would answer 132000'],
    ],
  ];

  it.each(CASES)('%s', (_what, template, message, want) => {
    expect(checkTemplateMessage(template, message).map((p) => p.message)).toEqual(want);
  });

  it.each([
    [
      'PAUSED',
      132015,
      'template order_update (en_US) is PAUSED (Meta paused it for low quality; it can be sent again once it is unpaused) — the API would answer 132015',
    ],
    [
      'DISABLED',
      132016,
      'template order_update (en_US) is DISABLED (permanently, for low quality; create a new template) — the API would answer 132016',
    ],
    ['REJECTED', 132001, 'template order_update (en_US) was REJECTED in review and cannot be sent — the API would answer 132001'],
    ['PENDING', 132001, 'template order_update (en_US) is PENDING review and cannot be sent yet — the API would answer 132001'],
    [
      'IN_APPEAL',
      132001,
      'template order_update (en_US) has status IN_APPEAL, not APPROVED, and cannot be sent — the API would answer 132001',
    ],
  ])('names status %s plainly (%d)', (status, code, message) => {
    const problems = checkTemplateMessage({ ...ORDER_UPDATE, status }, flags('order_update', { body: ['a', 'b'] }));
    expect(problems).toEqual([{ code, message }]);
  });

  it('reports the status and the parameters together', () => {
    const problems = checkTemplateMessage({ ...ORDER_UPDATE, status: 'PAUSED' }, flags('order_update'));
    expect(problems.map((p) => p.code)).toEqual([132015, 132000]);
  });

  it('reads a full request body (with the envelope) and speaks for another sender without the suffix', () => {
    const request = { messaging_product: 'whatsapp', to: '+15551230000', ...flags('order_update', { body: ['a'] }) };
    expect(checkTemplateMessage(ORDER_UPDATE, request, { sender: 'the request', apiSuffix: false })).toEqual([
      { code: 132000, message: 'template order_update (en_US) has 2 body parameters; the request sends 1' },
    ]);
  });
});

describe('selectTemplate', () => {
  const list = [ORDER_UPDATE, { ...ORDER_UPDATE, language: 'pt_BR' }, { ...ORDER_UPDATE, language: 'de' }];
  it('picks the exact language', () => {
    expect(selectTemplate(list, 'order_update', 'pt_BR')).toEqual({ ok: true, template: list[1] });
  });
  it('names the languages there are when the one asked for is missing', () => {
    expect(selectTemplate(list, 'order_update', 'en')).toEqual({
      ok: false,
      problem: {
        code: 132001,
        message: 'template order_update has no en translation (it has: en_US, pt_BR, de) — the API would answer 132001',
      },
    });
  });
  it('says when there is no template of that name', () => {
    const r = selectTemplate(list, 'order_updates', 'en_US');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problem.message).toBe(
        'there is no template named order_updates on this WhatsApp Business Account — the API would answer 132001',
      );
  });
});

describe('templateVariables', () => {
  it.each([
    ['Hi {{1}}, order {{2}}', ['1', '2']],
    ['{{1}} and {{1}} again, then {{2}}', ['1', '2']],
    ['Dear {{ first_name }}, see {{order_id}}', ['first_name', 'order_id']],
    ['no variables {single} {{}}', []],
  ])('%s', (text, want) => {
    expect(templateVariables(text)).toEqual(want);
  });
});
