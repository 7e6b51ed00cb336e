// Decides which status events go into which webhook POST. Most go in production order; a
// `webhookDisorder` share is held back and a `webhookDuplicates` share gets a second copy, both
// released one batch later, so e.g. `read` can reach the receiver before `delivered`, and the
// receiver must deduplicate. Choices come from a PRNG seeded with the sandbox seed: a run is
// reproducible for a given order of accepted messages.
import { hash32 } from '../inject.js';
import type { ResolvedOptions } from '../options.js';
import type { StatusEvent } from './events.js';

/** Beyond this many waiting events new ones are dropped (and counted) instead of eating memory. */
const MAX_PENDING = 500_000;

export class Batcher {
  private queue: StatusEvent[] = [];
  private head = 0;
  /** Held back during the current cycle. */
  private held: StatusEvent[] = [];
  /** Held back during an earlier cycle: due in the next batch. */
  private ready: StatusEvent[] = [];
  private rng: () => number;
  private seed: string;

  constructor(private readonly options: () => ResolvedOptions) {
    this.seed = options().seed;
    this.rng = mulberry32(hash32(this.seed));
  }

  add(events: StatusEvent[]): { duplicates: number; dropped: number } {
    const o = this.options();
    if (o.seed !== this.seed) {
      this.seed = o.seed;
      this.rng = mulberry32(hash32(o.seed));
    }
    let duplicates = 0;
    let dropped = 0;
    for (const e of events) {
      if (this.size() >= MAX_PENDING) {
        dropped++;
        continue;
      }
      if (this.rng() < o.webhookDisorder) this.held.push(e);
      else this.queue.push(e);
      if (this.rng() < o.webhookDuplicates) {
        this.held.push(e);
        duplicates++;
      }
    }
    return { duplicates, dropped };
  }

  queued(): number {
    return this.queue.length - this.head;
  }

  size(): number {
    return this.queued() + this.held.length + this.ready.length;
  }

  /** The next POST's events: queued ones first, then those held back earlier (never starved). */
  next(): StatusEvent[] {
    const max = this.options().webhookBatchSize;
    const reserve = Math.min(this.ready.length, Math.max(1, max >> 1));
    const fromQueue = Math.min(this.queued(), max - reserve);
    const batch = this.queue.slice(this.head, this.head + fromQueue);
    this.head += fromQueue;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    for (const e of this.ready.splice(0, max - batch.length)) batch.push(e);
    // What was held back during this cycle goes out no earlier than the next POST.
    for (const e of this.held) this.ready.push(e);
    this.held = [];
    return batch;
  }

  /** Empties everything; returns how many events were discarded. */
  clear(): number {
    const n = this.size();
    this.queue = [];
    this.head = 0;
    this.held = [];
    this.ready = [];
    return n;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
