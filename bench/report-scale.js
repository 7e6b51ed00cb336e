// The report at scale (the issue's acceptance: "for a 1,000,000-recipient broadcast the report is
// written in under 5 s and stays under 2 MB"). Builds the journal once (bench/report-journal.js:
// through the journal port, in virtual time), then runs the real binary on it as a user would:
// `wa-send report <id>` and the journal report, each timed as a whole process (start-up included),
// with the file size and peak RSS. Needs `npm run build`.
//
//   node bench/report-scale.js [recipients] [--journal PATH]   (default 1,000,000; a new journal in bench/.data)
//
// With --journal PATH an existing journal is reported on again without building a new one.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteJournal } from '../dist/journal/sqlite/journal.js';
import { BIN, run, scratchDir } from './lib.js';
import { deliverReceipts, planLarge, rng, sendRun, writeCsv } from './report-journal.js';

const args = process.argv.slice(2);
const at = args.indexOf('--journal');
const given = at >= 0 ? args[at + 1] : undefined;
const recipients = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);

async function build(dir) {
  const path = join(dir, 'journal.db');
  const csv = join(dir, 'recipients.csv');
  const started = Date.now();
  const step = (what) => console.log(`  ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  await writeCsv(csv, recipients);
  const journal = openSqliteJournal(path);
  // Virtual time: created three days ago, so the whole story (runs, pause, receipts) is in the past.
  const t0 = Math.floor((Date.now() - 3 * 86_400_000) / 1000) * 1000;
  const id = await planLarge(journal, csv, t0);
  step(`planned ${id}`);
  const rand = rng(7);
  const accepted = [];
  const firstEnd = await sendRun(journal, id, {
    mode: 'broadcast',
    now: t0 + 60_000,
    stopAfter: Math.floor(recipients * 0.4),
    rand,
    accepted,
  });
  const end = await sendRun(journal, id, { mode: 'resume', now: firstEnd + 2 * 3_600_000, rand, accepted });
  step(`sent ${accepted.length} accepted over ${((end - t0) / 3_600_000).toFixed(1)} h of virtual time`);
  await deliverReceipts(journal, accepted, rand, end + 86_400_000);
  step('receipts applied');
  await journal.close();
  return { path, id };
}

async function timed(journal, reportArgs, file) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, WA_SEND_JOURNAL: journal, NO_COLOR: '1' };
  const r = await run(process.execPath, [BIN, 'report', ...reportArgs, '-o', file], { env });
  if (r.code !== 0) throw new Error(`wa-send report exited ${r.code}: ${r.stderr}`);
  return { wallS: r.wallS.toFixed(2), sizeKb: Math.round(statSync(file).size / 1024), peakRssMb: Math.round(r.peakRssMb) };
}

const dir = scratchDir('report');
let journal = given;
let id;
if (journal === undefined) {
  console.log(`building a ${recipients.toLocaleString('en-US')}-recipient journal in ${dir}`);
  ({ path: journal, id } = await build(dir));
} else {
  const j = openSqliteJournal(journal, { readonly: true });
  id = (await j.broadcasts.list()).find((b) => b.name?.includes('scale test'))?.id;
  await j.close();
}
console.log(`broadcast report: ${JSON.stringify(await timed(journal, [id], join(dir, `wa-send-${id}.html`)))}`);
console.log(`journal report: ${JSON.stringify(await timed(journal, ['--since', '30d'], join(dir, 'wa-send-journal.html')))}`);
console.log(`journal: ${journal}`);
