// Where alerts go (--notify, WA_SEND_NOTIFY, a profile's `notify`): a Slack-compatible incoming
// webhook (http/https), or mail through an SMTP server (smtp:// or smtps://, ?to= one or more
// addresses, optional &from=). The URL is never printed whole: a chat webhook URL is a secret, and
// an SMTP URL may carry a password.

export type NotifyTarget = { kind: 'webhook'; url: string } | { kind: 'smtp'; url: string; to: string[]; from: string | null };

const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+$/;

/** The target, or why the value cannot be one (without quoting it). */
export function parseNotifyTarget(value: string): NotifyTarget | { problem: string } {
  const text = value.trim();
  if (!URL.canParse(text)) return { problem: 'must be an http(s) URL (an incoming webhook) or smtp://host?to=address' };
  const url = new URL(text);
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'webhook', url: text };
  if (url.protocol === 'smtp:' || url.protocol === 'smtps:') {
    if (url.hostname === '') return { problem: 'an smtp:// URL needs a host: smtp://mail.example.com:587?to=ops@example.com' };
    const to = url.searchParams
      .getAll('to')
      .flatMap((t) => t.split(','))
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (to.length === 0) return { problem: 'an smtp:// URL needs ?to=address (who gets the alerts)' };
    const bad = to.find((t) => !ADDRESS.test(t));
    if (bad !== undefined) return { problem: `"${bad}" in ?to= is not a mail address` };
    const from = url.searchParams.get('from');
    if (from !== null && !ADDRESS.test(from)) return { problem: `"${from}" in ?from= is not a mail address` };
    return { kind: 'smtp', url: text, to, from };
  }
  return { problem: `must be an http(s) URL (an incoming webhook) or smtp://host?to=address, not ${url.protocol}` };
}

/** Safe to print: scheme and host only ("https://hooks.slack.com/…", "smtp://mail.example.com → ops@example.com"). */
export function notifyLabel(target: NotifyTarget): string {
  const url = new URL(target.url);
  const host = `${url.protocol}//${url.host}`;
  return target.kind === 'webhook' ? `${host}/…` : `${host} → ${target.to.join(', ')}`;
}
