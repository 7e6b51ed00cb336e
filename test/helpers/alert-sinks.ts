// Where alerts land in tests, all on 127.0.0.1: an incoming-webhook stand-in (node:http) that keeps
// every POST's JSON and answers with a chosen status, a mail sink (smtp-server) that keeps every
// message, and a port with nothing behind it. Each is closed after its test.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach } from 'vitest';

export interface WebhookSink {
  /** With a path that stands for the secret part of a real incoming-webhook URL. */
  url: string;
  posts: { path: string; contentType: string | undefined; json: any }[];
}

export interface Mail {
  from: string;
  to: string[];
  /** The message as received (headers and body). */
  raw: string;
  subject: string;
  /** The body, quoted-printable decoded. */
  text: string;
}

export interface MailSink {
  port: number;
  mails: Mail[];
}

export const SECRET_PATH = '/services/T0SECRET/B0SECRET/xoxSecretWebhookToken';

export function useAlertSinks() {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function webhook(status = 200, body = 'ok'): Promise<WebhookSink> {
    const posts: WebhookSink['posts'] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], json: JSON.parse(text) });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`, posts };
  }

  /** A mail server without STARTTLS and without required login: it takes whatever it is sent. */
  async function smtp(): Promise<MailSink> {
    const mails: Mail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...parseMail(raw),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return { port: (server.server.address() as AddressInfo).port, mails };
  }

  /** A loopback port that was free a moment ago: connecting to it is refused. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  return { webhook, smtp, closedPort };
}

/** Enough of RFC 5322 for a plain-text alert: the Subject header and the quoted-printable body. */
function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' '); // unfold
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
  const qp = /^Content-Transfer-Encoding: quoted-printable$/im.test(head);
  return { subject, text: (qp ? decodeQuotedPrintable(body) : body).replace(/\r\n/g, '\n') };
}

function decodeQuotedPrintable(text: string): string {
  // Literal % first, then each =XX becomes %XX: decodeURIComponent turns those runs into UTF-8.
  const escaped = text
    .replace(/=\r?\n/g, '')
    .replace(/%/g, '%25')
    .replace(/=([0-9A-F]{2})/g, '%$1');
  return decodeURIComponent(escaped);
}
