// Webhook burst: can the receiver keep up with Meta's fan-out? A local load generator posts
// status events (default 20,000, in batches of 100, 8 POSTs in flight) to `wa-send webhook`'s
// server on 127.0.0.1, signed like Meta's, and reports events/s and response-time percentiles.
// The server runs in a worker thread (its own event loop, as in production), against a real
// journal whose recipients the events belong to, so every event is persisted AND applied.
//
//   npm run build && node bench/webhook-burst.js [--events 20000] [--batch 100] [--concurrency 8] [--json]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const SECRET = 'bench-app-secret';

if (isMainThread) await main();
else await serve();

async function main() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '20000' },
      batch: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
  });
  const total = Number(values.events);
  const batchSize = Number(values.batch);
  const concurrency = Number(values.concurrency);
  const { openJournal } = await import('../dist/journal/index.js');
  const { signatureHeader } = await import('../dist/webhook/signature.js');

  const dir = mkdtempSync(join(tmpdir(), 'wa-send-webhook-burst-'));
  const journal = join(dir, 'journal.db');
  await (await openJournal(journal)).close(); // the schema
  const { events, expected } = seed(new Database(journal), total);
  const bodies = [];
  for (let i = 0; i < events.length; i += batchSize) {
    const body = JSON.stringify(envelope(events.slice(i, i + batchSize)));
    bodies.push({ body, signature: signatureHeader(body, SECRET), count: Math.min(batchSize, events.length - i) });
  }

  const worker = new Worker(new URL(import.meta.url), { workerData: { journal } });
  const ask = (type) =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(type);
    });
  const { url } = await ask('start');

  const latencies = [];
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const b = bodies[next++];
        const t0 = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          body: b.body,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  let stats = await ask('stats');
  while (stats.pending > 0 && performance.now() - started < 60_000) stats = await ask('stats');
  await ask('close');
  await worker.terminate();

  const db = new Database(journal, { readonly: true });
  const states = Object.fromEntries(db.prepare('SELECT state, count(*) AS n FROM recipients GROUP BY state').raw().all());
  db.close();
  rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  const result = {
    events: events.length,
    posts: bodies.length,
    batch: batchSize,
    concurrency,
    seconds: round(elapsed),
    events_per_s: Math.round(events.length / elapsed),
    p50_ms: round(pct(50)),
    p99_ms: round(pct(99)),
    max_ms: round(latencies[latencies.length - 1]),
    http: Object.fromEntries(statuses),
    persisted: stats.total,
    pending_after: stats.pending,
    states_ok: JSON.stringify(states) === JSON.stringify(expected),
    states,
  };
  const ok =
    result.http[200] === bodies.length && result.persisted === events.length && result.pending_after === 0 && result.states_ok;
  if (values.json) console.log(JSON.stringify({ ...result, ok }));
  else {
    console.log(
      `webhook burst: ${result.events} status events in ${result.posts} POSTs of ${batchSize}, ${concurrency} in flight`,
    );
    console.log(
      `  ${result.events_per_s} events/s  (${result.seconds} s)   POST latency p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, max ${result.max_ms} ms`,
    );
    console.log(
      `  answers ${JSON.stringify(result.http)}; persisted ${result.persisted}/${result.events}; unapplied ${result.pending_after}; final states ${result.states_ok ? 'as expected' : `WRONG ${JSON.stringify(states)}`}`,
    );
  }
  process.exitCode = ok ? 0 : 1;
}

/** Recipients already `sent`; 2/3 of them get sent+delivered+read, 1/3 sent+failed; shuffled. */
function seed(db, total) {
  db.prepare(
    `INSERT INTO broadcasts (id, key, target, spec, created_at) VALUES ('bbench', 'bench', '"sandbox"', '{"message":{},"columns":[]}', ?)`,
  ).run(Date.now());
  const insert = db.prepare(
    `INSERT INTO recipients (broadcast_id, line, input, phone, state, attempts, wamid, sent_at) VALUES ('bbench', ?, ?, ?, 'sent', 1, ?, ?)`,
  );
  const events = [];
  const expected = { failed: 0, read: 0 };
  db.transaction(() => {
    for (let i = 0; events.length < total; i++) {
      const phone = `+1202${String(1000000 + i).slice(-7)}`;
      const wamid = `wamid.BENCH${String(i).padStart(10, '0')}`;
      insert.run(i + 2, phone, phone, wamid, 1_760_000_000_000);
      const chain = i % 3 === 2 ? ['sent', 'failed'] : ['sent', 'delivered', 'read'];
      expected[chain.at(-1)]++;
      chain.forEach((status, k) => {
        events.push({
          id: wamid,
          status,
          timestamp: String(1_760_000_001 + k),
          recipient_id: phone.slice(1),
          biz_opaque_callback_data: `bbench:${phone}`,
          ...(status === 'failed'
            ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'x', error_data: { details: 'bench' } }] }
            : {}),
        });
      });
    }
  })();
  db.close();
  events.length = total;
  let s = 7;
  for (let i = events.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const k = s % (i + 1);
    [events[i], events[k]] = [events[k], events[i]];
  }
  return { events, expected: Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)) };
}

function envelope(statuses) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '100000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: '200000000000002' },
              statuses,
            },
          },
        ],
      },
    ],
  };
}

async function serve() {
  const { openJournal } = await import('../dist/journal/index.js');
  const { startWebhookServer } = await import('../dist/webhook/server.js');
  const journal = await openJournal(workerData.journal, { durable: true });
  const server = await startWebhookServer({ journal, appSecret: SECRET, verifyToken: null, port: 0, host: '127.0.0.1' });
  const db = new Database(workerData.journal, { readonly: true });
  const count = (where) => db.prepare(`SELECT count(*) FROM webhook_events WHERE ${where}`).pluck().get();
  parentPort.on('message', async (type) => {
    if (type === 'start') parentPort.postMessage({ url: server.url });
    if (type === 'stats')
      setTimeout(() => parentPort.postMessage({ total: count('1'), pending: count('applied_at IS NULL') }), 20);
    if (type === 'close') {
      await server.close();
      await journal.close();
      db.close();
      parentPort.postMessage({});
    }
  });
}

function round(x) {
  return Math.round(x * 10) / 10;
}
