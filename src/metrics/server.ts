// `wa-send metrics --listen`: a Prometheus scrape target. The server keeps no journal open: each
// scrape calls `scrape`, which opens the journal read-only, reads and closes it, so a scraper never
// holds a lock a sender or the webhook receiver would wait for. A scrape that fails answers 503
// with one line, and the server stays up for the next one.

import { createServer, type ServerResponse } from 'node:http';
import { listenOn } from '../net/listen.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** The exposition text, read afresh. */
  scrape: () => Promise<string>;
  /** Why a scrape failed, in one line (the 503 body and the log line). */
  describeError: (err: unknown) => string;
  log: (line: string) => void;
}

export interface MetricsServer {
  /** http://host:port/metrics, with the port actually bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

export const METRICS_PATH = '/metrics';

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== METRICS_PATH) return reply(res, 404, `not found: metrics are at ${METRICS_PATH}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, 'method not allowed');
    }
    opts.scrape().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }).end(text);
      },
      (err: unknown) => {
        const line = opts.describeError(err);
        opts.log(`scrape failed (503): ${line}`);
        reply(res, 503, line);
      },
    );
  });
  server.requestTimeout = 30_000; // a slow client cannot hold a connection open indefinitely

  const { origin } = await listenOn(server, opts.host, opts.port);
  return {
    url: `${origin}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Prometheus keeps its connection alive between scrapes: idle ones go now, a scrape in flight may finish.
        const force = setTimeout(() => server.closeAllConnections(), 5_000).unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text.replace(/[\r\n]+/g, ' ')}\n`);
}
