// describeProfile: what `wa-send profiles` shows; never a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProfile, loadConfig } from '../../src/config/index.js';
import { type TempDir, TOKEN, tempDir } from './helpers.js';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('describeProfile', () => {
  it('shows the settings and where the token comes from, never the token or the notify secret', () => {
    const tokenFile = dir.file('acme.token', `${TOKEN}\n`);
    const path = dir.file(
      'config.toml',
      `
[profiles.acme]
phone_number_id = "106540352242922"
waba_id = "102290129340398"
token_file = "${tokenFile}"
rate = 80
daily_limit = 2000
notify = "https://hooks.example.com/services/T000/B000/XXXX"
dedup_window = "36h"
require_optin = true

[profiles.env]
token_env = "ACME_WA_TOKEN"
notify = "smtp://mail.example.com:587?to=ops@example.com"

[profiles.bare]
phone_number_id = "1"
`,
    );
    const profiles = loadConfig({ path, env: {} }).profiles;
    const acme = describeProfile(profiles.get('acme')!);
    expect(acme.lines).toEqual([
      'phone number id: 106540352242922',
      'WABA id: 102290129340398',
      'rate: 80 msg/s',
      'daily limit: 2000',
      'notify: https://hooks.example.com/…',
      'dedup window: 1d12h',
      'require opt-in: true',
      `token file ${tokenFile} (0600)`,
    ]);
    expect(acme.json).toEqual({
      name: 'acme',
      phone_number_id: '106540352242922',
      waba_id: '102290129340398',
      api_url: null,
      token: { file: tokenFile, mode: '0600' },
      rate: 80,
      daily_limit: 2000,
      notify: 'https://hooks.example.com/…',
      dedup_window: '1d12h',
      require_optin: true,
    });
    expect(describeProfile(profiles.get('env')!).lines).toEqual([
      'notify: smtp://mail.example.com:587 → ops@example.com',
      'token from $ACME_WA_TOKEN',
    ]);
    expect(describeProfile(profiles.get('bare')!).lines).toEqual([
      'phone number id: 1',
      'token: none in the profile (WA_ACCESS_TOKEN is used)',
    ]);
    const all = JSON.stringify([...profiles.values()].map(describeProfile));
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('XXXX');
  });

  it('says when a token file has gone missing since loading', () => {
    expect(describeProfile({ name: 'x', tokenFile: `${dir.path}/gone.token` }).lines).toEqual([
      `token file ${dir.path}/gone.token (missing)`,
    ]);
    expect(describeProfile({ name: 'x', dedupWindowMs: 0 }).json.dedup_window).toBe('0 (off)');
  });
});
