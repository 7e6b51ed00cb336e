// wa-send metrics: what the exposition says about the journal, read back with an independent parser
// of the text format: broadcast series (with their number and profile), per-number series from two
// profiles on two numbers, and the 24-hour window that keeps broadcast labels from growing forever.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { csvWithPhones, until, workspace } from '../helpers/cli.js';
import { parseExposition } from '../helpers/prometheus.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes();
const HOUR = 3600_000;

async function sandboxBroadcast(ws: ReturnType<typeof workspace>, csvText: string): Promise<string> {
  const csv = join(ws.dir, 'l.csv');
  writeFileSync(csv, csvText);
  const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes', '--max-invalid', '50', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}

describe('wa-send metrics', () => {
  it('exposes recipients by state, rejections and attempts, labelled with the number and profile', async () => {
    const ws = workspace();
    const id = await sandboxBroadcast(ws, `${csvWithPhones(3)}Bad,12\n`);
    const r = await ws.run(['metrics']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const m = parseExposition(r.stdout);
    const broadcast = { broadcast: id, number: 'sandbox', profile: '' };
    expect(m.value('wa_send_broadcasts', { state: 'completed' })).toBe(1);
    expect(m.value('wa_send_recipients', { ...broadcast, state: 'sent' })).toBe(3);
    expect(m.value('wa_send_recipients', { ...broadcast, state: 'failed' })).toBe(0);
    expect(m.value('wa_send_rejected_rows', { ...broadcast, reason: 'invalid_number' })).toBe(1);
    expect(m.value('wa_send_attempts_total', { outcome: 'accepted' })).toBe(3);
    expect(m.family('wa_send_attempts_total')!.type).toBe('COUNTER');
    const number = { number: 'sandbox', profile: '' };
    expect(m.value('wa_send_number_sent_5m', number)).toBe(3);
    expect(m.value('wa_send_number_failed_5m', number)).toBe(0);
    expect(m.value('wa_send_number_daily_reached', number)).toBe(3);
    expect(m.value('wa_send_active_broadcasts', number)).toBe(0);
    expect(m.samples('wa_send_number_daily_limit')).toEqual([]); // no config file, no limit
    for (const f of m.families) expect(f.help, f.name).not.toBe('');
  });

  it('an empty journal: every family with its help, no series that name a broadcast or a number', async () => {
    const ws = workspace();
    const r = await ws.run(['metrics']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\(no journal at .* yet\)\n$/);
    const m = parseExposition(r.stdout);
    expect(m.samples('wa_send_recipients')).toEqual([]);
    expect(m.samples('wa_send_number_sent_5m')).toEqual([]);
    expect(m.value('wa_send_webhook_events_total')).toBe(0);
  });

  it('two profiles on two numbers in one journal: separate number labels, their counts and daily limits', async () => {
    const s = await sandbox();
    const ws = workspace({ A_TOKEN: 'token-a-not-secret', B_TOKEN: 'token-b-not-secret' });
    const config = join(ws.dir, 'config.toml');
    writeFileSync(
      config,
      `[profiles.a]
phone_number_id = "1110001"
api_url = "${s.url}"
token_env = "A_TOKEN"
daily_limit = 100

[profiles.b]
phone_number_id = "2220002"
api_url = "${s.url}"
token_env = "B_TOKEN"
daily_limit = 4

# Configured but never used: its limit shows before its first broadcast.
[profiles.c]
phone_number_id = "3330003"
token_env = "C_TOKEN"
daily_limit = 50
`,
    );
    const ids: Record<string, string> = {};
    for (const [profile, n, start] of [
      ['a', 3, 0],
      ['b', 2, 100],
    ] as const) {
      const csv = join(ws.dir, `${profile}.csv`);
      writeFileSync(csv, csvWithPhones(n, start));
      const r = await ws.run([
        '--config',
        config,
        '--profile',
        profile,
        'broadcast',
        csv,
        '--template',
        'hello_world',
        '--yes',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      ids[profile] = JSON.parse(r.stdout).id;
    }
    const r = await ws.run(['--config', config, 'metrics']);
    expect(r.code, r.stderr).toBe(0);
    const m = parseExposition(r.stdout);
    const a = { number: '1110001', profile: 'a' };
    const b = { number: '2220002', profile: 'b' };
    const c = { number: '3330003', profile: 'c' };
    expect(m.samples('wa_send_number_sent_5m').map((x) => x.labels)).toEqual([a, b, c]);
    expect([a, b, c].map((x) => m.value('wa_send_number_sent_5m', x))).toEqual([3, 2, 0]);
    expect([a, b, c].map((x) => m.value('wa_send_number_daily_reached', x))).toEqual([3, 2, 0]);
    expect([a, b, c].map((x) => m.value('wa_send_number_daily_limit', x))).toEqual([100, 4, 50]);
    expect([a, b, c].map((x) => m.value('wa_send_number_daily_limit_used_ratio', x))).toEqual([0.03, 0.5, 0]);
    expect(m.value('wa_send_recipients', { broadcast: ids.a!, ...a, state: 'sent' })).toBe(3);
    expect(m.value('wa_send_recipients', { broadcast: ids.b!, ...b, state: 'sent' })).toBe(2);
    expect(r.stdout).not.toMatch(/token-[ab]-not-secret/);
    // Without the config file: the same numbers and profiles (from their broadcasts), no limits.
    const bare = parseExposition((await ws.run(['metrics'])).stdout);
    expect(bare.value('wa_send_number_sent_5m', b)).toBe(2);
    expect(bare.samples('wa_send_number_daily_limit')).toEqual([]);
  });

  it('a broadcast sending now counts as active for its number, and as running', async () => {
    const s = await sandbox(['--latency', '2000']);
    const ws = workspace(s.env);
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(2));
    const running = ws.run(['broadcast', csv, '--template', 'hello_world', '--yes']);
    await until(async () => (await s.stats()).in_flight > 0, 'a request in flight');
    const number = { number: s.env.WA_PHONE_NUMBER_ID!, profile: '' };
    const during = parseExposition((await ws.run(['metrics'])).stdout);
    expect(during.value('wa_send_active_broadcasts', number)).toBe(1);
    expect(during.value('wa_send_broadcasts', { state: 'running' })).toBe(1);
    expect((await running).code).toBe(0);
    const after = parseExposition((await ws.run(['metrics'])).stdout);
    expect(after.value('wa_send_active_broadcasts', number)).toBe(0);
    expect(after.value('wa_send_number_sent_5m', number)).toBe(2);
  });

  it('broadcast-labelled series leave once a broadcast finished more than 24 h ago; number series stay', async () => {
    const ws = workspace();
    const id = await sandboxBroadcast(ws, csvWithPhones(2));
    const later = { now: () => Date.now() + 25 * HOUR, sleep: systemClock.sleep };
    const r = await ws.run(['metrics'], { clock: later });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(id);
    const m = parseExposition(r.stdout);
    expect(m.samples('wa_send_recipients')).toEqual([]);
    expect(m.samples('wa_send_broadcasts')).toEqual([]);
    expect(m.value('wa_send_attempts_total', { outcome: 'accepted' })).toBe(2); // journal-wide totals keep counting
    const number = { number: 'sandbox', profile: '' };
    expect(m.value('wa_send_number_sent_5m', number)).toBe(0);
    expect(m.value('wa_send_number_daily_reached', number)).toBe(0);
    // 23 h later the broadcast is still inside the window.
    const inside = await ws.run(['metrics'], { clock: { now: () => Date.now() + 23 * HOUR, sleep: systemClock.sleep } });
    expect(parseExposition(inside.stdout).value('wa_send_recipients', { broadcast: id, state: 'sent' })).toBe(2);
  });

  it('a config file that does not parse: exit 2, one line, nothing on stdout', async () => {
    const ws = workspace();
    const config = join(ws.dir, 'bad.toml');
    writeFileSync(config, '[profiles.a]\nphone_number_id = \n');
    const r = await ws.run(['--config', config, 'metrics']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^wa-send: config .*bad\.toml: not valid TOML/);
  });
});
