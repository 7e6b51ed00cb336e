// Plans one CSV into a journal (a file path or a postgres:// URL) with the same modules
// `wa-send broadcast` uses (worker-thread normalization, the journal's staging, one publishing
// transaction) and prints the timing as JSON.
import { messageFromFlags } from '../dist/core/message-spec.js';
import { planBroadcast } from '../dist/core/plan.js';
import { openCsv } from '../dist/csv/csv.js';
import { openJournal } from '../dist/journal/index.js';
import { workerNormalizer } from '../dist/threads/normalizer.js';

const [csvPath, location] = process.argv.slice(2);
const journal = await openJournal(location);
const normalizer = workerNormalizer('US');
const started = performance.now();
const result = await planBroadcast(
  {
    source: await openCsv(csvPath),
    message: messageFromFlags({ template: 'order_update', body: ['{{name}}', '{{order_id}}'] }),
    maxInvalidPct: 20,
    target: 'sandbox',
    now: Date.now(),
  },
  journal,
  normalizer,
);
const seconds = (performance.now() - started) / 1000;
await normalizer.close();
await journal.close();
console.log(
  JSON.stringify({
    seconds,
    rows: result.rowsRead,
    recipients: result.recipients,
    rejections: result.rejections,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
