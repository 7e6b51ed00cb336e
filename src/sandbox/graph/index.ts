// The Graph GET endpoints a preflight needs: a phone number node and a WABA's message_templates.
// Same Bearer check and error bodies as /messages; the same latency. Not counted in /_sandbox/stats,
// whose numbers describe sending (throughput windows, accepted messages).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenProblem } from '../auth.js';
import { graphError, sendJson } from '../http.js';
import { answerDelay, type ResolvedOptions } from '../options.js';
import { parseFields, pick } from './fields.js';
import { listTemplates, type Reply } from './message-templates.js';
import { DEFAULT_NUMBER_FIELDS, phoneNumberNode } from './phone-number.js';

const VERSION = '(v\\d+(?:\\.\\d+)?)';
// Ids never start with "_": /_sandbox/… stays the sandbox's own.
const NODE_PATH = new RegExp(`^/${VERSION}/([^/?#_][^/?#]*)/?(?:\\?|$)`);
const TEMPLATES_PATH = new RegExp(`^/${VERSION}/([^/?#_][^/?#]*)/message_templates/?(?:\\?|$)`);

/** Answers the request and returns true when it is one of these endpoints; false leaves it to the caller. */
export function handleGraphGet(options: () => ResolvedOptions, req: IncomingMessage, res: ServerResponse, url: string): boolean {
  const templates = TEMPLATES_PATH.exec(url);
  const node = templates ? null : NODE_PATH.exec(url);
  if (!templates && !node) return false;
  req.resume(); // a GET has no body worth reading, but it must be drained
  const o = options();
  const query = new URL(url, 'http://sandbox').searchParams;
  let reply: Reply;
  const refused = tokenProblem(o, req);
  if (refused !== null) reply = { status: 401, body: null, error: { code: 190, details: refused } };
  else if (templates) reply = listTemplates(o, query, selfUrl(req, url));
  else reply = phoneNumber(o, node![2]!, query);
  void answer(o, res, reply);
  return true;
}

function phoneNumber(o: ResolvedOptions, id: string, query: URLSearchParams): Reply {
  const all = phoneNumberNode(o, id);
  const selection = parseFields(query, Object.keys(all), 'WhatsAppBusinessPhoneNumber');
  if (!selection.ok) return { status: 400, body: null, error: { code: 100, details: selection.details } };
  return { status: 200, body: pick(all, selection.fields, DEFAULT_NUMBER_FIELDS) };
}

function selfUrl(req: IncomingMessage, url: string): URL | null {
  try {
    return req.headers.host ? new URL(url, `http://${req.headers.host}`) : null;
  } catch {
    return null; // a Host header that is no host: answer without a next link
  }
}

async function answer(o: ResolvedOptions, res: ServerResponse, reply: Reply): Promise<void> {
  const delay = answerDelay(o);
  // unref: after close() a request still waiting here must not keep the process alive.
  if (delay >= 1) await new Promise((resolve) => setTimeout(resolve, delay).unref());
  if (reply.error) {
    const e = graphError(reply.error.code, reply.error.details);
    sendJson(res, e.status, e.body);
  } else {
    sendJson(res, reply.status, JSON.stringify(reply.body));
  }
}
