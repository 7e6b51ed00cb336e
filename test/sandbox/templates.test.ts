// Known templates and /messages: without templates given, any template name is accepted (the old
// behaviour every other test relies on); with --templates / --template-status / options, template
// sends are checked like the API: 132001 unknown name or language, 132015 PAUSED, 132016 DISABLED,
// 132000 parameter counts. Also the template file's validation and the new `wa-send sandbox` flags.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bind } from '../../src/cli/commands/action.js';
import { registerSandbox, type SandboxFlags, sandboxOptions } from '../../src/cli/sandbox.js';
import { WaSendError } from '../../src/core/errors.js';
import { parseTemplateStatus, parseTemplates, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { post } from './helpers.js';

type Msg = Record<string, any>;
const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) });
const send = (name: string, lang = 'en_US', components?: Msg[]): Msg => ({
  messaging_product: 'whatsapp',
  to: '+15551230000',
  type: 'template',
  template: { name, language: { code: lang }, ...(components ? { components } : {}) },
});

const SHIPPING = {
  name: 'shipping_update',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://media.example.com/x'] } },
    { type: 'BODY', text: 'Hi {{1}}, order {{2}} ships {{3}}.' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'URL', text: 'Track', url: 'https://x.test/t/{{1}}' },
        { type: 'QUICK_REPLY', text: 'Stop' },
      ],
    },
  ],
};
const shippingSend = (over: Partial<{ header: boolean; body: string[]; url: boolean }> = {}) =>
  send('shipping_update', 'en_US', [
    ...(over.header === false
      ? []
      : [{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://x.test/a.jpg' } }] }]),
    body(...(over.body ?? ['Ana', 'A-1', 'today'])),
    ...(over.url === false ? [] : [{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1' }] }]),
  ]);

describe('template checks on /messages', () => {
  let lenient: RunningSandbox;
  let strict: RunningSandbox;
  beforeAll(async () => {
    lenient = await startSandbox();
    strict = await startSandbox({ templates: [SHIPPING] });
  });
  afterAll(async () => {
    await Promise.all([lenient.close(), strict.close()]);
  });
  beforeEach(() => strict.configure({ templateStatuses: [] }));

  it('accepts any template name when no templates were given', async () => {
    expect((await post(lenient.url, send('no_such_template', 'xx'))).status).toBe(200);
    expect((await post(lenient.url, send('order_update', 'en_US', [body('a', 'b', 'c')]))).status).toBe(200);
  });

  it.each([
    ['a known template, right parameters', send('order_update', 'en_US', [body('Ana')]), 200, null],
    ['hello_world without parameters', send('hello_world'), 200, null],
    ['a given template, right parameters', shippingSend(), 200, null],
    ['an unknown name', send('no_such_template'), 400, 132001],
    ['a known name in an unknown language', send('order_update', 'pt_BR', [body('Ana')]), 400, 132001],
    ['too few body parameters', send('order_update'), 400, 132000],
    ['too many body parameters', send('order_update', 'en_US', [body('Ana', 'extra')]), 400, 132000],
    ['a missing image header', shippingSend({ header: false }), 400, 132000],
    ['a missing URL button parameter', shippingSend({ url: false }), 400, 132000],
    ['body parameters for hello_world', send('hello_world', 'en_US', [body('x')]), 400, 132000],
  ])('%s → %s %s', async (_what, message, status, code) => {
    const r = await post(strict.url, message);
    expect(r.status).toBe(status);
    if (code !== null) expect(r.json.error.code).toBe(code);
  });

  it('names the problem in error_data.details', async () => {
    const r = await post(strict.url, send('order_update', 'en_US', [body('Ana', 'x')]));
    expect(r.json.error.error_data.details).toBe('template order_update (en_US) has 1 body parameter; the request sends 2');
    expect((await post(strict.url, send('order_update', 'de'))).json.error.error_data.details).toMatch(
      /order_update.*does not exist in de.*hello_world \(en_US\)/,
    );
  });

  it('answers 132015 for PAUSED and 132016 for DISABLED, per language or for every language', async () => {
    strict.configure({
      templateStatuses: ['order_update=PAUSED', { name: 'shipping_update', language: 'en_US', status: 'DISABLED' }],
    });
    expect((await post(strict.url, send('order_update', 'en_US', [body('Ana')]))).json.error.code).toBe(132015);
    expect((await post(strict.url, shippingSend())).json.error.code).toBe(132016);
    strict.configure({ templateStatuses: ['order_update:en_US=REJECTED'] });
    expect((await post(strict.url, send('order_update', 'en_US', [body('Ana')]))).json.error.code).toBe(132001);
  });

  it('turns checks on with template statuses alone, and off again with templates null and no statuses', async () => {
    const s = await startSandbox({ templateStatuses: ['hello_world=PAUSED'] });
    try {
      expect((await post(s.url, send('hello_world'))).json.error.code).toBe(132015);
      expect((await post(s.url, send('anything'))).json.error.code).toBe(132001);
      const off = await fetch(`${s.url}/_sandbox/config`, {
        method: 'POST',
        body: JSON.stringify({ templates: null, template_statuses: [] }),
      });
      expect(off.status).toBe(200);
      expect((await post(s.url, send('anything'))).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('takes templates and statuses through POST /_sandbox/config and refuses bad ones with every problem', async () => {
    const s = await startSandbox();
    const config = (b: unknown) =>
      fetch(`${s.url}/_sandbox/config`, { method: 'POST', body: JSON.stringify(b) }).then(async (r) => ({
        status: r.status,
        json: (await r.json()) as any,
      }));
    try {
      expect((await config({ templates: [SHIPPING], template_statuses: ['shipping_update=PAUSED'] })).status).toBe(200);
      expect((await post(s.url, shippingSend())).json.error.code).toBe(132015);
      const unknown = await config({ template_statuses: ['shiping_update=PAUSED'] });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.error_data.details).toMatch(/does not know: shiping_update/);
      const bad = await config({ templates: [{ name: 'Bad Name', language: 'english', components: [] }] });
      expect(bad.json.error.error_data.details).toMatch(
        /3 problems: templates\[0\]\.name: .*; templates\[0\]\.language: .*; templates\[0\]\.components: needs a BODY/,
      );
    } finally {
      await s.close();
    }
  });
});

describe('parseTemplates', () => {
  it("keeps Meta's extra keys, defaults status and category, and makes a stable id", () => {
    const [t] = parseTemplates([
      {
        name: 'x',
        language: 'en',
        components: [{ type: 'BODY', text: 'Hi', example: { body_text: [['a']] } }],
        quality_score: { score: 'GREEN' },
      },
    ]);
    expect(t).toMatchObject({
      name: 'x',
      language: 'en',
      status: 'APPROVED',
      category: 'UTILITY',
      quality_score: { score: 'GREEN' },
    });
    expect(t!.id).toMatch(/^\d{16}$/);
    expect(parseTemplates([{ name: 'x', language: 'en', components: [{ type: 'BODY', text: 'Hi' }] }])[0]!.id).toBe(t!.id);
  });

  it.each([
    [{}, /must be a JSON array/],
    [[7], /templates\[0\]: must be an object/],
    [[{ language: 'en_US', components: [{ type: 'BODY', text: 'x' }] }], /templates\[0\]\.name: required/],
    [
      [{ name: 'x', language: 'en_US', status: 'LIVE', components: [{ type: 'BODY', text: 'x' }] }],
      /status: must be APPROVED\|PENDING/,
    ],
    [[{ name: 'x', language: 'en_US', components: [{ type: 'BODY' }] }], /components\[0\]\.text: required/],
    [
      [
        {
          name: 'x',
          language: 'en_US',
          components: [
            { type: 'BODY', text: 'a' },
            { type: 'BODY', text: 'b' },
          ],
        },
      ],
      /has 2 BODY components/,
    ],
    [
      [
        {
          name: 'x',
          language: 'en_US',
          components: [
            { type: 'HEADER', format: 'GIF' },
            { type: 'BODY', text: 'b' },
          ],
        },
      ],
      /format: must be TEXT\|IMAGE/,
    ],
    [
      [
        {
          name: 'x',
          language: 'en_US',
          components: [
            { type: 'BODY', text: 'b' },
            { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Go' }] },
          ],
        },
      ],
      /buttons\[0\]\.url: required/,
    ],
    [
      [
        { name: 'x', language: 'en_US', components: [{ type: 'BODY', text: 'b' }] },
        { name: 'x', language: 'en_US', components: [{ type: 'BODY', text: 'b' }] },
      ],
      /x \(en_US\) is listed twice/,
    ],
  ])('refuses %j', (value, message) => {
    expect(() => parseTemplates(value)).toThrow(message);
  });
});

describe('parseTemplateStatus', () => {
  it.each([
    ['order_update=PAUSED', { name: 'order_update', language: null, status: 'PAUSED' }],
    ['order_update:pt_BR=disabled', { name: 'order_update', language: 'pt_BR', status: 'DISABLED' }],
    [
      { name: 'a', status: 'REJECTED' },
      { name: 'a', language: null, status: 'REJECTED' },
    ],
  ])('reads %j', (spec, want) => {
    expect(parseTemplateStatus(spec)).toEqual(want);
  });

  it.each(['order_update', 'order_update=SLEEPING', '=PAUSED', 'Order Update=PAUSED'])('refuses "%s"', (spec) => {
    expect(() => parseTemplateStatus(spec, '--template-status')).toThrow(/--template-status must look like NAME\[:LANG\]=STATUS/);
  });
});

describe('wa-send sandbox template and number flags', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-flags-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const flags = (extra: Partial<SandboxFlags> = {}): SandboxFlags => ({ port: 0, host: '127.0.0.1', ...extra });
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const usage = (f: () => unknown): WaSendError => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(WaSendError);
      expect((err as WaSendError).kind).toBe('usage');
      return err as WaSendError;
    }
    throw new Error('expected a usage error');
  };

  it('maps --templates, --template-status and the number flags to options', () => {
    const path = file('ok.json', JSON.stringify([SHIPPING]));
    const o = sandboxOptions(
      flags({
        templates: path,
        templateStatus: ['order_update=PAUSED'],
        quality: 'RED',
        messagingLimit: 'TIER_2K',
        throughput: 'HIGH',
      }),
      {},
    );
    expect(o).toMatchObject({
      quality: 'RED',
      messagingLimit: 'TIER_2K',
      throughput: 'HIGH',
      templateStatuses: [{ name: 'order_update', language: null, status: 'PAUSED' }],
    });
    expect(o.templates).toHaveLength(1);
    expect(sandboxOptions(flags(), {})).toMatchObject({ templates: undefined, templateStatuses: undefined });
  });

  it('names the file and every problem of a bad --templates file', () => {
    expect(usage(() => sandboxOptions(flags({ templates: join(dir, 'missing.json') }), {})).message).toMatch(
      /cannot read --templates .*missing\.json: ENOENT/,
    );
    expect(usage(() => sandboxOptions(flags({ templates: file('syntax.json', '[{') }), {})).message).toMatch(
      /syntax\.json is not valid JSON/,
    );
    const shape = usage(() => sandboxOptions(flags({ templates: file('shape.json', '[{"name": "x"}]') }), {})).message;
    expect(shape).toMatch(/--templates .*shape\.json\[0\]\.language: required.*components: must be an array/);
    expect(usage(() => sandboxOptions(flags({ templateStatus: ['order_update=NAPPING'] }), {})).message).toMatch(
      /--template-status must look like/,
    );
  });

  function parse(argv: string[]): Promise<unknown> {
    const program = new Command('wa-send').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    let captured: unknown;
    const bind: Bind =
      () =>
      async (...args: unknown[]) => {
        captured = args[0];
      };
    registerSandbox(program, bind);
    program.commands.forEach((c) => c.exitOverride());
    return program.parseAsync(argv, { from: 'user' }).then(() => captured);
  }

  it('parses the new flags (case-insensitive values, repeatable --template-status)', async () => {
    const f = await parse([
      'sandbox',
      '--quality',
      'yellow',
      '--messaging-limit',
      'tier_250',
      '--throughput',
      'HIGH',
      '--templates',
      't.json',
      '--template-status',
      'a=PAUSED',
      '--template-status',
      'b:en=DISABLED',
    ]);
    expect(f).toMatchObject({
      quality: 'YELLOW',
      messagingLimit: 'TIER_250',
      throughput: 'HIGH',
      templates: 't.json',
      templateStatus: ['a=PAUSED', 'b:en=DISABLED'],
    });
  });

  it.each([
    ['--quality', 'BLUE'],
    ['--messaging-limit', 'TIER_5'],
    ['--throughput', 'FAST'],
  ])('rejects %s %s', async (flag, value) => {
    await expect(parse(['sandbox', flag, value])).rejects.toBeInstanceOf(CommanderError);
  });

  it('documents when template checks apply in its help', () => {
    const program = new Command('wa-send');
    registerSandbox(program, () => async () => {});
    let help = '';
    const sandbox = program.commands.find((c) => c.name() === 'sandbox')!;
    sandbox.configureOutput({
      writeOut: (s) => {
        help += s;
      },
    });
    sandbox.outputHelp();
    expect(help).toMatch(/Only when --templates or --template-status is given/);
    expect(help).toMatch(/message_templates/);
  });
});
