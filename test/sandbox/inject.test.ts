// Deterministic failure injection: the chosen recipients are a function of (seed, phone digits,
// code); transient codes fail only a recipient key's first attempt; permanent ones always.
import { afterEach, describe, expect, it } from 'vitest';
import { isChosen, isTransient, type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { phones, post, stopAll, textMessage } from './helpers.js';

const running: RunningSandbox[] = [];
afterEach(() => stopAll(running));
async function sandbox(opts: Parameters<typeof startSandbox>[0]) {
  const s = await startSandbox(opts);
  running.push(s);
  return s;
}

describe('isChosen', () => {
  const list = phones(2000);
  const chosen = (seed: string, code = 131026, fraction = 0.2) => list.filter((p) => isChosen(seed, p, code, fraction));

  it('is deterministic for a seed and differs across seeds and codes', () => {
    expect(chosen('a')).toEqual(chosen('a'));
    expect(chosen('a')).not.toEqual(chosen('b'));
    expect(chosen('a', 131026)).not.toEqual(chosen('a', 131000));
  });

  it('chooses about the requested fraction, and nested fractions are subsets', () => {
    const n = chosen('a').length;
    expect(n).toBeGreaterThan(2000 * 0.16);
    expect(n).toBeLessThan(2000 * 0.24);
    const small = new Set(chosen('a', 131026, 0.1));
    expect([...small].every((p) => chosen('a').includes(p))).toBe(true);
    expect(chosen('a', 131026, 0)).toEqual([]);
    expect(chosen('a', 131026, 1)).toHaveLength(2000);
  });

  it('depends on the digits only, not the formatting', () => {
    for (const seed of ['x', 'y', 'z']) {
      expect(isChosen(seed, '+1 (555) 000-0007', 131026, 0.5)).toBe(isChosen(seed, '15550000007', 131026, 0.5));
    }
  });

  it('knows which codes are transient', () => {
    expect([131000, 130429, 131056, 131057, 133004].every(isTransient)).toBe(true);
    expect([131026, 131050, 132001, 100].some(isTransient)).toBe(false);
  });
});

describe('failure injection over HTTP', () => {
  const list = phones(60, 15551000000);

  it('fails exactly the predicted recipients with a permanent code, on every attempt', async () => {
    const s = await sandbox({ seed: 'perm', failures: [{ code: 131026, fraction: 0.3 }] });
    const expected = list.filter((p) => isChosen('perm', p, 131026, 0.3));
    expect(expected.length).toBeGreaterThan(5);
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed: string[] = [];
      for (const p of list) {
        const { status, json } = await post(s.url, textMessage(p));
        if (status !== 200) {
          expect(status).toBe(400);
          expect(json.error.code).toBe(131026);
          failed.push(p);
        }
      }
      expect(failed).toEqual(expected);
    }
    expect(s.stats().errors_by_code).toEqual({ '131026': expected.length * 2 });
    expect(s.stats().accepted).toBe((list.length - expected.length) * 2);
  });

  it('fails a transient code only on the first attempt per recipient key', async () => {
    const s = await sandbox({ seed: 'trans', failures: [{ code: 131000, fraction: 0.5 }] });
    const expected = list.filter((p) => isChosen('trans', p, 131000, 0.5));
    const first = await Promise.all(list.map((p) => post(s.url, textMessage(p))));
    expect(list.filter((_, i) => first[i]!.status !== 200)).toEqual(expected);
    expect(first.find((a) => a.status !== 200)).toMatchObject({ status: 500, json: { error: { code: 131000 } } });
    const second = await Promise.all(list.map((p) => post(s.url, textMessage(p))));
    expect(second.every((a) => a.status === 200)).toBe(true);

    // A new key (biz_opaque_callback_data) for the same phone is a new recipient: first attempt again.
    const p = expected[0]!;
    expect((await post(s.url, textMessage(p, { biz_opaque_callback_data: 'b1:r1' }))).status).toBe(500);
    expect((await post(s.url, textMessage(p, { biz_opaque_callback_data: 'b1:r1' }))).status).toBe(200);

    // reset() forgets who already took their transient failure.
    s.reset();
    expect((await post(s.url, textMessage(p))).status).toBe(500);
  });

  it('picks the same recipients in a fresh sandbox with the same seed', async () => {
    const failedIn = async (seed: string) => {
      const s = await sandbox({ seed, failures: [{ code: 131049, fraction: 0.25 }] });
      const answers = await Promise.all(list.map((p) => post(s.url, textMessage(p))));
      return list.filter((_, i) => answers[i]!.status !== 200);
    };
    const a = await failedIn('same');
    expect(await failedIn('same')).toEqual(a);
    expect(await failedIn('other')).not.toEqual(a);
  });
});
