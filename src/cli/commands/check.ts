// wa-send check [--notify URL] [--max-failed N] [--max-stuck-minutes M] [--json]: the cron health check.
import { nonNegativeInt, positiveInt } from '../parse.js';
import type { Register } from './action.js';

export const CHECK_DEFAULTS = { maxFailed: 0, maxStuckMinutes: 30 };

export const registerCheck: Register = (program, bind) => {
  program
    .command('check')
    .description(
      'look over the whole journal for what needs a person (for cron: silent and exit 0 when all is well, exit 3 with a line per problem)',
    )
    .option('--notify <url>', 'also send one alert listing the problems to this webhook or smtp:// URL (env WA_SEND_NOTIFY)')
    .option(
      '--max-failed <n>',
      'a broadcast with more failed rows than this in the last 24 h is a problem',
      nonNegativeInt('--max-failed'),
      CHECK_DEFAULTS.maxFailed,
    )
    .option(
      '--max-stuck-minutes <m>',
      'rows unknown or sending untouched for longer than this are stuck',
      positiveInt('--max-stuck-minutes'),
      CHECK_DEFAULTS.maxStuckMinutes,
    )
    .option('--json', 'print {"ok": bool, "problems": [...]} on stdout')
    .action(bind(async () => (await import('../actions/check.js')).checkAction));
};
