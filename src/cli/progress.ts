// Progress on stderr: a live bar when a human is watching, a line every few seconds for cron logs,
// nothing with --quiet (DESIGN §5).
import cliProgress from 'cli-progress';
import type { EngineProgress } from '../core/engine/engine.js';
import type { ProgressReporter } from '../core/usecases/run-broadcast.js';
import type { IO } from './io.js';

const LOG_EVERY_MS = 5000;

export function progressReporter(io: IO, total: number, label: string): ProgressReporter {
  if (io.quiet) return { update() {}, stop() {} };
  const startedAt = Date.now();
  const rateOf = (p: EngineProgress) => p.started / Math.max(0.001, (Date.now() - startedAt) / 1000);
  const done = (p: EngineProgress) => p.accepted + p.failed + p.unknown;
  if (io.stderrIsTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: io.stderr as NodeJS.WritableStream,
        format: `${label} {bar} {value}/{total} | sent {accepted} · failed {failed} · retrying {retrying} · unknown {unknown} | {mps} msg/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { accepted: 0, failed: 0, retrying: 0, unknown: 0, mps: '0' });
    return {
      update: (p) => bar.update(Math.min(total, done(p)), { ...p, mps: rateOf(p).toFixed(0) }),
      stop: () => bar.stop(),
    };
  }
  let lastLog = Date.now();
  return {
    update(p) {
      if (Date.now() - lastLog < LOG_EVERY_MS) return;
      lastLog = Date.now();
      io.stderr.write(
        `${new Date().toISOString()} ${label}: ${done(p)}/${total} done, sent ${p.accepted}, failed ${p.failed}, retrying ${p.retrying}, unknown ${p.unknown}, ${rateOf(p).toFixed(0)} msg/s\n`,
      );
    },
    stop() {},
  };
}
