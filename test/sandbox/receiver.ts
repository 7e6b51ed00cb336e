// A webhook receiver for tests: keeps every POST's raw bytes and checks the signature the way a
// real receiver must (HMAC-SHA256 of the exact bytes, constant-time compare). The HMAC is computed
// here, not with src/webhook/signature.ts, so the sandbox's signing is not checked against itself.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  raw: Buffer;
  json: any;
  signatureOk: boolean;
  headers: IncomingMessage['headers'];
}

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  /** Every statuses[] item across all posts, in arrival order. */
  statuses(): any[];
  close(): Promise<void>;
}

/** `answer` decides the HTTP status per POST (default 200); returning null leaves the request hanging. */
export async function startReceiver(secret: string, answer: (n: number) => number | null = () => 200): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer(n++);
      if (status === null) return; // simulate a stuck receiver
      if (status === 200) {
        const raw = Buffer.concat(chunks);
        const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
        const got = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
        const signatureOk = got.length === expected.length && timingSafeEqual(got, expected);
        posts.push({ raw, json: JSON.parse(raw.toString('utf8')), signatureOk, headers: req.headers });
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    posts,
    statuses: () => posts.flatMap((p) => p.json.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.statuses))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
