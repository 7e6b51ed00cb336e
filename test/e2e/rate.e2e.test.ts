// --rate as the API sees it: how many requests a stand-in in its own process received in any
// 1-second window, for one run and for two profiles sending at once on their own numbers. (The rate
// gate's own guarantee, on the times requests are written, is proven exactly on virtual time in
// test/unit/engine.test.ts.)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { SLACK_MS, WINDOW_MARGIN_MS } from '../../src/core/engine/rate-gate.js';
import type { SandboxStats } from '../../src/sandbox/stats.js';
import { csvWithPhones, type SandboxProcess, startSandboxProcess, workspace } from '../helpers/cli.js';
import { writeCsv } from '../helpers/journal.js';
import { profilesConfig } from '../helpers/profiles.js';

/**
 * A sandbox in its own process, ahead of the suite's workers where the kernel lets us (root), stopped
 * when this test (not a concurrent one) finishes.
 */
async function sandbox(finished: TestContext['onTestFinished']): Promise<SandboxProcess> {
  const s = await startSandboxProcess([], { priority: -10 });
  finished(() => s.stop());
  return s;
}

/**
 * The most starts a stand-in can count in one second at --rate `rate` when it stamped requests up
 * to `lagMs` late. The gate keeps `rate` starts per 1 s + WINDOW_MARGIN_MS of write times, so a
 * stand-in within that margin sees at most `rate`. One that ran later (both cores busy with the
 * rest of the suite) can see the writes of 1 s + lag in one second: at the gate's pace (`rate` per
 * 1 s + margin, SLACK_MS of lag made up at once) that is a start or two more, never the bursts a
 * pacing fault would bring. The stand-in measures its own lag (max_loop_delay_ms).
 */
function mostStartsSeen(rate: number, lagMs: number): number {
  if (lagMs <= WINDOW_MARGIN_MS) return rate;
  const pacePerMs = rate / (1000 + WINDOW_MARGIN_MS);
  return Math.floor((1000 + lagMs + SLACK_MS) * pacePerMs) + 1;
}

describe.concurrent('rate at the API', () => {
  // 75 messages at 50/s: more than a full second of steady state.
  it('g) --rate 50: no 1-second window at the API has more than 50 starts', async ({ onTestFinished }) => {
    const s = await sandbox(onTestFinished);
    const ws = workspace(s.env);
    const r = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(75)),
      '--template',
      'hello_world',
      '--yes',
      '--rate',
      '50',
    ]);
    expect(r.code).toBe(0);
    const stats = (await s.stats()) as SandboxStats;
    expect(stats.accepted).toBe(75);
    expect(stats.max_starts_in_1s).toBeLessThanOrEqual(mostStartsSeen(50, stats.max_loop_delay_ms));
    expect(stats.max_starts_in_1s).toBeGreaterThanOrEqual(40); // and it really used the rate
  });

  it('two profiles: status tells their broadcasts apart; each sends at its own rate on its own number', async ({
    onTestFinished,
  }) => {
    const [s1, s2] = await Promise.all([sandbox(onTestFinished), sandbox(onTestFinished)]);
    const ws = workspace({ TOKEN_ACME: 'token-a', TOKEN_BETA: 'token-b' });
    const config = profilesConfig(ws.dir, {
      acme: { number: '111', url: s1.url, extra: 'rate = 40\n' },
      beta: { number: '222', url: s2.url, extra: 'rate = 40\n' },
    });
    const csv = join(ws.dir, 'r.csv');
    writeFileSync(csv, csvWithPhones(60));
    const send = (profile: string) =>
      ws.run(['--config', config, '--profile', profile, 'broadcast', csv, '--template', 'hello_world', '--yes', '--json']);
    const [a, b] = await Promise.all([send('acme'), send('beta')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(JSON.parse(a.stdout)).toMatchObject({ sending_number: '111', profile: 'acme', counts: { sent: 60 } });
    expect(JSON.parse(b.stdout)).toMatchObject({ sending_number: '222', profile: 'beta', counts: { sent: 60 } });
    for (const s of [s1, s2]) {
      const stats = (await s.stats()) as SandboxStats;
      expect(stats.accepted).toBe(60);
      expect(stats.max_starts_in_1s).toBeLessThanOrEqual(mostStartsSeen(40, stats.max_loop_delay_ms));
    }
    const list = (await ws.run(['status'])).stdout;
    expect(list).toMatch(/111 \(acme\)/);
    expect(list).toMatch(/222 \(beta\)/);
    const profiles = await ws.run(['--config', config, 'profiles', '--json']);
    expect(JSON.parse(profiles.stdout)).toMatchObject([
      { name: 'acme', phone_number_id: '111', token: { env: 'TOKEN_ACME' }, rate: 40 },
      { name: 'beta', phone_number_id: '222', token: { env: 'TOKEN_BETA' } },
    ]);
    expect(profiles.stdout).not.toContain('token-a');
  });
});
