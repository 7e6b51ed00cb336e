// Time as a dependency: the engine and the use cases read the time and wait only through a Clock,
// so tests run them on virtual time (test/helpers/virtual-clock.ts) instead of the wall clock.

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `wake` aborts. Never rejects. */
  sleep(ms: number, wake?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, wake) =>
    new Promise<void>((resolve) => {
      if (wake?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        wake?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      wake?.addEventListener('abort', done, { once: true });
    }),
};
