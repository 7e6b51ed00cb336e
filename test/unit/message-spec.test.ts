import { describe, expect, it } from 'vitest';
import { WaSendError } from '../../src/core/errors.js';
import { compileSpec, messageFromFlags, rowValues } from '../../src/core/message-spec.js';

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('messageFromFlags', () => {
  it('builds a template with header, body parameters in order and buttons', () => {
    const m = messageFromFlags({
      template: 'order_update',
      lang: 'pt_BR',
      body: ['{{name}}', '{{order}}'],
      headerImage: 'https://x.test/a.jpg',
      button: ['0=STOP', '1=url:track/{{order}}'],
    });
    expect(m).toEqual({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'pt_BR' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://x.test/a.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: '{{name}}' },
              { type: 'text', text: '{{order}}' },
            ],
          },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'track/{{order}}' }] },
        ],
      },
    });
  });

  it('builds a bare template (hello_world) without components', () => {
    expect(messageFromFlags({ template: 'hello_world' })).toEqual({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('builds a text message', () => {
    expect(messageFromFlags({ text: 'Hi {{name}}' })).toEqual({
      type: 'text',
      text: { body: 'Hi {{name}}', preview_url: false },
    });
  });

  it.each([
    [{}, /exactly one of/],
    [{ template: 'a', text: 'b' }, /exactly one of/],
    [{ text: 'x', body: ['y'] }, /use them with --template/],
    [{ template: 'a', button: ['12=x'] }, /0–9/],
    [{ template: 'a', button: ['nonsense'] }, /<index>=<value>/],
    [{ template: 'a', headerText: 'x', headerImage: 'y' }, /one header/],
    [{ messageFile: { to: '+1', type: 'text', text: { body: 'x' } } }, /must not contain "to"/],
    [{ messageFile: [1] }, /one JSON object/],
    [{ template: 'a', lang: 'english!' }, /--lang "english!" is not a language code/],
  ])('refuses %j', (flags, message) => {
    expect(usage(() => messageFromFlags(flags))).toMatch(message);
  });
});

// Values that can only fail are usage errors before anything is planned: an empty parameter, a media
// value that is no link and no media id, a button index given twice, --lang where no template is
// sent, a message file fighting the fields wa-send sets itself.
describe('messageFromFlags: values that can only fail', () => {
  const textMessage = { type: 'text', text: { body: 'hi' } };
  const refused: Array<[string, Parameters<typeof messageFromFlags>[0], RegExp]> = [
    ['an empty --body', { template: 't', body: [''] }, /^--body 1 of 1 is empty/],
    ['a blank second --body', { template: 't', body: ['{{name}}', '  \t'] }, /^--body 2 of 2 is empty/],
    [
      'an empty --header-text',
      { template: 't', headerText: '' },
      /^--header-text is empty: a template parameter needs text or a \{\{column\}\} placeholder$/,
    ],
    [
      'a blank --header-text',
      { template: 't', headerText: '   ' },
      /^--header-text is empty: a template parameter needs text or a \{\{column\}\} placeholder$/,
    ],
    ['an empty --header-image', { template: 't', headerImage: '' }, /^--header-image is empty$/],
    ['an empty --header-video', { template: 't', headerVideo: ' ' }, /^--header-video is empty$/],
    ['an empty --header-document', { template: 't', headerDocument: '' }, /^--header-document is empty$/],
    [
      'a file name as media',
      { template: 't', headerImage: 'logo.png' },
      /^--header-image "logo\.png" is neither an http\(s\) URL, a media id \(digits\) nor a \{\{column\}\} placeholder$/,
    ],
    [
      'a URL without a scheme',
      { template: 't', headerVideo: 'www.example.com/v.mp4' },
      /^--header-video "www\.example\.com\/v\.mp4" is neither/,
    ],
    [
      'a file: URL',
      { template: 't', headerDocument: 'file:///tmp/a.pdf' },
      /^--header-document "file:\/\/\/tmp\/a\.pdf" is neither/,
    ],
    ['a button index twice', { template: 't', button: ['0=YES', '1=NO', '0=url:x'] }, /^--button 0 is given twice/],
    ['--lang with --text', { text: 'hi', lang: 'fr' }, /^--lang sets a template's language: use it with --template$/],
    ['--lang with --message-file', { messageFile: textMessage, lang: 'fr' }, /^--lang sets a template's language/],
    [
      'a message file with biz_opaque_callback_data',
      { messageFile: { ...textMessage, biz_opaque_callback_data: 'mine' } },
      /^--message-file must not contain "biz_opaque_callback_data": wa-send sets it/,
    ],
    [
      'a message file for a group',
      { messageFile: { ...textMessage, recipient_type: 'group' } },
      /^--message-file "recipient_type": "group" is not supported: wa-send sends to individual phone numbers$/,
    ],
    [
      'a message file for another product',
      { messageFile: { ...textMessage, messaging_product: 'instagram' } },
      /^--message-file "messaging_product" must be "whatsapp", got "instagram"$/,
    ],
    [
      'a message file with an unknown type',
      { messageFile: { type: 'mms', mms: {} } },
      /^--message-file "type": "mms" is not a Cloud API message type \(text, template, image/,
    ],
    [
      'a message file with an upper-case type',
      { messageFile: { type: 'TEXT', text: { body: 'x' } } },
      /"TEXT" is not a Cloud API message type/,
    ],
    ['a message file without a type', { messageFile: { text: { body: 'x' } } }, /^--message-file has no "type"/],
    [
      'a message file whose type is not a string',
      { messageFile: { type: ['text'] } },
      /^--message-file "type": \["text"\] is not a Cloud API message type/,
    ],
  ];
  it.each(refused)('refuses %s', (_name, flags, message) => {
    expect(usage(() => messageFromFlags(flags))).toMatch(message);
  });

  it('accepts media by link, by media id, or by placeholder', () => {
    const media = (headerImage: string) =>
      (messageFromFlags({ template: 't', headerImage }).template as { components: { parameters: unknown[] }[] }).components[0]!
        .parameters[0];
    expect(media('https://cdn.example/a.jpg')).toEqual({ type: 'image', image: { link: 'https://cdn.example/a.jpg' } });
    expect(media('1037543291543636')).toEqual({ type: 'image', image: { id: '1037543291543636' } });
    expect(media('{{picture}}')).toEqual({ type: 'image', image: { link: '{{picture}}' } });
    expect(media('https://cdn.example/{{file}}.jpg')).toEqual({
      type: 'image',
      image: { link: 'https://cdn.example/{{file}}.jpg' },
    });
  });

  it('accepts a body that is only a placeholder, and different button indexes', () => {
    expect(() => messageFromFlags({ template: 't', body: ['{{name}}'], button: ['0=A', '1=B'] })).not.toThrow();
  });

  it('a message file may say what wa-send would say anyway; those fields are dropped', () => {
    const file = { messaging_product: 'whatsapp', recipient_type: 'individual', type: 'text', text: { body: 'hi' } };
    expect(messageFromFlags({ messageFile: file })).toEqual({ type: 'text', text: { body: 'hi' } });
  });

  it.each([
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
  ])('a message file of type %s is accepted', (type) =>
    expect(messageFromFlags({ messageFile: { type, [type]: {} } })).toMatchObject({ type }),
  );

  it('--lang still works with --template, and en_US is the default', () => {
    expect(messageFromFlags({ template: 't', lang: 'fr' })).toMatchObject({ template: { language: { code: 'fr' } } });
    expect(messageFromFlags({ template: 't' })).toMatchObject({ template: { language: { code: 'en_US' } } });
  });
});

describe('compileSpec and rowValues', () => {
  const headers = ['Name', 'Phone', 'Order_ID', 'bio'];

  it('matches placeholders to headers case-insensitively and freezes only the used columns', () => {
    const c = compileSpec(messageFromFlags({ template: 't', body: ['{{ NAME }}', '{{order_id}}'] }), headers);
    expect(c.spec.columns.sort()).toEqual(['name', 'order_id']);
    expect(rowValues(c, ['Ana ', '+1', 'A-1', 'x'])).toEqual({ ok: true, vars: { name: 'Ana', order_id: 'A-1' } });
  });

  it('refuses a mistyped placeholder instead of sending the braces', () => {
    for (const body of ['Hi {{name}', 'Hi {{}}', 'Hi name}}']) {
      expect(usage(() => compileSpec(messageFromFlags({ text: body }), headers))).toMatch(
        /not a placeholder: write placeholders as \{\{column\}\}/,
      );
    }
    expect(() => compileSpec(messageFromFlags({ text: 'Hi {{ name }}, {braces} ok' }), headers)).not.toThrow();
  });

  it('refuses an unknown placeholder column, naming the columns', () => {
    expect(usage(() => compileSpec(messageFromFlags({ text: 'Hi {{first_name}}' }), headers))).toMatch(
      /\{\{first_name\}\}.*Name, Phone, Order_ID, bio/,
    );
  });

  it('rejects a row whose placeholder value is empty, naming the column', () => {
    const c = compileSpec(messageFromFlags({ text: 'Hi {{name}}' }), headers);
    expect(rowValues(c, ['  ', '+1', '', ''])).toEqual({ ok: false, reason: 'missing_value', detail: 'column "name" is empty' });
  });

  it('rejects per-row values over the limits, naming the field', () => {
    const c = compileSpec(messageFromFlags({ template: 't', headerText: '{{name}}', body: ['{{bio}}'] }), headers);
    expect(rowValues(c, ['x'.repeat(61), '', '', 'ok'])).toMatchObject({
      ok: false,
      reason: 'value_too_long',
      detail: expect.stringMatching(/header text.*61.*60/),
    });
    expect(rowValues(c, ['ok', '', '', 'y'.repeat(1025)])).toMatchObject({
      ok: false,
      reason: 'value_too_long',
      detail: expect.stringMatching(/body parameter 1/),
    });
    const text = compileSpec(messageFromFlags({ text: '{{bio}}' }), headers);
    expect(rowValues(text, ['', '', '', 'z'.repeat(4096)])).toMatchObject({ ok: true });
    expect(rowValues(text, ['', '', '', 'z'.repeat(4097)])).toMatchObject({ ok: false, reason: 'value_too_long' });
  });

  it('freezes template parameter values on one line (the API refuses newlines, tabs, 5+ spaces) but keeps text bodies as written', () => {
    const c = compileSpec(messageFromFlags({ template: 't', body: ['{{bio}}', '{{name}}'] }), headers);
    const r = rowValues(c, ['Ana\tMaria', '', '', 'line one\r\n  line two\n\nend     x  y']);
    expect(r).toEqual({ ok: true, vars: { bio: 'line one line two end x  y', name: 'Ana Maria' } });
    const text = compileSpec(messageFromFlags({ text: '{{bio}}' }), headers);
    expect(rowValues(text, ['', '', '', 'a\nb'])).toEqual({ ok: true, vars: { bio: 'a\nb' } });
  });

  it('refuses a literal template parameter with a newline, a tab or 5 spaces', () => {
    for (const body of ['a\nb', 'a\tb', 'a     b']) {
      expect(usage(() => compileSpec(messageFromFlags({ template: 't', body: [body] }), headers))).toMatch(
        /cannot hold a newline, a tab or more than 4 spaces/,
      );
    }
    expect(() => compileSpec(messageFromFlags({ template: 't', body: ['a    b'] }), headers)).not.toThrow();
  });

  it('allows 32768 characters when the body is the only template component', () => {
    const c = compileSpec(messageFromFlags({ template: 't', body: ['{{bio}}'] }), headers);
    expect(rowValues(c, ['', '', '', 'y'.repeat(5000)])).toMatchObject({ ok: true });
  });

  it('refuses literal values over the limits before anything is planned', () => {
    expect(usage(() => compileSpec(messageFromFlags({ template: 't', headerText: 'h'.repeat(61) }), headers))).toMatch(
      /header text is 61 characters; the limit is 60/,
    );
    expect(usage(() => compileSpec(messageFromFlags({ text: 'x'.repeat(4097) }), headers))).toMatch(/text body/);
    const tooMany = {
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'b' },
        action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `${i}`, title: `t${i}` } })) },
      },
    };
    expect(usage(() => compileSpec(tooMany, headers))).toMatch(/1–3 allowed, got 4/);
    const caption = { type: 'image', image: { link: 'https://x.test/i.png', caption: 'c'.repeat(1025) } };
    expect(usage(() => compileSpec(caption, headers))).toMatch(/caption/);
  });
});
