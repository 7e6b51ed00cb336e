// wa-send metrics: the journal in Prometheus text exposition format (for node_exporter's textfile
// collector, or a scrape through a tiny wrapper).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { journalMetrics, type Sample } from '../journal/metrics.js';
import type { Wrap } from '../main.js';
import type { Context } from './context.js';
import { ownerAlive } from './owner.js';

export function registerMetrics(program: Command, wrap: Wrap): void {
  program.command('metrics')
    .description('print the journal as Prometheus metrics (text exposition format)')
    .action(wrap(async (ctx: Context) => {
      const db = ctx.openJournal({ readonly: true });
      try {
        ctx.io.stdout.write(renderPrometheus(journalMetrics(db, Date.now(), ownerAlive)));
      } finally {
        db.close();
      }
      if (!existsSync(ctx.journalPath)) ctx.io.stderr.write(`(no journal at ${ctx.journalPath} yet)\n`);
      return 0;
    }));
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderPrometheus(samples: Sample[]): string {
  const out: string[] = [];
  for (const s of samples) {
    out.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
    for (const v of s.values) {
      const labels = Object.entries(v.labels).map(([k, x]) => `${k}="${escapeLabel(x)}"`).join(',');
      out.push(`${s.name}${labels ? `{${labels}}` : ''} ${v.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}
