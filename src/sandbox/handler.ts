// Request routing and the /messages pipeline. Order matters and mirrors the real API as far as it is
// known: auth → throughput (130429) → JSON → payload validation → known templates (only when given,
// see templates/catalog.ts) → injected failures → acceptance. Graph GETs live in graph/.
// Acceptance (stats, webhooks) happens before the latency wait, like a real server that accepted the
// message and whose answer is still on the way: a client that times out must treat it as unknown.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenProblem } from './auth.js';
import { handleGraphGet } from './graph/index.js';
import { graphError, newWamid, readBody, sendJson } from './http.js';
import { digitsOf, type FailureInjector } from './inject.js';
import { answerDelay, patchFromJson, type ResolvedOptions, type SandboxOptions } from './options.js';
import type { StatsRecorder } from './stats.js';
import { templateRejection } from './templates/catalog.js';
import { PayloadError, validateRequest } from './validate/index.js';
import type { WebhookEmitter } from './webhook/emitter.js';
import { statusEvents } from './webhook/events.js';

export interface SandboxState {
  options(): ResolvedOptions;
  configure(patch: Partial<SandboxOptions>): void;
  reset(): void;
  stats: StatsRecorder;
  injector: FailureInjector;
  webhooks: WebhookEmitter;
}

interface Reply {
  status: number;
  body: string;
}

const MESSAGES_PATH = /^\/(v\d+(?:\.\d+)?)\/([^/?#]+)\/messages\/?(?:\?|$)/;
const OK = '{"success":true}';

export function createHandler(s: SandboxState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'POST') {
      const m = MESSAGES_PATH.exec(url);
      if (m) return void handleMessage(s, req, res, m[1]!, m[2]!);
      if (url === '/_sandbox/config') return void handleControl(req, res, (body) => s.configure(patchFromJson(JSON.parse(body))));
      if (url === '/_sandbox/reset') return void handleControl(req, res, () => s.reset());
    } else if (req.method === 'GET' && /^\/_sandbox\/stats\/?(\?|$)/.test(url)) {
      const detail = /[?&]detail=(1|true)\b/.test(url);
      return sendJson(res, 200, JSON.stringify(s.stats.snapshot(detail, s.webhooks.stats())));
    } else if (req.method === 'GET' && handleGraphGet(s.options, req, res, url)) {
      return;
    }
    req.resume();
    const { body } = graphError(100, `sandbox: unsupported request ${req.method} ${url.split('?')[0]}`);
    sendJson(res, 404, body);
  };
}

async function handleMessage(
  s: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  version: string,
  phoneNumberId: string,
): Promise<void> {
  const inWindow = s.stats.arrive();
  const reply = await readBody(req).then(
    (raw) => {
      try {
        return processMessage(s, req, raw, inWindow, version, phoneNumberId);
      } catch (err) {
        // A sandbox bug: answer like a Graph server error rather than crash the process.
        return fail(s, 1, `sandbox internal error: ${(err as Error).message}`);
      }
    },
    (err: Error) => fail(s, 100, `request body: ${err.message}`),
  );
  const delay = answerDelay(s.options());
  // unref: after close() a request still waiting here must not keep the process alive.
  if (delay >= 1) await new Promise((resolve) => setTimeout(resolve, delay).unref());
  sendJson(res, reply.status, reply.body);
  s.stats.depart();
}

function processMessage(
  s: SandboxState,
  req: IncomingMessage,
  raw: string,
  inWindow: number,
  version: string,
  phoneNumberId: string,
): Reply {
  const o = s.options();
  const refused = tokenProblem(o, req);
  if (refused !== null) return fail(s, 190, refused);
  if (o.mps !== null && inWindow > o.mps) return fail(s, 130429, `sandbox: more than ${o.mps} requests in the last second`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return fail(s, 100, `request body: invalid JSON (${(err as Error).message})`);
  }
  let v: ReturnType<typeof validateRequest>;
  try {
    v = validateRequest(parsed);
  } catch (err) {
    if (err instanceof PayloadError) return fail(s, err.code, err.details);
    throw err;
  }
  if (v.kind === 'read') {
    s.stats.readReceipts++;
    return { status: 200, body: OK };
  }
  if (v.type === 'template') {
    const rejected = templateRejection(o, parsed);
    if (rejected) return fail(s, rejected.code, rejected.details);
  }
  // wa_id is the digits of `to`; a business-scoped user id (no digits) stands for itself.
  const waId = digitsOf(v.to) || v.to;
  const code = s.injector.decide(o.failures, o.seed, waId, v.key);
  if (code !== null) return fail(s, code, `sandbox: injected failure for recipient ${waId} (seed "${o.seed}")`);
  const wamid = newWamid();
  s.stats.accept(v.key);
  if (s.webhooks.enabled()) {
    s.webhooks.emit(
      statusEvents(
        { wamid, recipientId: waId, callbackData: v.callbackData, phoneNumberId, apiVersion: version, type: v.type },
        o,
      ),
    );
  }
  const body = JSON.stringify({
    messaging_product: 'whatsapp',
    contacts: [{ input: v.to, wa_id: waId }],
    messages: [{ id: wamid, message_status: 'accepted' }],
  });
  return { status: 200, body };
}

function fail(s: SandboxState, code: number, details: string): Reply {
  s.stats.error(code);
  return graphError(code, details);
}

/** Control endpoints answer {"success":true}, or error 100 with what was wrong. */
async function handleControl(req: IncomingMessage, res: ServerResponse, apply: (body: string) => void): Promise<void> {
  try {
    apply(await readBody(req));
    sendJson(res, 200, OK);
  } catch (err) {
    sendJson(res, 400, graphError(100, `sandbox control: ${(err as Error).message}`).body);
  }
}
