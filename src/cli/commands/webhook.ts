// wa-send webhook [--port N] [--host H]: the receiver, until SIGINT/SIGTERM/SIGHUP.
import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_OPTOUT_KEYWORDS } from '../../webhook/keywords.js';
import type { Register } from './action.js';

export const DEFAULT_WEBHOOK_PORT = 8080;

export const registerWebhook: Register = (program, bind) => {
  program
    .command('webhook')
    .description("receive Meta's status and inbound webhooks: delivery receipts and opt-outs")
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, DEFAULT_WEBHOOK_PORT)
    .option('--host <host>', 'address to listen on; put a TLS proxy in front', '127.0.0.1')
    .addOption(
      new Option('--optout-keywords <list>', 'comma-separated replies that opt the sender out')
        .argParser(keywordList)
        .default([...DEFAULT_OPTOUT_KEYWORDS], DEFAULT_OPTOUT_KEYWORDS.join(',')),
    )
    .option('--json', 'log one JSON object per line on stdout')
    .action(bind(async () => (await import('../actions/webhook.js')).webhookAction));
};

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError(`--port must be a number from 0 to 65535, got "${value}"`);
  return n;
}

function keywordList(value: string): string[] {
  const words = value
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0) throw new InvalidArgumentError('--optout-keywords needs at least one word, e.g. STOP,UNSUBSCRIBE');
  return words;
}
