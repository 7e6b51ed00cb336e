// Where alerts go, by the target's kind. Core builds the Alert; this only carries it.
import type { Notifier } from '../core/alerts.js';
import { smtpNotifier } from './smtp.js';
import { type NotifyTarget, notifyLabel } from './target.js';
import { webhookNotifier } from './webhook.js';

export { mailContent, slackPayload } from './content.js';
export { type NotifyTarget, notifyLabel, parseNotifyTarget } from './target.js';

export function openNotifier(target: NotifyTarget): Notifier {
  const label = notifyLabel(target);
  return target.kind === 'webhook' ? webhookNotifier(target.url, label) : smtpNotifier(target, label);
}
