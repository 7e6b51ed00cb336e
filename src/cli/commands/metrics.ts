// wa-send metrics [--textfile PATH | --listen HOST:PORT]: the journal in Prometheus text exposition
// format, on stdout, as a file for node_exporter's textfile collector, or served for a scrape.
import { InvalidArgumentError, Option } from 'commander';
import type { Register } from './action.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const registerMetrics: Register = (program, bind) => {
  program
    .command('metrics')
    .description('print the journal as Prometheus metrics (text exposition format), write them to a file, or serve them')
    .addOption(
      new Option(
        '--textfile <path>',
        "write them to this file, replaced atomically (node_exporter's textfile collector)",
      ).conflicts('listen'),
    )
    .addOption(
      new Option('--listen <host:port>', 'serve them at http://HOST:PORT/metrics until Ctrl-C (port 0: any free port)').argParser(
        listenAddress,
      ),
    )
    .action(bind(async () => (await import('../actions/metrics.js')).metricsAction));
};

/** HOST:PORT, [IPv6]:PORT. The host is required: listening on every interface is a choice to spell out. */
export function listenAddress(value: string): ListenAddress {
  const m = /^(?:\[([^\]\s]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:9464 (0.0.0.0:9464 listens on every interface)');
  return { host: m[1] ?? m[2]!, port };
}
