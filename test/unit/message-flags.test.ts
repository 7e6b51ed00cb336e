import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { addMessageFlags, type MessageCliFlags, messageFromCliFlags } from '../../src/cli/message-flags.js';
import { WaSendError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'wa-send-message-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(args: string[]): MessageCliFlags {
  const command = addMessageFlags(new Command('broadcast').exitOverride());
  command.parse(args, { from: 'user' });
  return command.opts<MessageCliFlags>();
}

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('message flags', () => {
  it('--lang has no commander default, so giving it with --text can be told apart', () => {
    expect(parse(['--template', 'hello_world']).lang).toBeUndefined();
    expect(usage(() => messageFromCliFlags(parse(['--text', 'hi', '--lang', 'fr'])))).toMatch(
      /--lang sets a template's language/,
    );
    expect(messageFromCliFlags(parse(['--text', 'hi']))).toEqual({ type: 'text', text: { body: 'hi', preview_url: false } });
  });

  it('the template still gets en_US by default, and the help still says so', () => {
    expect(messageFromCliFlags(parse(['--template', 'hello_world']))).toEqual({
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const help = addMessageFlags(new Command('broadcast')).helpInformation();
    // Word for word what commander printed when it held the default.
    expect(help).toMatch(/--lang <code>\s+template language code \(default: "en_US"\)\n/);
  });

  it('a --message-file saved with a UTF-8 BOM parses', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify({ type: 'text', text: { body: 'Hi {{name}}' } })}\n`, 'utf8');
    expect(messageFromCliFlags(parse(['--message-file', file]))).toEqual({ type: 'text', text: { body: 'Hi {{name}}' } });
  });

  it('a --message-file that is not JSON is still a usage error naming the file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '\uFEFF{"type":', 'utf8');
    expect(usage(() => messageFromCliFlags(parse(['--message-file', file])))).toMatch(
      /^--message-file .*bad\.json is not valid JSON/,
    );
  });
});
