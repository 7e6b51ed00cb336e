// `wa-send report`: the report store's aggregates turned into the renderer's data (src/report).
// Pure over the port: the funnel is the status object itself (buildStatus over the same facts), so
// the report and `status --json` cannot disagree; phones are masked here unless asked not to.
import { usageError } from '../errors.js';
import type { Journal, OwnerAlive } from '../journal.js';
import { type BroadcastReportData, type JournalReportData, LATENCY_BOUNDS_MS, maskPhone } from '../report-data.js';
import type { BroadcastReportFacts } from '../report-facts.js';
import { openCount } from '../rules/broadcast-state.js';
import { mergeErrors, type TitleOf } from '../rules/report-errors.js';
import { activeMs, runEnd, runOutcome } from '../rules/report-runs.js';
import { countriesOf, latencyOf, maskInput, maskNumbersIn, messageOf, sendingNumberOf } from '../rules/report-shape.js';
import { buildStatus, leaseIsLive } from '../rules/status.js';
import type { BroadcastStatus } from '../types.js';
import { summarizeJournal } from './report-journal.js';

export interface ReportOptions {
  now: number;
  ownerAlive: OwnerAlive;
  /** Full phone numbers instead of masked ones (the report becomes personal data). */
  showNumbers: boolean;
  titleOf: TitleOf;
}

/** Examples per error and per rejection reason: enough to find the rows, few enough to stay aggregates. */
export const REPORT_EXAMPLES = 3;
/** The renderer draws at most 900 bars (src/report/charts/timeline-chart.ts): about one per bucket. */
export const TIMELINE_BUCKETS = 900;

const iso = (ms: number) => new Date(ms).toISOString();

export async function broadcastReport(journal: Journal, id: string, opts: ReportOptions): Promise<BroadcastReportData> {
  const facts = await journal.reports.broadcastFacts(id, {
    bucketTarget: TIMELINE_BUCKETS,
    examples: REPORT_EXAMPLES,
    latencyBoundsMs: LATENCY_BOUNDS_MS,
    now: opts.now,
  });
  if (!facts) throw usageError(`no broadcast ${id} in the journal ${journal.location}`, 'list them with: wa-send status');
  const status = buildStatus(facts.status, opts.now, opts.ownerAlive);
  const b = facts.status.broadcast;
  const mask = opts.showNumbers ? (p: string) => p : maskPhone;
  const scrub = opts.showNumbers ? (t: string | null) => t : (t: string | null) => (t === null ? null : maskNumbersIn(t));
  const { buckets } = facts.timeline;
  const first = buckets[0]?.first ?? null;
  const last = buckets[buckets.length - 1]?.last ?? null;
  const sendingMs =
    facts.runs.length > 0 ? activeMs(facts.runs, b, opts.now) : first !== null && last !== null ? last - first : null;
  return {
    generatedAt: iso(opts.now),
    broadcast: {
      id: b.id,
      name: b.name,
      state: status.state,
      reason: b.reason,
      message: messageOf(b.spec),
      sendingNumber: sendingNumberOf(b.target),
      createdAt: iso(b.createdAt),
      firstSendAt: first === null ? null : iso(first),
      lastSendAt: last === null ? null : iso(last),
      durationS: sendingMs === null ? null : sendingMs / 1000,
      continueCommand: await continueCommand(journal, status, opts.now),
      sourceFile: b.sourceFile,
    },
    funnel: {
      rowsRead: status.rows_read,
      recipients: status.recipients,
      accepted: status.accepted,
      delivered: status.delivery.delivered,
      read: status.delivery.read,
      failed: status.send_failed,
      skipped: status.counts.skipped,
      unknown: status.counts.unknown,
      open: openCount(status.counts),
      rejections: status.rejections,
    },
    timeline: timelineOf(facts, opts, last),
    latency: {
      acceptedToDelivered: latencyOf(facts.latency.acceptedToDelivered, LATENCY_BOUNDS_MS),
      deliveredToRead: latencyOf(facts.latency.deliveredToRead, LATENCY_BOUNDS_MS),
    },
    errors: mergeErrors(facts.errors, opts.titleOf, REPORT_EXAMPLES).map((e) => ({
      ...e,
      examples: e.examples.map((x) => ({ ...x, phone: mask(x.phone), detail: scrub(x.detail) })),
    })),
    rejections: facts.rejections
      .filter((r) => r.count > 0)
      .map((r) => ({
        ...r,
        examples: r.examples.map((x) => ({
          line: x.line,
          input: opts.showNumbers ? x.input : maskInput(x.input),
          detail: scrub(x.detail),
        })),
      })),
    countries: countriesOf(facts.prefixes),
  };
}

/** Buckets in seconds; runs with their real ends; halts from the runs log (or the stored halt when none logged it). */
function timelineOf(facts: BroadcastReportFacts, opts: ReportOptions, last: number | null): BroadcastReportData['timeline'] {
  const b = facts.status.broadcast;
  const live = leaseIsLive(b, opts.now, opts.ownerAlive);
  const runs: BroadcastReportData['timeline']['runs'] = [];
  const halts: BroadcastReportData['timeline']['halts'] = [];
  facts.runs.forEach((r, i) => {
    const stillRunning = r.endedAt === null && live && b.leaseOwner === r.owner;
    const end = runEnd(facts.runs, i, b, opts.now) / 1000;
    runs.push({
      startedAt: r.startedAt / 1000,
      endedAt: stillRunning ? null : end,
      mode: r.mode,
      rate: r.rate,
      outcome: runOutcome(r, stillRunning),
      reason: r.reason,
    });
    if (r.outcome === 'halted') halts.push({ at: end, reason: r.reason ?? b.reason ?? 'halted' });
  });
  if (b.status === 'halted' && halts.length === 0) {
    halts.push({ at: (last ?? b.createdAt) / 1000, reason: b.reason ?? 'halted' });
  }
  return {
    bucketS: facts.timeline.bucketMs / 1000,
    points: facts.timeline.buckets.map((k) => ({
      t: k.t / 1000,
      started: k.started,
      accepted: k.accepted,
      throttled: k.throttled,
      errors: k.started - k.accepted - k.throttled,
    })),
    rate: facts.runs[facts.runs.length - 1]?.rate ?? null,
    runs,
    halts,
  };
}

/** The command that continues an unfinished broadcast; a finished one has none (retry-failed when rows are retryable now). */
async function continueCommand(journal: Journal, s: BroadcastStatus, now: number): Promise<string | null> {
  if (s.state === 'planned' || s.state === 'paused' || s.state === 'halted') return `wa-send resume ${s.id}`;
  if (s.state === 'partial' || s.state === 'failed') {
    return (await journal.broadcasts.countEligible(s.id, {}, now)) > 0 ? `wa-send retry-failed ${s.id}` : null;
  }
  return null;
}

/** Every broadcast created since `since`: the journal report. */
export async function journalReport(journal: Journal, since: number, opts: ReportOptions): Promise<JournalReportData> {
  const facts = await journal.reports.journalFacts({ since });
  return summarizeJournal(facts, since, opts);
}
