// Plans one CSV into a fresh journal with the same modules `wa-send broadcast` uses (worker-thread
// normalization, SQLite staging, one publishing transaction) and prints the timing as JSON.
import { join } from 'node:path';
import { messageFromFlags } from '../dist/core/message-spec.js';
import { workerNormalizer } from '../dist/core/normalizer.js';
import { planBroadcast } from '../dist/core/plan.js';
import { openJournal } from '../dist/journal/db.js';
import { SqlitePlanStore } from '../dist/journal/plan-store.js';

const [csvPath, dir] = process.argv.slice(2);
const db = openJournal(join(dir, 'journal.db'));
const normalizer = workerNormalizer('US');
const started = performance.now();
const result = await planBroadcast(
  {
    csvPath,
    message: messageFromFlags({ template: 'order_update', body: ['{{name}}', '{{order_id}}'] }),
    maxInvalidPct: 20,
    target: 'sandbox',
    defaultCountry: 'US',
  },
  new SqlitePlanStore(db),
  normalizer,
);
const seconds = (performance.now() - started) / 1000;
await normalizer.close();
db.close();
console.log(
  JSON.stringify({
    seconds,
    rows: result.rowsRead,
    recipients: result.recipients,
    rejections: result.rejections,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
