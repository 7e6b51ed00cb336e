// `wa-send sandbox`: flag parsing and validation, the one stdout line scripts parse, a clean stop.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Bind } from '../../src/cli/commands/action.js';
import type { Context } from '../../src/cli/context.js';
import { parseFailSpec, registerSandbox, runSandbox, type SandboxFlags, sandboxOptions } from '../../src/cli/sandbox.js';
import { WaSendError } from '../../src/core/errors.js';
import { post, textMessage, waitFor } from './helpers.js';

function fakeContext(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      quiet: false,
      verbose: false,
    },
    env,
    journalLabel: '/nonexistent',
    withJournal: () => {
      throw new Error('the sandbox must not open the journal');
    },
  } as unknown as Context;
  return { ctx, out, err };
}

const flags = (extra: Partial<SandboxFlags> = {}): SandboxFlags => ({ port: 0, host: '127.0.0.1', ...extra });

describe('parseFailSpec', () => {
  it('parses code=fraction', () => {
    expect(parseFailSpec('131026=0.1')).toEqual({ code: 131026, fraction: 0.1 });
    expect(parseFailSpec(' 130429 = 1 ')).toEqual({ code: 130429, fraction: 1 });
    expect(parseFailSpec('131000=.5')).toEqual({ code: 131000, fraction: 0.5 });
  });

  it.each(['131026', '131026=1.5', 'abc=0.1', '131026=-0.1', '1.5=0.1', '=0.2'])('rejects "%s" as a usage error', (spec) => {
    let thrown: unknown;
    try {
      parseFailSpec(spec);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(WaSendError);
    expect((thrown as WaSendError).kind).toBe('usage');
    expect((thrown as WaSendError).message).toContain('--fail');
  });
});

describe('sandboxOptions', () => {
  it('maps flags and takes the app secret from WA_APP_SECRET', () => {
    const o = sandboxOptions(
      flags({ latency: 5, fail: ['131026=0.2', '131000=0.1'], webhookUrl: 'http://127.0.0.1:9/wh', readFraction: 0.3 }),
      { WA_APP_SECRET: 'env-secret' },
    );
    expect(o).toMatchObject({
      latencyMs: 5,
      failures: [
        { code: 131026, fraction: 0.2 },
        { code: 131000, fraction: 0.1 },
      ],
      appSecret: 'env-secret',
      readFraction: 0.3,
    });
    expect(sandboxOptions(flags({ appSecret: 'flag' }), { WA_APP_SECRET: 'env' }).appSecret).toBe('flag');
  });

  it('refuses a webhook URL without a secret to sign with', () => {
    expect(() => sandboxOptions(flags({ webhookUrl: 'http://127.0.0.1:9/wh' }), {})).toThrow(/app secret/);
    expect(() => sandboxOptions(flags({ webhookUrl: 'ftp://x', appSecret: 's' }), {})).toThrow(/http\(s\) URL/);
  });
});

describe('runSandbox', () => {
  it('prints exactly one line with the URL, serves, and stops cleanly', async () => {
    const { ctx, out, err } = fakeContext();
    let stop!: () => void;
    const done = runSandbox(
      ctx,
      flags({ appSecret: 'do-not-print-me', fail: ['131026=1'] }),
      new Promise<void>((r) => {
        stop = r;
      }),
    );
    await waitFor(() => out.length > 0);
    expect(out).toHaveLength(1);
    const url = /^wa-send sandbox listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(out[0]!)?.[1];
    expect(url).toBeDefined();
    expect((await post(url!, textMessage('+15551230000'))).json.error.code).toBe(131026);
    stop();
    expect(await done).toBe(0);
    await expect(fetch(`${url}/_sandbox/stats`)).rejects.toThrow();
    expect(out.join('') + err.join('')).not.toContain('do-not-print-me');
    expect(err.join('')).toMatch(/sandbox stopped: 1 requests, 0 accepted/);
  });

  it('prints {"url": …} with --json', async () => {
    const { ctx, out } = fakeContext();
    let stop!: () => void;
    const done = runSandbox(
      ctx,
      flags({ json: true }),
      new Promise<void>((r) => {
        stop = r;
      }),
    );
    await waitFor(() => out.length > 0);
    expect(JSON.parse(out[0]!)).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(out[0]!.trim().split('\n')).toHaveLength(1);
    stop();
    expect(await done).toBe(0);
  });
});

describe('registerSandbox', () => {
  function parse(argv: string[]): Promise<unknown> {
    const program = new Command('wa-send').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    let captured: unknown;
    // The wrap records the parsed flags instead of running (running would wait for a signal).
    const bind: Bind =
      () =>
      async (...args: unknown[]) => {
        captured = args[0];
      };
    registerSandbox(program, bind);
    program.commands.forEach((c) => c.exitOverride());
    return program.parseAsync(argv, { from: 'user' }).then(() => captured);
  }

  it('parses every flag, with port 8089 and host 127.0.0.1 by default', async () => {
    expect(await parse(['sandbox'])).toMatchObject({ port: 8089, host: '127.0.0.1' });
    const f = await parse([
      'sandbox',
      '--port',
      '0',
      '--latency',
      '20',
      '--jitter',
      '5',
      '--fail',
      '131026=0.1',
      '--fail',
      '131000=0.2',
      '--seed',
      's1',
      '--mps',
      '80',
      '--token',
      't',
      '--webhook-url',
      'http://127.0.0.1:1/w',
      '--app-secret',
      'x',
      '--read-fraction',
      '0.25',
      '--json',
    ]);
    expect(f).toEqual({
      port: 0,
      host: '127.0.0.1',
      latency: 20,
      jitter: 5,
      fail: ['131026=0.1', '131000=0.2'],
      seed: 's1',
      mps: 80,
      token: 't',
      webhookUrl: 'http://127.0.0.1:1/w',
      appSecret: 'x',
      readFraction: 0.25,
      json: true,
    });
  });

  it.each([
    ['--read-fraction', '2'],
    ['--port', '-1'],
    ['--mps', '0'],
    ['--latency', 'soon'],
  ])('rejects %s %s', async (flag, value) => {
    await expect(parse(['sandbox', flag, value])).rejects.toBeInstanceOf(CommanderError);
  });
});

describe('runSandbox errors', () => {
  it('turns a busy port into a usage error that suggests --port 0', async () => {
    const { ctx } = fakeContext();
    let stop!: () => void;
    const first = fakeContext();
    const done = runSandbox(
      first.ctx,
      flags(),
      new Promise<void>((r) => {
        stop = r;
      }),
    );
    await waitFor(() => first.out.length > 0);
    const port = Number(/:(\d+)\n$/.exec(first.out[0]!)![1]);
    const err = await runSandbox(ctx, flags({ port }), Promise.resolve()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as WaSendError).hint).toMatch(/--port 0/);
    stop();
    await done;
  });
});
