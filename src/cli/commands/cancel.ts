// wa-send cancel <broadcast-id>: nothing more is sent; open rows become skipped.
import type { Register } from './action.js';

export const registerCancel: Register = (program, bind) => {
  program
    .command('cancel')
    .description('cancel a broadcast: nothing more is sent (a running process stops after its requests in flight)')
    .argument('<broadcast-id>')
    .action(bind(async () => (await import('../actions/cancel.js')).cancelAction));
};
