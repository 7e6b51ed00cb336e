// wa-send sandbox: runs the Cloud API stand-in (DESIGN §7) until SIGINT/SIGTERM. Stdout gets exactly
// one line (the URL, or {"url": …} with --json) so scripts and tests can parse it; hints go to stderr.
// Default port 8089, so a newcomer can put WA_API_URL=http://127.0.0.1:8089 in an env file once;
// --port 0 picks a free port.
import { InvalidArgumentError } from 'commander';
import { usageError } from '../core/errors.js';
import {
  MESSAGING_LIMIT_TIERS,
  type MessagingLimitTier,
  QUALITY_RATINGS,
  type QualityRating,
  THROUGHPUT_LEVELS,
  type ThroughputLevel,
} from '../sandbox/graph/phone-number.js';
import type { FailureRule, SandboxOptions } from '../sandbox/options.js';
import { parseTemplateStatus, parseTemplates } from '../sandbox/templates/parse.js';
import type { Register } from './commands/action.js';
import type { Context } from './context.js';
import { untilStopSignal } from './interrupts.js';
import { note, printLine } from './io.js';
import { collect, nonNegativeInt, positiveInt, readFlagFile } from './parse.js';

export const DEFAULT_SANDBOX_PORT = 8089;

export interface SandboxFlags {
  port: number;
  host: string;
  latency?: number;
  jitter?: number;
  fail?: string[];
  seed?: string;
  mps?: number;
  token?: string;
  webhookUrl?: string;
  appSecret?: string;
  readFraction?: number;
  deliverFraction?: number;
  asyncFail?: string;
  webhookDisorder?: number;
  webhookDuplicates?: number;
  json?: boolean;
  quality?: QualityRating;
  messagingLimit?: MessagingLimitTier;
  throughput?: ThroughputLevel;
  templates?: string;
  templateStatus?: string[];
}

const TEMPLATE_HELP = `
Graph GET endpoints (for preflight checks), same Bearer check as /messages:
  GET /{version}/{phone-number-id}[?fields=…]        the number: quality_rating, throughput, messaging limit, … (any id)
  GET /{version}/{waba-id}/message_templates[?name=…]  the templates it knows (any WABA id)

Templates: the sandbox knows hello_world (en_US, no parameters) and order_update (en_US, one body
parameter {{1}}), plus those of --templates. Only when --templates or --template-status is given does
/messages check template sends against them, like the API: unknown name or language 132001,
PAUSED 132015, DISABLED 132016, a parameter count that does not fit 132000. Without them any
template name is accepted.`;

export const registerSandbox: Register = (program, bind) => {
  program
    .command('sandbox')
    .description('run the built-in Cloud API stand-in (no account needed); stops on Ctrl-C')
    .option('--port <n>', `port to listen on (0 = any free port)`, nonNegativeInt('--port'), DEFAULT_SANDBOX_PORT)
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .option('--latency <ms>', 'delay before each answer', nonNegativeInt('--latency'))
    .option('--jitter <ms>', 'random ± added to --latency', nonNegativeInt('--jitter'))
    .option('--fail <code>=<fraction>', 'fail this fraction of recipients with this error code (repeatable)', collect)
    .option('--seed <s>', 'picks which recipients fail (default "sandbox")')
    .option('--mps <n>', 'answer 130429 above this many requests per second', positiveInt('--mps'))
    .option('--token <t>', 'accept only this access token (default: any non-empty token)')
    .option('--webhook-url <url>', 'POST signed status webhooks (sent/delivered/read/failed) here')
    .option('--app-secret <s>', 'secret that signs webhooks (default env WA_APP_SECRET)')
    .option('--read-fraction <f>', 'share of delivered messages that get read (default 0.5)', fraction('--read-fraction'))
    .option(
      '--deliver-fraction <f>',
      'share of messages that get delivered (default: all not failed)',
      fraction('--deliver-fraction'),
    )
    .option('--async-fail <code>=<fraction>', 'share of accepted messages that fail later by webhook')
    .option('--webhook-disorder <f>', 'share of webhook events sent out of order (default 0.1)', fraction('--webhook-disorder'))
    .option('--webhook-duplicates <f>', 'share of webhook events sent twice (default 0.05)', fraction('--webhook-duplicates'))
    .option(
      '--quality <rating>',
      `the number's quality_rating: ${QUALITY_RATINGS.join('|')} (default GREEN)`,
      oneOf('--quality', QUALITY_RATINGS),
    )
    .option(
      '--messaging-limit <tier>',
      `its messaging limit: ${MESSAGING_LIMIT_TIERS.join('|')} (default TIER_UNLIMITED)`,
      oneOf('--messaging-limit', MESSAGING_LIMIT_TIERS),
    )
    .option(
      '--throughput <level>',
      `its throughput level: ${THROUGHPUT_LEVELS.join('|')} (default STANDARD)`,
      oneOf('--throughput', THROUGHPUT_LEVELS),
    )
    .option('--templates <file.json>', "more templates, a JSON array in Meta's message_templates shape; turns on template checks")
    .option(
      '--template-status <name[:lang]=status>',
      "force a known template's status, e.g. order_update=PAUSED (repeatable); turns on template checks",
      collect,
    )
    .option('--json', 'print {"url": …} instead of a sentence')
    .addHelpText('after', TEMPLATE_HELP)
    .action(bind(async () => (ctx: Context, flags: SandboxFlags) => runSandbox(ctx, flags, untilStopSignal(ctx.io))));
};

/** Starts the sandbox, prints its URL, waits for `stop`, closes. Split out so tests can drive it. */
export async function runSandbox(ctx: Context, flags: SandboxFlags, stop: Promise<unknown>): Promise<number> {
  const { startSandbox } = await import('../sandbox/index.js');
  const sandbox = await startSandbox(sandboxOptions(flags, ctx.env)).catch((err: NodeJS.ErrnoException) => {
    // A busy default port is the likely first-run snag: say so instead of reporting a bug.
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      throw usageError(
        `cannot listen on ${flags.host}:${flags.port} (${err.code})`,
        'pick another with --port, or --port 0 for any free port',
      );
    }
    if (err instanceof RangeError) throw usageError(err.message);
    throw err;
  });
  if (flags.json) ctx.io.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
  else printLine(ctx.io.stdout, `wa-send sandbox listening on ${sandbox.url}`);
  note(
    ctx.io,
    `Send to it with WA_API_URL=${sandbox.url} WA_PHONE_NUMBER_ID=<any id> WA_ACCESS_TOKEN=<any token>; ` +
      `stats at ${sandbox.url}/_sandbox/stats. Ctrl-C stops it.`,
  );
  try {
    await stop;
  } finally {
    await sandbox.close();
  }
  const s = sandbox.stats();
  note(ctx.io, `sandbox stopped: ${s.requests} requests, ${s.accepted} accepted`);
  return 0;
}

export function sandboxOptions(flags: SandboxFlags, env: NodeJS.ProcessEnv): SandboxOptions {
  const appSecret = flags.appSecret ?? env.WA_APP_SECRET;
  if (flags.port > 65535) throw usageError(`--port must be at most 65535, got ${flags.port}`);
  if (flags.webhookUrl && !/^https?:\/\/\S+$/i.test(flags.webhookUrl))
    throw usageError(`--webhook-url "${flags.webhookUrl}" is not an http(s) URL`);
  if (flags.webhookUrl && !appSecret)
    throw usageError('--webhook-url needs an app secret to sign webhooks', 'pass --app-secret or set WA_APP_SECRET');
  const asyncFail = flags.asyncFail === undefined ? undefined : parseFailSpec(flags.asyncFail, '--async-fail');
  const templateStatuses = (flags.templateStatus ?? []).map((spec) =>
    asUsage(() => parseTemplateStatus(spec, '--template-status')),
  );
  return {
    port: flags.port,
    host: flags.host,
    latencyMs: flags.latency,
    jitterMs: flags.jitter,
    failures: (flags.fail ?? []).map((spec) => parseFailSpec(spec, '--fail')),
    seed: flags.seed,
    mps: flags.mps,
    token: flags.token,
    webhookUrl: flags.webhookUrl,
    appSecret: appSecret || undefined,
    readFraction: flags.readFraction,
    deliverFraction: flags.deliverFraction,
    asyncFailCode: asyncFail?.code,
    asyncFailFraction: asyncFail?.fraction,
    webhookDisorder: flags.webhookDisorder,
    webhookDuplicates: flags.webhookDuplicates,
    quality: flags.quality,
    messagingLimit: flags.messagingLimit,
    throughput: flags.throughput,
    templates: flags.templates === undefined ? undefined : readTemplates(flags.templates),
    templateStatuses: templateStatuses.length > 0 ? templateStatuses : undefined,
  };
}

function readTemplates(path: string): SandboxOptions['templates'] {
  const text = readFlagFile('--templates', path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw usageError(`--templates ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return asUsage(() => parseTemplates(json, `--templates ${path}`));
}

/** The sandbox reports bad values as RangeError; on the command line they are usage errors (exit 2). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RangeError) throw usageError(err.message);
    throw err;
  }
}

function oneOf<T extends string>(flag: string, values: readonly T[]) {
  return (value: string): T => {
    const v = value.trim().toUpperCase();
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`${flag} must be one of ${values.join(', ')}, got "${value}"`);
    return v as T;
  };
}

/** "131026=0.1" → {code: 131026, fraction: 0.1}; a usage error (exit 2) otherwise. */
export function parseFailSpec(spec: string, flag = '--fail'): FailureRule {
  const m = /^\s*(\d+)\s*=\s*([0-9]*\.?[0-9]+(?:e-?\d+)?)\s*$/i.exec(spec);
  const code = m ? Number(m[1]) : NaN;
  const frac = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(code)) throw usageError(`${flag} must look like <code>=<fraction>, e.g. 131026=0.1, got "${spec}"`);
  if (!(frac >= 0 && frac <= 1)) throw usageError(`${flag} fraction must be between 0 and 1, got "${spec}"`);
  return { code, fraction: frac };
}

function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= 0 && n <= 1))
      throw new InvalidArgumentError(`${flag} must be between 0 and 1, got "${value}"`);
    return n;
  };
}
