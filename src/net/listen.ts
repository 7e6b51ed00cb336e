// Listening on HOST:PORT for the servers wa-send runs (the sandbox, the webhook receiver, the
// metrics endpoint): resolves once bound, rejects with the bind error (EADDRINUSE…), and gives the
// port actually bound (0 picks a free one) with the origin to print.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listenOn(server: Server, host: string, port: number): Promise<{ port: number; origin: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  // An IPv6 literal goes in brackets in a URL.
  return { port: bound, origin: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
