// The worker normalizer (built code in dist/, as `wa-send broadcast` runs it, with its RegExp cache)
// must give exactly what the plain function gives, for every kind of input.
import { describe, expect, it } from 'vitest';
import { workerNormalizer } from '../../dist/threads/normalizer.js';
import { inlineNormalizer, type Normalizer } from '../../src/core/normalizer.js';

function inputs(n: number): string[] {
  const out: string[] = [];
  const prefixes = ['+1 ', '', '1-', '011 44 ', '00972 ', '+52 1 ', '+91 ', '0', '+', '(', '+86 '];
  for (let i = 0; i < n; i++) {
    const digits = String((i * 7_919_113 + 1_234_567) % 10_000_000_000).padStart(10, '0');
    const p = prefixes[i % prefixes.length]!;
    out.push(
      i % 13 === 0
        ? `${digits}.0`
        : i % 17 === 0
          ? digits.slice(0, 4)
          : `${p}${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`,
    );
  }
  return out;
}

describe('workerNormalizer', () => {
  it.each([['US'], ['IL'], [undefined]])('agrees with the inline normalizer on 5,000 inputs (default %s)', async (cc) => {
    const raws = inputs(5000);
    const worker = (workerNormalizer as (cc?: string) => Normalizer)(cc);
    try {
      const [a, b] = await Promise.all([worker.normalize(raws), inlineNormalizer(cc as never).normalize(raws)]);
      expect(a).toEqual(b);
      expect(b.filter((r) => r.ok).length).toBeGreaterThan(500); // the sample exercises valid numbers too
    } finally {
      await worker.close();
    }
  });
});
