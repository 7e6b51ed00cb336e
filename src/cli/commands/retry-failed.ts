// wa-send retry-failed [broadcast-id] [--all-errors] [--include-unknown] [run flags]
import type { Register } from './action.js';
import { addRunFlags } from './run-flags.js';

export const registerRetryFailed: Register = (program, bind) => {
  addRunFlags(
    program
      .command('retry-failed')
      .description('send again the recipients that failed with a retryable error (no id: every broadcast with retries due)')
      .argument('[broadcast-id]')
      .option('--all-errors', 'also retry recipients that failed with a permanent error')
      .option('--include-unknown', 'also send recipients whose outcome is unknown (they may receive it twice)'),
  ).action(bind(async () => (await import('../actions/retry-failed.js')).retryFailedAction));
};
