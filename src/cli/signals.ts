// Long-running servers (sandbox, webhook) stop on the first SIGINT or SIGTERM.

/** Resolves on the first SIGINT or SIGTERM; the other listener is removed so none leak. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}
