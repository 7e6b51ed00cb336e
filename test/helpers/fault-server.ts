// A small fault-injecting stand-in for the Cloud API (or a proxy in front of it) on 127.0.0.1: each
// request is answered by a script, which can echo the request's headers, answer HTML or plain
// text, answer without a message id, or cut the connection after reading the request.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export type FaultAnswer =
  | { status: number; body: string; headers?: Record<string, string> }
  /** Reads the request, then resets the connection: the client got no answer. */
  | 'reset';

export interface FaultRequest {
  n: number;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FaultServer {
  url: string;
  /** Environment that points wa-send at this server. */
  env: Record<string, string>;
  /** The sends (POSTs), numbered from 1. */
  requests: FaultRequest[];
  /** Graph GETs (a preflight's): answered 404 in plain text, like a stand-in that has no such endpoints. */
  gets: FaultRequest[];
  close(): Promise<void>;
}

export const TOKEN = 'EAAGm0PX4ZCpsBAM2ZCtestTOKENwithsomeLENGTHtoitZBZBkVZAZCt7xQm1mX0dYZAp5b3Bz9HZBkQZDZD';

export function useFaultServers(): (answer: (r: FaultRequest) => FaultAnswer) => Promise<FaultServer> {
  const open: FaultServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (answer) => {
    const requests: FaultRequest[] = [];
    const gets: FaultRequest[] = [];
    const server: Server = createServer((req, res) => {
      if (req.method === 'GET') {
        gets.push({ n: gets.length + 1, url: req.url ?? '', headers: req.headers, body: '' });
        req.resume();
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const r: FaultRequest = { n: requests.length + 1, url: req.url ?? '', headers: req.headers, body };
        requests.push(r);
        const a = answer(r);
        if (a === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const s: FaultServer = {
      url,
      env: { WA_API_URL: url, WA_PHONE_NUMBER_ID: '100200300', WA_ACCESS_TOKEN: TOKEN },
      requests,
      gets,
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    open.push(s);
    return s;
  };
}

/** A Cloud API success body for one request. */
export function accepted(n: number): FaultAnswer {
  return { status: 200, body: JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.F${n}` }] }) };
}

/** Every 8-character piece of `secret` that appears in `text`. */
export function fragmentsOf(secret: string, text: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i + 8 <= secret.length; i++) if (text.includes(secret.slice(i, i + 8))) found.add(secret.slice(i, i + 8));
  return [...found];
}
