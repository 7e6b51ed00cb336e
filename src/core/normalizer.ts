// Phone normalization is the slowest step of planning (libphonenumber validates ~60k numbers/s),
// so large files normalize on a worker thread while the main thread parses CSV and writes SQLite.
import { Worker } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone, type PhoneResult } from './phone.js';

export interface Normalizer {
  normalize(raws: string[]): Promise<PhoneResult[]>;
  close(): Promise<void>;
}

export function inlineNormalizer(defaultCountry?: CountryCode): Normalizer {
  return {
    normalize: async (raws) => raws.map((raw) => normalizePhone(raw, defaultCountry)),
    close: async () => {},
  };
}

/** Results cross the thread boundary as plain strings: "+E164" or "!reason|detail". */
export function encodeResult(r: PhoneResult): string {
  return r.ok ? r.e164 : `!${r.reason}|${r.detail}`;
}

export function decodeResult(s: string): PhoneResult {
  if (!s.startsWith('!')) return { ok: true, e164: s };
  const bar = s.indexOf('|');
  return { ok: false, reason: s.slice(1, bar) as 'missing_phone' | 'invalid_number', detail: s.slice(bar + 1) };
}

export function workerNormalizer(defaultCountry?: CountryCode): Normalizer {
  // A small young generation keeps the worker's memory flat (it allocates many short-lived strings).
  const worker = new Worker(new URL('./normalize-worker.js', import.meta.url), {
    workerData: { defaultCountry }, resourceLimits: { maxYoungGenerationSizeMb: 8 },
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
  worker.on('exit', (code) => { if (waiting.size > 0) failAll(new Error(`normalizer worker exited (${code})`)); });
  return {
    normalize(raws) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, raws });
      });
    },
    async close() { await worker.terminate(); },
  };
}
