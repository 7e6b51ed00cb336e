// Alerts without the CLI: the Slack and mail shapes (pure), the SMTP transport options, the
// webhook notifier's failures (each one line, never the secret path), and the AlertCourier's
// promise: never blocking, bounded, exactly one stderr line per failed delivery.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertCourier } from '../../src/cli/alerts.js';
import type { Alert, Notifier } from '../../src/core/alerts.js';
import { mailContent, slackPayload } from '../../src/notify/index.js';
import { scrub } from '../../src/notify/reason.js';
import { transportOptions } from '../../src/notify/smtp.js';
import { parseNotifyTarget } from '../../src/notify/target.js';
import { webhookNotifier } from '../../src/notify/webhook.js';
import { memoryIO } from '../helpers/memory-io.js';

const halted: Alert = {
  event: 'halted',
  text: 'wa-send: broadcast b123 halted: error 190 Access token expired',
  broadcast: 'b123',
  number: '106540352242922',
  profile: 'acme',
  counts: { pending: 40, sent: 60, failed: 0 },
  topErrors: [{ code: 190, title: 'Access token expired', count: 1 }],
  continueWith: 'wa-send resume b123',
  problems: [],
  at: '2026-11-26T09:00:00.000Z',
};

const check: Alert = {
  ...halted,
  event: 'check',
  text: 'wa-send check: 2 problems in the journal',
  broadcast: null,
  number: null,
  profile: null,
  counts: null,
  topErrors: [],
  continueWith: null,
  problems: ['broadcast b1 (number 1): 3 rows failed', 'broadcast b2 (number 2) stopped (daily_limit)'],
};

describe('slackPayload', () => {
  it('the text line, an attachment of fields, and the alert under wa_send', () => {
    expect(slackPayload(halted)).toEqual({
      text: halted.text,
      attachments: [
        {
          color: 'danger',
          fields: [
            { title: 'Broadcast', value: 'b123', short: true },
            { title: 'Number', value: '106540352242922', short: true },
            { title: 'Profile', value: 'acme', short: true },
            { title: 'Counts', value: 'pending 40, sent 60', short: true },
            { title: 'Top errors', value: '190 Access token expired ×1', short: false },
            { title: 'Continue with', value: 'wa-send resume b123', short: false },
          ],
        },
      ],
      wa_send: {
        event: 'halted',
        broadcast: 'b123',
        number: '106540352242922',
        profile: 'acme',
        counts: { pending: 40, sent: 60, failed: 0 },
        top_errors: [{ code: 190, title: 'Access token expired', count: 1 }],
        continue_with: 'wa-send resume b123',
        problems: [],
        at: '2026-11-26T09:00:00.000Z',
      },
    });
  });

  it('a check alert lists its problems, at most 20 in the attachment and all of them under wa_send', () => {
    expect(slackPayload(check).attachments[0]!.fields).toEqual([
      { title: 'Problems', value: check.problems.join('\n'), short: false },
    ]);
    const many = { ...check, problems: Array.from({ length: 25 }, (_, i) => `problem ${i}`) };
    const payload = slackPayload(many);
    const shown = (payload.attachments[0]!.fields[0]!.value as string).split('\n');
    expect(shown).toHaveLength(21);
    expect(shown.at(-1)).toBe('… and 5 more (wa-send check)');
    expect(payload.wa_send.problems).toHaveLength(25);
  });
});

describe('mailContent', () => {
  it('the text line as the subject; the body has one "Title: value" line a field, lists indented', () => {
    expect(mailContent(halted)).toEqual({
      subject: halted.text,
      text: [
        halted.text,
        '',
        'Broadcast: b123',
        'Number: 106540352242922',
        'Profile: acme',
        'Counts: pending 40, sent 60',
        'Top errors:',
        '  190 Access token expired ×1',
        'Continue with: wa-send resume b123',
        'At: 2026-11-26T09:00:00.000Z',
        '',
        '-- ',
        'wa-send',
        '',
      ].join('\n'),
    });
    expect(mailContent(check).text).toContain(`Problems:\n  ${check.problems[0]}\n  ${check.problems[1]}\n`);
  });

  it('a subject is one line, whatever the text holds', () => {
    expect(mailContent({ ...check, text: 'a\r\nBcc: x@example.com' }).subject).toBe('a Bcc: x@example.com');
  });
});

describe('transportOptions', () => {
  const smtp = (url: string) => {
    const t = parseNotifyTarget(url);
    if ('problem' in t || t.kind !== 'smtp') throw new Error(`not an smtp target: ${url}`);
    return transportOptions(t, 1000);
  };

  it('smtps:// is TLS from the start (port 465); smtp:// upgrades when offered (port 587)', () => {
    expect(smtp('smtps://mail.example.com?to=a@b.c')).toMatchObject({ host: 'mail.example.com', port: 465, secure: true });
    expect(smtp('smtp://mail.example.com?to=a@b.c')).toMatchObject({ port: 587, secure: false });
    expect(smtp('smtp://mail.example.com?to=a@b.c')).not.toHaveProperty('auth');
    expect(smtp('smtp://[::1]:2525?to=a@b.c')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('user:password logs in (decoded), and then a plain smtp:// must upgrade before it does', () => {
    expect(smtp('smtp://ops%40acme:p%40ss@mail.example.com?to=a@b.c')).toMatchObject({
      auth: { user: 'ops@acme', pass: 'p@ss' },
      requireTLS: true,
    });
    expect(smtp('smtps://ops:pw@mail.example.com?to=a@b.c')).toMatchObject({ requireTLS: false });
  });
});

describe('the webhook notifier', () => {
  const servers: { close(): void; closeAllConnections(): void }[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('a webhook that never answers: rejected after the deadline, with one line that keeps the path secret', async () => {
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer(() => arrived()); // reads the request, never answers
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/SECRET`;
    const sending = webhookNotifier(url, 'label', 200).send(halted);
    await received;
    await expect(sending).rejects.toThrow(/^no answer within 0\.2 s$/);
  });

  it('scrub takes every secret out of a library message, the longest first, and keeps it to one line', () => {
    expect(scrub('POST http://h/services/T/B/X failed:\n  /services/T/B/X', ['http://h/services/T/B/X', '/services/T/B/X'])).toBe(
      'POST … failed: …',
    );
  });
});

describe('AlertCourier', () => {
  const target = 'https://hooks.example.com/services/T/B/X';
  const notifier = (send: Notifier['send']) => () => ({ label: 'unused: the courier labels by the target', send });

  it('send returns before the delivery ends; drain waits for it', async () => {
    const io = memoryIO();
    let deliver!: () => void;
    const courier = new AlertCourier(
      io,
      notifier(() => new Promise<void>((resolve) => (deliver = resolve))),
    );
    courier.send(target, halted);
    let drained = false;
    const draining = courier.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    deliver();
    await draining;
    expect(io.err()).toBe('');
  });

  it('a failed delivery is exactly one stderr line naming the label and the reason', async () => {
    const io = memoryIO();
    const courier = new AlertCourier(
      io,
      notifier(async () => {
        throw new Error('the webhook answered HTTP 500');
      }),
    );
    courier.send(target, halted);
    courier.send(target, check);
    await courier.drain();
    expect(io.err().trim().split('\n')).toEqual([
      'wa-send: alert not delivered to https://hooks.example.com/…: the webhook answered HTTP 500',
      'wa-send: alert not delivered to https://hooks.example.com/…: the webhook answered HTTP 500',
    ]);
  });

  it('drain is bounded: a delivery still running gets its line then, and never a second one', async () => {
    const io = memoryIO();
    let fail!: (err: Error) => void;
    const courier = new AlertCourier(
      io,
      notifier(() => new Promise<void>((_, reject) => (fail = reject))),
    );
    courier.send(target, halted);
    await courier.drain(50);
    expect(io.err()).toBe('wa-send: alert not delivered to https://hooks.example.com/…: no answer within 0.05 s\n');
    fail(new Error('late'));
    await courier.drain();
    await new Promise((resolve) => setImmediate(resolve));
    expect(io.err().trim().split('\n')).toHaveLength(1);
  });

  it('a target that is not one: one line, no delivery; drain with nothing pending returns at once', async () => {
    const io = memoryIO();
    let opened = 0;
    const courier = new AlertCourier(
      io,
      notifier(async () => void opened++),
    );
    courier.send('ftp://example.com/x', halted);
    await courier.drain();
    expect(io.err()).toMatch(/^wa-send: alert not delivered: the notify target must be an http\(s\) URL.*\n$/);
    expect(opened).toBe(0);
  });

  it('a notifier that cannot even be opened is still one line', async () => {
    const io = memoryIO();
    const courier = new AlertCourier(io, () => {
      throw new Error('no transport');
    });
    courier.send(target, halted);
    await courier.drain();
    expect(io.err()).toBe('wa-send: alert not delivered to https://hooks.example.com/…: no transport\n');
  });
});
