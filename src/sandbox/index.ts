// The Cloud API stand-in (DESIGN §7): a node:http server speaking the /messages wire format, with
// latency, deterministic failures, a throughput cap, signed status webhooks and stats, plus the Graph
// GETs a preflight reads (phone number node, message_templates). Used by
// `wa-send sandbox`, in-process by `broadcast --sandbox`, and by tests and benchmarks.

import { createServer, type Server } from 'node:http';
import { listenOn } from '../net/listen.js';
import { createHandler, type SandboxState } from './handler.js';
import { FailureInjector } from './inject.js';
import { applyPatch, DEFAULTS, type ResolvedOptions, type SandboxOptions } from './options.js';
import { type SandboxStats, StatsRecorder } from './stats.js';
import { WebhookEmitter } from './webhook/emitter.js';

export { MESSAGING_LIMIT_TIERS, QUALITY_RATINGS, THROUGHPUT_LEVELS } from './graph/phone-number.js';
export { isChosen, isTransient } from './inject.js';
export type {
  FailureRule,
  MessagingLimitTier,
  QualityRating,
  SandboxOptions,
  TemplateInput,
  TemplateStatusOverride,
  ThroughputLevel,
} from './options.js';
export type { SandboxStats, WebhookStats } from './stats.js';
export { DEFAULT_TEMPLATES } from './templates/defaults.js';
export { parseTemplateStatus, parseTemplates, TEMPLATE_STATUSES } from './templates/parse.js';
export { plannedStatuses } from './webhook/events.js';
export { metaJson } from './webhook/meta-json.js';

export interface RunningSandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  stats(opts?: { detail?: boolean }): SandboxStats;
  /** Changes options on the fly (host and port are fixed once listening). */
  configure(patch: Partial<SandboxOptions>): void;
  /** Clears stats and the memory of which recipients already took their transient failure. */
  reset(): void;
  /** Stops listening, ends open connections, flushes or drops webhooks; bounded, never hangs. */
  close(): Promise<void>;
}

/** How long close() lets requests that are mid-latency finish before cutting connections. */
const CLOSE_GRACE_MS = 1000;

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  let options: ResolvedOptions = applyPatch(DEFAULTS, opts);
  const stats = new StatsRecorder();
  const injector = new FailureInjector();
  const webhooks = new WebhookEmitter(() => options);
  const state: SandboxState = {
    options: () => options,
    configure(patch) {
      const { host: _host, port: _port, ...rest } = patch;
      options = applyPatch(options, rest);
    },
    reset() {
      stats.reset();
      injector.reset();
      webhooks.reset();
    },
    stats,
    injector,
    webhooks,
  };

  const server = createServer({ keepAliveTimeout: 5000 }, createHandler(state));
  const { port, origin } = await listenOn(server, options.host, options.port);

  let closing: Promise<void> | null = null;
  return {
    url: origin,
    port,
    stats: (o) => stats.snapshot(Boolean(o?.detail), webhooks.stats()),
    configure: state.configure,
    reset: state.reset,
    close: () => (closing ??= shutdown(server, stats, webhooks)),
  };
}

async function shutdown(server: Server, stats: StatsRecorder, webhooks: WebhookEmitter): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Let answers already being prepared go out, then cut whatever is left (slow or stuck clients).
  const deadline = Date.now() + CLOSE_GRACE_MS;
  while (stats.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  server.closeAllConnections();
  await Promise.all([closed, webhooks.close()]);
  stats.stop();
}
