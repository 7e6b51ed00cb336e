// Phone normalization on a worker thread, so that large files normalize while the main thread
// parses CSV and writes the journal.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js';
import { decodeResult, inlineNormalizer, type Normalizer } from '../core/normalizer.js';
import type { PhoneResult } from '../core/phone.js';

export function workerNormalizer(defaultCountry?: CountryCode): Normalizer {
  const script = new URL('./normalize-worker.js', import.meta.url);
  // Run from the TypeScript sources (the in-process CLI tests), there is no compiled worker script:
  // the same normalization then runs inline.
  if (!existsSync(fileURLToPath(script))) return inlineNormalizer(defaultCountry);
  // A small young generation keeps the worker's memory flat (it allocates many short-lived strings).
  const worker = new Worker(script, {
    workerData: { defaultCountry },
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  const waiting = new Map<number, { resolve: (r: PhoneResult[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', ({ id, results }: { id: number; results: string[] }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    w?.resolve(results.map(decodeResult));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    if (waiting.size > 0) failAll(new Error(`normalizer worker exited (${code})`));
  });
  return {
    normalize(raws) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, raws });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
