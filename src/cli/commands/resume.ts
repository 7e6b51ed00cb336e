// wa-send resume <broadcast-id> [run flags]: continue an unfinished broadcast.
import type { Register } from './action.js';
import { addRunFlags } from './run-flags.js';

export const registerResume: Register = (program, bind) => {
  addRunFlags(
    program
      .command('resume')
      .description('continue an unfinished, paused or halted broadcast where it stopped')
      .argument('<broadcast-id>'),
  ).action(bind(async () => (await import('../actions/resume.js')).resumeAction));
};
