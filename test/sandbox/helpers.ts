// Shared helpers for the sandbox tests: a fetch-based sender that speaks to a running sandbox.
import type { RunningSandbox } from '../../src/sandbox/index.js';

export interface Answer {
  status: number;
  json: any;
  ms: number;
}

export async function post(
  url: string,
  body: unknown,
  opts: { token?: string | null; path?: string; raw?: boolean } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = opts.token === undefined ? 'test-token' : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const started = performance.now();
  const res = await fetch(`${url}${opts.path ?? '/v23.0/1234567890/messages'}`, {
    method: 'POST',
    headers,
    body: opts.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, ms: performance.now() - started };
}

export function textMessage(to: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'hello' }, ...extra };
}

export function phones(n: number, base = 15550000000): string[] {
  return Array.from({ length: n }, (_, i) => `+${base + i}`);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function stopAll(list: RunningSandbox[]): Promise<void> {
  await Promise.all(list.splice(0).map((s) => s.close()));
}
