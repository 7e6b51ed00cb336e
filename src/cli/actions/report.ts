// report [id] [-o FILE] [--since DURATION] [--show-numbers]: the report data from the journal (one
// use case), rendered to one HTML page, written atomically (or to stdout with -o -).
import { resolve } from 'node:path';
import { usageError } from '../../core/errors.js';
import { broadcastReport, journalReport, type ReportOptions } from '../../core/usecases/report.js';
import { renderBroadcastReport, renderJournalReport } from '../../report/index.js';
import { ERROR_CODES } from '../../whatsapp/error-codes.js';
import { unwritableReason, writeFileAtomic } from '../atomic-file.js';
import type { Context } from '../context.js';
import { ownerAlive } from '../owner.js';

interface ReportFlags {
  output?: string;
  since?: number;
  showNumbers?: boolean;
}

const DEFAULT_SINCE_MS = 30 * 86_400_000;

export async function reportAction(ctx: Context, id: string | undefined, flags: ReportFlags): Promise<number> {
  if (id !== undefined && flags.since !== undefined)
    throw usageError('--since is for the journal report: give it without a broadcast id', 'e.g. wa-send report --since 7d');
  const output = flags.output ?? (id === undefined ? 'wa-send-journal.html' : `wa-send-${id}.html`);
  const path = output === '-' ? null : resolve(output);
  if (path !== null) {
    const why = unwritableReason(path);
    if (why !== null) throw usageError(`cannot write the report to ${path}: ${why}`);
  }
  if (id !== undefined && ctx.journalMissing())
    throw usageError(`no broadcast ${id}: the journal ${ctx.journalLabel} does not exist yet`);

  const now = ctx.clock.now();
  const opts: ReportOptions = {
    now,
    ownerAlive,
    showNumbers: Boolean(flags.showNumbers),
    titleOf: (code) => ERROR_CODES[code]?.title ?? null,
  };
  const html = await ctx.withJournal({ readonly: true }, async (journal) =>
    id === undefined
      ? renderJournalReport(await journalReport(journal, now - (flags.since ?? DEFAULT_SINCE_MS), opts))
      : renderBroadcastReport(await broadcastReport(journal, id, opts)),
  );

  if (path === null) {
    ctx.io.stdout.write(html);
    return 0;
  }
  try {
    // Full numbers make the file personal data: only its owner may read it then.
    writeFileAtomic(path, html, flags.showNumbers ? 0o600 : 0o644);
  } catch (err) {
    throw usageError(`cannot write the report to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!ctx.io.quiet) ctx.io.stderr.write(`Report written to ${path} (${kilobytes(Buffer.byteLength(html))})\n`);
  return 0;
}

const kilobytes = (n: number) =>
  n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
