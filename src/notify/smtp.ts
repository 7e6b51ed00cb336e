// Alerts by mail through an SMTP server (nodemailer): smtps:// is TLS from the first byte; smtp://
// upgrades with STARTTLS when the server offers it. user:password in the URL logs in; then the
// upgrade is required, so a password never travels in clear. The password is never printed.
import { hostname } from 'node:os';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { Alert, Notifier } from '../core/alerts.js';
import { mailContent } from './content.js';
import { decoded, failureReason } from './reason.js';
import type { NotifyTarget } from './target.js';

type SmtpTarget = Extract<NotifyTarget, { kind: 'smtp' }>;

/** Connect, greeting and idle socket deadlines: a silent mail server must not hold a command long. */
export const SMTP_TIMEOUT_MS = 5_000;

export function transportOptions(target: SmtpTarget, timeoutMs = SMTP_TIMEOUT_MS): SMTPTransportOptions {
  const url = new URL(target.url);
  const secure = url.protocol === 'smtps:';
  const user = decoded(url.username);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''), // an IPv6 literal comes bracketed
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    ...(user !== '' && { auth: { user, pass: decoded(url.password) }, requireTLS: !secure }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

export function smtpNotifier(target: SmtpTarget, label: string, timeoutMs = SMTP_TIMEOUT_MS): Notifier {
  const url = new URL(target.url);
  const secrets = [target.url, url.password, decoded(url.password)];
  return {
    label,
    async send(alert: Alert) {
      // Loaded here: a command that alerts a webhook, or not at all, never loads the mailer.
      const { createTransport } = await import('nodemailer');
      const transport = createTransport(transportOptions(target, timeoutMs));
      try {
        await transport.sendMail({
          from: target.from ?? `wa-send@${hostname()}`,
          to: target.to,
          ...mailContent(alert),
        });
      } catch (err) {
        throw new Error(failureReason(err, secrets));
      } finally {
        transport.close();
      }
    },
  };
}
