// wa-send metrics: the journal in Prometheus text exposition format.
import type { Register } from './action.js';

export const registerMetrics: Register = (program, bind) => {
  program
    .command('metrics')
    .description('print the journal as Prometheus metrics (text exposition format)')
    .action(bind(async () => (await import('../actions/metrics.js')).metricsAction));
};
