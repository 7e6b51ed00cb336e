// loadConfig: where the file is looked for, what a missing file means, and the key contract with
// every problem reported at once (DESIGN §1).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfigPath, loadConfig } from '../../src/config/index.js';
import { WaSendError } from '../../src/core/errors.js';
import { META_API_URL } from '../../src/core/types.js';
import { type TempDir, TOKEN, tempDir } from './helpers.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

function problemsOf(text: string): string[] {
  const path = dir.file(`c${Math.random()}.toml`, text);
  try {
    loadConfig({ path, env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('defaultConfigPath', () => {
  it.each([
    [{ XDG_CONFIG_HOME: '/etc/xdg', HOME: '/home/ana' }, '/etc/xdg/wa-send/config.toml'],
    [{ XDG_CONFIG_HOME: 'relative/dir', HOME: '/home/ana' }, '/home/ana/.config/wa-send/config.toml'],
    [{ XDG_CONFIG_HOME: '', HOME: '/home/ana' }, '/home/ana/.config/wa-send/config.toml'],
    [{ HOME: '/home/bo' }, '/home/bo/.config/wa-send/config.toml'],
  ])('%j → %s', (env, want) => {
    expect(defaultConfigPath(env)).toBe(want);
  });
});

describe('loadConfig', () => {
  it('reads the contract example from DESIGN §1', () => {
    dir.file('etc/acme.token', `${TOKEN}\n`);
    const path = dir.file(
      'design.toml',
      `
[profiles.acme]
phone_number_id = "106540352242922"
waba_id = "102290129340398"          # for doctor's template checks
api_url = "https://graph.example.com/" # optional
token_env = "ACME_WA_TOKEN"
rate = 80
daily_limit = 2000
notify = "https://hooks.example.com/services/T000/B000/XXXX"
dedup_window = "7d"
require_optin = false

[profiles.beta]
phone_number_id = "2"
token_file = "etc/acme.token"
dedup_window = "0"
`,
    );
    const config = loadConfig({ path, env: {} });
    expect(config.path).toBe(path);
    expect(config.profiles.get('acme')).toEqual({
      name: 'acme',
      phoneNumberId: '106540352242922',
      wabaId: '102290129340398',
      apiUrl: 'https://graph.example.com',
      tokenEnv: 'ACME_WA_TOKEN',
      rate: 80,
      dailyLimit: 2000,
      notify: 'https://hooks.example.com/services/T000/B000/XXXX',
      dedupWindowMs: 7 * 86_400_000,
      requireOptin: false,
    });
    // A relative token_file is read from the config file's directory.
    expect(config.profiles.get('beta')).toEqual({
      name: 'beta',
      phoneNumberId: '2',
      tokenFile: `${dir.path}/etc/acme.token`,
      dedupWindowMs: 0,
    });
  });

  it('finds the default file under XDG_CONFIG_HOME, and treats a missing default file as no profiles', () => {
    dir.file('xdg/wa-send/config.toml', '[profiles.x]\nphone_number_id = "1"\n');
    const found = loadConfig({ env: { XDG_CONFIG_HOME: `${dir.path}/xdg` } });
    expect(found.path).toBe(`${dir.path}/xdg/wa-send/config.toml`);
    expect([...found.profiles.keys()]).toEqual(['x']);
    expect(loadConfig({ env: { XDG_CONFIG_HOME: `${dir.path}/nothing-here`, HOME: dir.path } })).toEqual({
      path: null,
      profiles: new Map(),
    });
  });

  it('refuses an explicit --config file that does not exist, as a usage error', () => {
    const err = (() => {
      try {
        loadConfig({ path: `${dir.path}/nope.toml`, env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).kind).toBe('usage');
    expect((err as Error).message).toBe(`config ${dir.path}/nope.toml: the file does not exist`);
  });

  it('an empty file has no profiles', () => {
    expect(loadConfig({ path: dir.file('empty.toml', '# nothing yet\n'), env: {} }).profiles.size).toBe(0);
  });

  it('names the line and column of a TOML syntax error, on one line', () => {
    const path = dir.file('syntax.toml', '[profiles.acme]\nrate = = 80\n');
    expect(() => loadConfig({ path, env: {} })).toThrow(
      new RegExp(`^config ${path}: not valid TOML at line 2, column \\d+: [^\\n]+$`),
    );
  });

  const CASES: [string, string, string[]][] = [
    ['a misspelt key, with a suggestion', 'rat = 80', ['profiles.p.rat: unknown key (did you mean "rate"?)']],
    ['a transposed key', 'tokne_env = "X"', ['profiles.p.tokne_env: unknown key (did you mean "token_env"?)']],
    [
      'an unknown key nothing like a known one',
      'colour = "blue"',
      [
        expect.stringMatching(
          /^profiles\.p\.colour: unknown key \(known: phone_number_id, waba_id, .*require_optin\)$/,
        ) as unknown as string,
      ],
    ],
    [
      'a number id written as a number',
      'phone_number_id = 106540352242922',
      ['profiles.p.phone_number_id: must be a string, got 106540352242922 (quote it: phone_number_id = "106540352242922")'],
    ],
    ['a non-numeric id', 'waba_id = "acme"', ['profiles.p.waba_id: must be the numeric id Meta shows, got "acme"']],
    [
      'both token sources',
      'token_env = "A"\ntoken_file = "/etc/x"',
      ['profiles.p.token_file: /etc/x does not exist', 'profiles.p: has both token_env and token_file; keep one'],
    ],
    [
      'a bad env name',
      'token_env = "ACME-TOKEN"',
      ['profiles.p.token_env: must be an environment variable name like ACME_WA_TOKEN, got "ACME-TOKEN"'],
    ],
    [
      'a bad api_url',
      'api_url = "graph.example.com"',
      [`profiles.p.api_url: must be an http(s) URL like ${META_API_URL}, got "graph.example.com"`],
    ],
    [
      'credentials in api_url',
      'api_url = "https://u:p@graph.example.com"',
      ['profiles.p.api_url: must not hold a user name or password'],
    ],
    ['a zero rate', 'rate = 0', ['profiles.p.rate: must be a whole number ≥ 1 (messages per second), got 0']],
    ['a negative rate', 'rate = -5', ['profiles.p.rate: must be a whole number ≥ 1 (messages per second), got -5']],
    [
      'a fractional daily limit',
      'daily_limit = 10.5',
      ['profiles.p.daily_limit: must be a whole number ≥ 1 (messages per day), got 10.5'],
    ],
    ['a quoted rate', 'rate = "80"', ['profiles.p.rate: must be a whole number ≥ 1 (messages per second), got "80"']],
    [
      'a notify URL that is not one (not quoted back)',
      'notify = "hooks.example.com/services/SECRET"',
      ['profiles.p.notify: must be an http(s) URL (an incoming webhook) or smtp://host?to=address'],
    ],
    [
      'a bare-number dedup window',
      'dedup_window = "7"',
      ['profiles.p.dedup_window: must be a duration like "7d", "12h" or "30m", or "0" for none; got "7"'],
    ],
    ['a dedup window in weeks and days', 'dedup_window = "1w2d"', []],
    [
      'a quoted boolean',
      'require_optin = "yes"',
      ['profiles.p.require_optin: must be true or false (without quotes), got "yes"'],
    ],
    ['an smtp notify', 'notify = "smtp://mail.example.com:587?to=ops@example.com"', []],
  ];

  it.each(CASES)('reports %s', (_what, body, want) => {
    if (want.length === 0)
      expect(loadConfig({ path: dir.file(`ok${Math.random()}.toml`, `[profiles.p]\n${body}\n`), env: {} }).profiles.size).toBe(1);
    else expect(problemsOf(`[profiles.p]\n${body}\n`)).toEqual(want);
  });

  it('reports every problem of every profile in one error, on one line', () => {
    const path = dir.file(
      'many.toml',
      `
profile = "x"
[profiles.a]
rate = 0
rtae = 1
[profiles.b]
token_env = "B"
token_file = "/nonexistent/b.token"
dedup_window = "soon"
[profiles."bad name"]
`,
    );
    let err: ConfigError | undefined;
    try {
      loadConfig({ path, env: {} });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.problems).toEqual([
      'profile: unknown key (did you mean "[profiles.NAME]"?)',
      'profiles.a.rtae: unknown key (did you mean "rate"?)',
      'profiles.a.rate: must be a whole number ≥ 1 (messages per second), got 0',
      'profiles.b.token_file: /nonexistent/b.token does not exist',
      'profiles.b: has both token_env and token_file; keep one',
      'profiles.b.dedup_window: must be a duration like "7d", "12h" or "30m", or "0" for none; got "soon"',
      'profiles.bad name: a profile name may hold letters, digits, ".", "_" and "-" only',
    ]);
    expect(err?.message).toMatch(new RegExp(`^config ${path}: 7 problems: profile: unknown key`));
    expect(err?.message).not.toContain('\n');
    expect(err?.hint).toMatch(/--config/);
  });

  it('refuses a token file others can read, naming the file and the chmod that fixes it', () => {
    const open = dir.file('open.token', TOKEN, 0o644);
    const groupOnly = dir.file('group.token', TOKEN, 0o640);
    const path = dir.file('perm.toml', `[profiles.a]\ntoken_file = "${open}"\n[profiles.b]\ntoken_file = "${groupOnly}"\n`);
    expect(problemsOf(`[profiles.a]\ntoken_file = "${open}"\n`)).toEqual([
      `profiles.a.token_file: ${open} is accessible to other users (mode 0644); refusing it: run chmod 600 ${open}`,
    ]);
    expect(() => loadConfig({ path, env: {} })).toThrow(/group\.token is accessible to other users \(mode 0640\)/);
    expect(
      loadConfig({ path: dir.file('fine.toml', `[profiles.a]\ntoken_file = "${dir.file('ok.token', TOKEN, 0o400)}"\n`), env: {} })
        .profiles.size,
    ).toBe(1);
  });

  it('refuses profiles that are not tables', () => {
    expect(problemsOf('profiles = 3\n')).toEqual(['profiles: must hold [profiles.NAME] tables']);
    expect(problemsOf('[profiles]\nacme = "x"\n')).toEqual([
      'profiles.acme: must be a table ([profiles.acme] followed by its keys)',
    ]);
  });
});
