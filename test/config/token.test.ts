// readProfileToken: env var or file, one trailing newline trimmed, insecure files refused at read
// time too, and no error ever quotes the token.
import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Profile, readProfileToken } from '../../src/config/index.js';
import { WaSendError } from '../../src/core/errors.js';
import { type TempDir, TOKEN, tempDir } from './helpers.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const profile = (extra: Partial<Profile>): Profile => ({ name: 'acme', ...extra });

function refusal(p: Profile, env: NodeJS.ProcessEnv = {}): WaSendError {
  try {
    readProfileToken(p, env);
  } catch (err) {
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect(`${(err as Error).message} ${(err as WaSendError).hint ?? ''}`).not.toContain(TOKEN);
    return err as WaSendError;
  }
  throw new Error('expected the token to be refused');
}

describe('readProfileToken', () => {
  it('reads token_env', () => {
    expect(readProfileToken(profile({ tokenEnv: 'ACME_WA_TOKEN' }), { ACME_WA_TOKEN: `${TOKEN}\n` })).toBe(TOKEN);
  });

  it.each([
    ['a trailing newline', `${TOKEN}\n`],
    ['a trailing CRLF', `${TOKEN}\r\n`],
    ['no newline', TOKEN],
  ])('reads token_file with %s', (_what, text) => {
    expect(readProfileToken(profile({ tokenFile: dir.file(`t${Math.random()}.token`, text) }), {})).toBe(TOKEN);
  });

  it.each([
    ['two lines', `${TOKEN}\nsecond\n`, /holds more than one line/],
    ['two trailing newlines', `${TOKEN}\n\n`, /holds more than one line/],
    ['an empty file', '\n', /is empty/],
    ['spaces around it', ` ${TOKEN} \n`, /has spaces around the token/],
  ])('refuses a token file with %s', (_what, text, message) => {
    const path = dir.file(`bad${Math.random()}.token`, text);
    expect(refusal(profile({ tokenFile: path })).message).toMatch(message);
  });

  it('refuses a file that became group- or world-readable after loading, naming the fix', () => {
    const path = dir.file('later.token', `${TOKEN}\n`);
    const p = profile({ tokenFile: path });
    expect(readProfileToken(p, {})).toBe(TOKEN);
    chmodSync(path, 0o604);
    expect(refusal(p).message).toBe(
      `profile acme: token_file ${path} is accessible to other users (mode 0604); refusing it: run chmod 600 ${path}`,
    );
  });

  it('names a missing file, a missing env var, and a profile without a token source', () => {
    expect(refusal(profile({ tokenFile: `${dir.path}/gone.token` })).message).toBe(
      `profile acme: token_file ${dir.path}/gone.token does not exist`,
    );
    expect(refusal(profile({ tokenEnv: 'ACME_WA_TOKEN' }), { ACME_WA_TOKEN: ' ' }).message).toBe(
      'profile acme: the environment variable ACME_WA_TOKEN (its access token) is not set',
    );
    const none = refusal(profile({}));
    expect(none.message).toBe('profile acme has no token_env or token_file');
    expect(none.hint).toMatch(/WA_ACCESS_TOKEN/);
  });
});
