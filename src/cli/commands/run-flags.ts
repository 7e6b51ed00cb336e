// Run flags shared by broadcast, resume and retry-failed (DESIGN §1).
import { type Command, Option } from 'commander';
import { DEFAULT_DEDUP_WINDOW_MS } from '../../core/rules/message-identity.js';
import { duration, nonNegativeInt, positiveInt } from '../parse.js';

export interface RunFlags {
  rate: number;
  concurrency: number;
  maxAttempts: number;
  maxWait: number;
  dedupWindow: number;
  limit?: number;
  yes?: boolean;
  json?: boolean;
  sandbox?: boolean;
  apiUrl?: string;
  phoneNumberId?: string;
}

export const RUN_DEFAULTS = { rate: 80, concurrency: 32, maxAttempts: 5, maxWaitMs: 5 * 60_000 };
/** Meta caps a number at 1,000 msg/s; more requests than that in flight only queue up in the API. */
export const MAX_CONCURRENCY = 1000;

export function addRunFlags(command: Command): Command {
  return command
    .option('--rate <msg/s>', 'most requests started in any 1-second window', positiveInt('--rate'), RUN_DEFAULTS.rate)
    .option(
      '--concurrency <n>',
      'most requests in flight at once',
      positiveInt('--concurrency', MAX_CONCURRENCY),
      RUN_DEFAULTS.concurrency,
    )
    .option(
      '--max-attempts <n>',
      'attempts per recipient before it fails (throttling does not count)',
      positiveInt('--max-attempts'),
      RUN_DEFAULTS.maxAttempts,
    )
    .addOption(
      new Option('--max-wait <duration>', 'how long this run may wait in-process for scheduled retries (e.g. 90s, 5m)')
        .argParser(duration('--max-wait'))
        .default(RUN_DEFAULTS.maxWaitMs, '5m'),
    )
    .addOption(
      new Option(
        '--dedup-window <duration>',
        'never send a recipient the identical message again within this time, whichever broadcast (0: off)',
      )
        .argParser(duration('--dedup-window'))
        .default(DEFAULT_DEDUP_WINDOW_MS, '7d'),
    )
    .option('--limit <n>', 'send at most n messages in this run, then stop (exit 6)', nonNegativeInt('--limit'))
    .option('--sandbox', 'send to the built-in Cloud API stand-in (no account needed)')
    .option('--api-url <url>', 'Cloud API base URL (env WA_API_URL)')
    .option('--phone-number-id <id>', 'sending phone number id (env WA_PHONE_NUMBER_ID)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the broadcast status object (JSON) on stdout when the run ends');
}
