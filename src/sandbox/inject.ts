// Deterministic failure injection. Which recipients fail is a pure function of (seed, phone digits,
// code), so a test can predict it and a rerun of the same broadcast meets the same failures; a
// different seed picks a different set.
import { errorCodeInfo } from '../whatsapp/error-codes.js';
import type { FailureRule } from './options.js';

/** FNV-1a over the string, then murmur3's finalizer so near-identical phones spread evenly. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Maps (seed, parts…) to [0, 1). */
export function unit(seed: string, a: string, b: string | number): number {
  return hash32(`${seed}\u0000${a}\u0000${b}`) / 4294967296;
}

export function digitsOf(phone: string): string {
  return phone.replace(/\D+/g, '');
}

/** True when the recipient is one of the `fraction` chosen to fail with `code` under `seed`. */
export function isChosen(seed: string, phone: string, code: number, fraction: number): boolean {
  return unit(seed, digitsOf(phone), code) < fraction;
}

/** Codes that succeed on a retry: they fail only a recipient's first attempt. */
export function isTransient(code: number): boolean {
  const cls = errorCodeInfo(code)?.class;
  return cls === 'retryable' || cls === 'throttle' || cls === 'pair_rate' || cls === 'maintenance';
}

export class FailureInjector {
  // Only keys that already took their one transient failure are remembered, so memory grows with
  // the failures injected, not with every recipient seen.
  private failedOnce = new Set<string>();

  /** The code to answer with for this attempt, or null to accept. */
  decide(rules: readonly FailureRule[], seed: string, digits: string, key: string): number | null {
    for (const rule of rules) {
      if (rule.fraction <= 0 || unit(seed, digits, rule.code) >= rule.fraction) continue;
      if (!isTransient(rule.code)) return rule.code;
      if (this.failedOnce.has(key)) continue;
      this.failedOnce.add(key);
      return rule.code;
    }
    return null;
  }

  reset(): void {
    this.failedOnce.clear();
  }
}
