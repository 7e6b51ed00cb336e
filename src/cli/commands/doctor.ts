// wa-send doctor: the preflight alone — journal, token, number, daily limit, template.
import { Option } from 'commander';
import { addMessageOnlyFlags } from '../message-flags.js';
import { duration, positiveInt } from '../parse.js';
import type { Register } from './action.js';
import { PREFLIGHT_TIMEOUT_MS } from './run-flags.js';

export const registerDoctor: Register = (program, bind) => {
  const command = program
    .command('doctor')
    .description('check everything a send needs: the journal, the token, the number, the daily limit, the template');
  addMessageOnlyFlags(command)
    .option('--sandbox', 'check against the built-in Cloud API stand-in')
    .option('--api-url <url>', 'Cloud API base URL (env WA_API_URL)')
    .option('--phone-number-id <id>', 'sending phone number id (env WA_PHONE_NUMBER_ID)')
    .option('--waba-id <id>', 'WhatsApp Business Account id, for the template check (env WA_WABA_ID)')
    .option('--daily-limit <n>', "the daily limit you send with, compared with Meta's", positiveInt('--daily-limit'))
    .addOption(
      new Option('--timeout <duration>', 'how long each check waits for the API before it only warns')
        .argParser(duration('--timeout'))
        .default(PREFLIGHT_TIMEOUT_MS, '5s'),
    )
    .option('--json', 'print {"ok": …, "checks": [{check, status, line}]} on stdout')
    .action(bind(async () => (await import('../actions/doctor.js')).doctorAction));
};
