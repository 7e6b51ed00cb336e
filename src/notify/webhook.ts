// Alerts to a Slack-compatible incoming webhook: one JSON POST with a deadline. A fresh undici Agent
// per alert, destroyed afterwards: alerts are rare, and a kept-alive socket would hold a finished
// command's process open. The response body is always read (undici keeps the socket otherwise).
import { Agent, request } from 'undici';
import type { Alert, Notifier } from '../core/alerts.js';
import { slackPayload } from './content.js';
import { decoded, failureReason, scrub } from './reason.js';

export const WEBHOOK_TIMEOUT_MS = 5_000;

export function webhookNotifier(url: string, label: string, timeoutMs = WEBHOOK_TIMEOUT_MS): Notifier {
  const secrets = secretParts(url);
  return {
    label,
    async send(alert: Alert) {
      const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      try {
        let status: number;
        let body: string;
        try {
          const res = await request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(slackPayload(alert)),
            dispatcher: agent,
            signal: AbortSignal.timeout(timeoutMs),
          });
          status = res.statusCode;
          body = await res.body.text();
        } catch (err) {
          throw new Error(networkReason(err, timeoutMs, secrets));
        }
        if (status < 200 || status >= 300) {
          const said = scrub(body, secrets).slice(0, 100);
          throw new Error(`the webhook answered HTTP ${status}${said ? `: ${said}` : ''}`);
        }
      } finally {
        await agent.destroy().catch(() => {});
      }
    },
  };
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function networkReason(err: unknown, timeoutMs: number, secrets: readonly string[]): string {
  const e = err as { code?: unknown; name?: unknown };
  // AbortSignal.timeout rejects with a DOMException named TimeoutError; undici's own timeouts carry codes.
  if (e?.name === 'TimeoutError' || (typeof e?.code === 'string' && TIMEOUT_CODES.has(e.code)))
    return `no answer within ${timeoutMs / 1000} s`;
  return failureReason(err, secrets);
}

/** What of a webhook URL must never be printed: its path (the token), its query and any user:password. */
function secretParts(url: string): string[] {
  const u = new URL(url);
  const path = u.pathname === '/' ? '' : u.pathname;
  return [url, `${path}${u.search}`, path, u.search, u.username, u.password, decoded(u.password)];
}
