// Run flags shared by broadcast, resume and retry-failed (DESIGN §1).
import { type Command, Option } from 'commander';
import { duration, nonNegativeInt, percent, positiveInt } from '../parse.js';

export interface RunFlags {
  /** --rate, --dedup-window, --daily-limit, --notify, --require-optin: absent means "the profile's, else the default". */
  rate?: number;
  concurrency: number;
  maxAttempts: number;
  maxWait: number;
  dedupWindow?: number;
  dailyLimit?: number;
  notify?: string;
  alertFailureRate: number;
  requireOptin?: boolean;
  /** --no-preflight turns it off. */
  preflight: boolean;
  preflightTimeout: number;
  wait?: boolean;
  wabaId?: string;
  limit?: number;
  yes?: boolean;
  json?: boolean;
  sandbox?: boolean;
  apiUrl?: string;
  phoneNumberId?: string;
}

export const RUN_DEFAULTS = { concurrency: 32, maxAttempts: 5, maxWaitMs: 5 * 60_000, alertFailureRate: 30 };
/** How long a preflight (or doctor) check waits for the API before it only warns. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;
/** Meta caps a number at 1,000 msg/s; more requests than that in flight only queue up in the API. */
export const MAX_CONCURRENCY = 1000;

export function addRunFlags(command: Command): Command {
  return (
    command
      // No commander defaults where a profile may set the value: flags > environment > profile > default.
      .option(
        '--rate <msg/s>',
        "most requests started in any 1-second window (default: the profile's, else 80)",
        positiveInt('--rate'),
      )
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
          "never send a recipient the identical message again within this time, whichever broadcast (0: off; default: the profile's, else 7d)",
        ).argParser(duration('--dedup-window')),
      )
      .option(
        '--daily-limit <n>',
        "the number's daily messaging limit: unique recipients it may reach in a moving 24 h, across broadcasts (exit 6 when reached)",
        positiveInt('--daily-limit'),
      )
      .option('--require-optin', 'send only to numbers with a recorded opt-in (wa-send optin); others are rejected as no_optin')
      .option(
        '--notify <url>',
        'alert a Slack-compatible incoming webhook (or smtp://host?to=addr) when a run needs a person (env WA_SEND_NOTIFY)',
      )
      .option(
        '--alert-failure-rate <pct>',
        'alert when this % of the last answers failed, or a run ends partial above it',
        percent('--alert-failure-rate'),
        RUN_DEFAULTS.alertFailureRate,
      )
      .option('--no-preflight', 'skip the checks doctor makes (token, number, template) before sending')
      .addOption(
        new Option('--preflight-timeout <duration>', 'how long each preflight check waits for the API before it only warns')
          .argParser(duration('--preflight-timeout'))
          .default(PREFLIGHT_TIMEOUT_MS, '5s'),
      )
      .option('--wait', 'when another process sends from the same number, wait for its turn instead of exiting 5')
      .option('--waba-id <id>', 'WhatsApp Business Account id, for the template check (env WA_WABA_ID)')
      .option('--limit <n>', 'send at most n messages in this run, then stop (exit 6)', nonNegativeInt('--limit'))
      .option('--sandbox', 'send to the built-in Cloud API stand-in (no account needed)')
      .option('--api-url <url>', 'Cloud API base URL (env WA_API_URL)')
      .option('--phone-number-id <id>', 'sending phone number id (env WA_PHONE_NUMBER_ID)')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--json', 'print the broadcast status object (JSON) on stdout when the run ends')
  );
}
