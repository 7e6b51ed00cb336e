// wa-send profiles [--json]: the profiles of the config file, without secrets.
import type { Register } from './action.js';

export const registerProfiles: Register = (program, bind) => {
  program
    .command('profiles')
    .description('list the profiles of the config file (numbers, where each token comes from; never a secret)')
    .option('--json', 'a JSON array, one object per profile')
    .action(bind(async () => (await import('../actions/profiles.js')).profilesAction));
};
