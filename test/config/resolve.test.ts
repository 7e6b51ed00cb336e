// The resolution order flag > env > profile > default, setting by setting, and choosing the profile.
import { describe, expect, it } from 'vitest';
import {
  type Profile,
  resolveProfileName,
  resolveSettings,
  SETTING_DEFAULTS,
  type SettingFlags,
  selectProfile,
} from '../../src/config/index.js';
import { WaSendError } from '../../src/core/errors.js';

const ACME: Profile = {
  name: 'acme',
  phoneNumberId: '111',
  wabaId: '222',
  apiUrl: 'https://proxy.example',
  tokenEnv: 'ACME_WA_TOKEN',
  rate: 40,
  dailyLimit: 2000,
  notify: 'https://hooks.example/a',
  dedupWindowMs: 43_200_000,
  requireOptin: true,
};
const ENV = {
  WA_PHONE_NUMBER_ID: '999',
  WA_API_URL: 'http://127.0.0.1:8089/',
  WA_ACCESS_TOKEN: 'x',
  WA_WABA_ID: '888',
  WA_SEND_NOTIFY: 'smtp://mail.example.com:587?to=ops@example.com',
};
const FLAGS: SettingFlags = {
  phoneNumberId: '1',
  apiUrl: 'https://flag.example',
  wabaId: '3',
  rate: 10,
  dailyLimit: 5,
  notify: 'https://flag.example/n',
  dedupWindowMs: 0,
  requireOptin: false,
};

const view = (s: ReturnType<typeof resolveSettings>) =>
  Object.fromEntries(
    Object.entries(s)
      .filter(([k]) => k !== 'envOverrides')
      .map(([k, r]) => [k, [(r as { value: unknown }).value, (r as { from: string }).from]]),
  );

describe('resolveSettings', () => {
  it("defaults to Meta's Graph API host", () => {
    expect(SETTING_DEFAULTS.apiUrl).toMatch(/^https:\/\/graph\.facebook\.com$/);
  });

  it('uses the defaults with nothing given', () => {
    expect(view(resolveSettings({ flags: {}, env: {}, profile: null }))).toEqual({
      phoneNumberId: [null, 'default'],
      apiUrl: [SETTING_DEFAULTS.apiUrl, 'default'],
      token: [null, 'default'],
      wabaId: [null, 'default'],
      rate: [80, 'default'],
      dailyLimit: [null, 'default'],
      notify: [null, 'default'],
      dedupWindowMs: [604_800_000, 'default'],
      requireOptin: [false, 'default'],
    });
  });

  it('takes everything a profile sets over the defaults', () => {
    expect(view(resolveSettings({ flags: {}, env: {}, profile: ACME }))).toEqual({
      phoneNumberId: ['111', 'profile'],
      apiUrl: ['https://proxy.example', 'profile'],
      token: [{ kind: 'env', name: 'ACME_WA_TOKEN' }, 'profile'],
      wabaId: ['222', 'profile'],
      rate: [40, 'profile'],
      dailyLimit: [2000, 'profile'],
      notify: ['https://hooks.example/a', 'profile'],
      dedupWindowMs: [43_200_000, 'profile'],
      requireOptin: [true, 'profile'],
    });
  });

  it('lets the environment beat the profile, where an env name exists, and reports each override', () => {
    const s = resolveSettings({ flags: {}, env: ENV, profile: ACME });
    expect(view(s)).toEqual({
      phoneNumberId: ['999', 'env'],
      apiUrl: ['http://127.0.0.1:8089', 'env'],
      token: [{ kind: 'env', name: 'WA_ACCESS_TOKEN' }, 'env'],
      wabaId: ['888', 'env'],
      rate: [40, 'profile'],
      dailyLimit: [2000, 'profile'],
      notify: ['smtp://mail.example.com:587?to=ops@example.com', 'env'],
      dedupWindowMs: [43_200_000, 'profile'],
      requireOptin: [true, 'profile'],
    });
    expect(s.phoneNumberId.origin).toBe('WA_PHONE_NUMBER_ID');
    expect(s.rate.origin).toBe('profile acme');
    expect(s.envOverrides.map((o) => o.env)).toEqual([
      'WA_ACCESS_TOKEN',
      'WA_PHONE_NUMBER_ID',
      'WA_API_URL',
      'WA_WABA_ID',
      'WA_SEND_NOTIFY',
    ]);
  });

  it('lets flags beat everything, false and 0 included', () => {
    const s = resolveSettings({ flags: FLAGS, env: ENV, profile: ACME });
    expect(view(s)).toMatchObject({
      phoneNumberId: ['1', 'flag'],
      apiUrl: ['https://flag.example', 'flag'],
      wabaId: ['3', 'flag'],
      rate: [10, 'flag'],
      dailyLimit: [5, 'flag'],
      notify: ['https://flag.example/n', 'flag'],
      dedupWindowMs: [0, 'flag'],
      requireOptin: [false, 'flag'],
    });
    expect(s.requireOptin.origin).toBe('--require-optin');
  });

  it('ignores empty environment values, and does not call an equal env value an override', () => {
    const s = resolveSettings({
      flags: {},
      env: { WA_PHONE_NUMBER_ID: '', WA_API_URL: 'https://proxy.example/', WA_ACCESS_TOKEN: '  ' },
      profile: ACME,
    });
    expect(s.phoneNumberId).toEqual({ value: '111', from: 'profile', origin: 'profile acme' });
    expect(s.apiUrl.from).toBe('env');
    expect(s.token.from).toBe('profile');
    expect(s.envOverrides).toEqual([]);
  });

  it('names a token file as the source when the profile has one', () => {
    expect(resolveSettings({ flags: {}, env: {}, profile: { name: 'f', tokenFile: '/etc/wa-send/f.token' } }).token).toEqual({
      value: { kind: 'file', path: '/etc/wa-send/f.token' },
      from: 'profile',
      origin: 'profile f',
    });
  });
});

describe('resolveProfileName and selectProfile', () => {
  const config = {
    path: '/etc/wa-send/config.toml',
    profiles: new Map([
      ['acme', ACME],
      ['beta', { name: 'beta' }],
    ]),
  };

  it.each([
    [{ profile: 'acme' }, { WA_SEND_PROFILE: 'beta' }, { value: 'acme', from: 'flag', origin: '--profile' }],
    [{}, { WA_SEND_PROFILE: ' beta ' }, { value: 'beta', from: 'env', origin: 'WA_SEND_PROFILE' }],
    [{}, { WA_SEND_PROFILE: '' }, { value: null, from: 'default', origin: null }],
  ])('%j with %j', (flags, env, want) => {
    expect(resolveProfileName(flags, env)).toEqual(want);
  });

  it('selects the named profile, or none', () => {
    expect(selectProfile(config, resolveProfileName({ profile: 'acme' }, {}))).toBe(ACME);
    expect(selectProfile(config, resolveProfileName({}, {}))).toBeNull();
  });

  it('refuses an unknown name with the list and a suggestion', () => {
    let err: unknown;
    try {
      selectProfile(config, resolveProfileName({}, { WA_SEND_PROFILE: 'acm' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WaSendError);
    expect((err as WaSendError).message).toBe(
      'no profile "acm" (from WA_SEND_PROFILE): /etc/wa-send/config.toml defines acme, beta',
    );
    expect((err as WaSendError).hint).toBe('did you mean acme?');
    expect(() => selectProfile({ path: null, profiles: new Map() }, resolveProfileName({ profile: 'x' }, {}))).toThrow(
      'no profile "x" (from --profile): there is no config file',
    );
  });
});
