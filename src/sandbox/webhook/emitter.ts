// Sends status events to the configured webhook URL the way Meta does: batched into signed POSTs,
// with a configurable share delivered out of order (held back to a later POST) or twice, retried
// with backoff on failure. One POST is in flight at a time so that, with disorder and duplicates at
// 0, the receiver sees events in exactly the order they were produced.
import http from 'node:http';
import https from 'node:https';
import { signatureHeader } from '../../webhook/signature.js';
import type { ResolvedOptions } from '../options.js';
import type { WebhookStats } from '../stats.js';
import { Batcher } from './batcher.js';
import type { StatusEvent } from './events.js';
import { metaJson } from './meta-json.js';

const RETRY_BACKOFF_MS = [100, 500, 2000];
const POST_TIMEOUT_MS = 10_000;

export class WebhookEmitter {
  private readonly batcher: Batcher;
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 1 }),
  };
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private request: http.ClientRequest | null = null;
  /** Events in the POST being sent or waiting for a retry. */
  private inFlight = 0;
  private closing = false;
  private onDrained: (() => void) | null = null;
  private counts = zeroCounts();

  constructor(private readonly options: () => ResolvedOptions) {
    this.batcher = new Batcher(options);
  }

  enabled(): boolean {
    const o = this.options();
    return Boolean(o.webhookUrl && o.appSecret);
  }

  emit(events: StatusEvent[]): void {
    if (this.closing) return;
    for (const e of events) this.counts.events[e.status]++;
    const { duplicates, dropped } = this.batcher.add(events);
    this.counts.duplicates += duplicates;
    this.counts.events_dropped += dropped;
    this.schedule();
  }

  stats(): WebhookStats {
    return {
      enabled: this.enabled(),
      ...this.counts,
      events: { ...this.counts.events },
      pending: this.batcher.size() + this.inFlight,
    };
  }

  /** Forgets counters and queued events (a POST already on the wire still completes). */
  reset(): void {
    this.batcher.clear();
    this.counts = zeroCounts();
  }

  /** Flushes what it can within webhookCloseMs, then drops the rest; never hangs. */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const deadline = setTimeout(() => finish(), this.options().webhookCloseMs);
      const finish = () => {
        clearTimeout(deadline);
        if (this.timer) clearTimeout(this.timer);
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.timer = this.retryTimer = null;
        this.request?.destroy();
        this.counts.events_dropped += this.batcher.clear() + this.inFlight;
        this.inFlight = 0;
        this.agents.http.destroy();
        this.agents.https.destroy();
        this.onDrained = null;
        resolve();
      };
      this.onDrained = finish;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.pump();
    });
  }

  private schedule(): void {
    if (this.inFlight > 0 || this.timer) return;
    if (this.batcher.size() === 0) {
      this.onDrained?.();
      return;
    }
    // Closing: no reason to wait for company. A full batch goes at once; otherwise wait flushMs.
    const delay = this.closing || this.batcher.queued() >= this.options().webhookBatchSize ? 0 : this.options().webhookFlushMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, delay);
    this.timer.unref();
  }

  private pump(): void {
    if (this.inFlight > 0) return;
    const batch = this.batcher.next();
    if (batch.length === 0) {
      this.schedule();
      return;
    }
    const o = this.options();
    if (!o.webhookUrl || !o.appSecret) {
      this.counts.events_dropped += batch.length;
      this.schedule();
      return;
    }
    this.inFlight = batch.length;
    const body = metaJson(envelope(batch, o));
    this.attempt(new URL(o.webhookUrl), body, signatureHeader(body, o.appSecret), 0);
  }

  private attempt(url: URL, body: string, sig: string, n: number): void {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.request = null;
      if (ok) {
        this.counts.posts++;
        this.counts.events_posted += this.inFlight;
      } else {
        this.counts.post_failures++;
        if (n < RETRY_BACKOFF_MS.length) {
          this.retryTimer = setTimeout(
            () => {
              this.retryTimer = null;
              this.attempt(url, body, sig, n + 1);
            },
            this.closing ? 50 : RETRY_BACKOFF_MS[n],
          );
          this.retryTimer.unref();
          return;
        }
        this.counts.events_dropped += this.inFlight;
      }
      this.inFlight = 0;
      this.schedule();
    };
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'POST',
      agent: url.protocol === 'https:' ? this.agents.https : this.agents.http,
      timeout: POST_TIMEOUT_MS,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-hub-signature-256': sig,
        'user-agent': 'facebookexternalua',
      },
    });
    this.request = req;
    req.on('response', (res) => {
      // 'end' comes before 'close' for a complete response; a bare 'close' means it was cut off.
      res.on('end', () => done(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300));
      res.on('close', () => done(false));
      res.on('error', () => done(false));
      res.resume();
    });
    req.on('timeout', () => req.destroy(new Error('webhook POST timed out')));
    req.on('error', () => done(false));
    req.end(body);
  }
}

/** Meta's envelope: one entry for the WABA, one change per phone number id in the batch. */
function envelope(batch: StatusEvent[], o: ResolvedOptions): unknown {
  const byNumber = new Map<string, unknown[]>();
  for (const e of batch) {
    const list = byNumber.get(e.phoneNumberId);
    if (list) list.push(e.item);
    else byNumber.set(e.phoneNumberId, [e.item]);
  }
  const changes = [...byNumber].map(([phoneNumberId, statuses]) => ({
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: o.displayPhoneNumber, phone_number_id: phoneNumberId },
      statuses,
    },
  }));
  return { object: 'whatsapp_business_account', entry: [{ id: o.wabaId, changes }] };
}

function zeroCounts(): Omit<WebhookStats, 'enabled' | 'pending'> {
  return {
    posts: 0,
    post_failures: 0,
    events: { sent: 0, delivered: 0, read: 0, failed: 0 },
    duplicates: 0,
    events_posted: 0,
    events_dropped: 0,
  };
}
