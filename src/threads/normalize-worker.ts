// Worker thread body for workerNormalizer (see normalizer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { encodeResult } from '../core/normalizer.js';
import { normalizePhone } from '../core/phone.js';
import { installRegExpCache } from './regexp-cache.js';

installRegExpCache();

const { defaultCountry } = workerData as { defaultCountry?: Parameters<typeof normalizePhone>[1] };

parentPort!.on('message', ({ id, raws }: { id: number; raws: string[] }) => {
  parentPort!.postMessage({ id, results: raws.map((raw) => encodeResult(normalizePhone(raw, defaultCountry))) });
});
