// The Sender for a broadcast's target: the real Cloud API with the credentials, or the sandbox
// started in-process on an ephemeral loopback port (--sandbox), so the whole real path runs with
// no account. Loaded only by the commands that send.
import type { Target } from '../core/types.js';
import type { OpenSender } from '../core/usecases/run-broadcast.js';
import type { Credentials } from './target.js';

/** Where the Graph GETs of the preflight go: the same API, version and token as the sends. */
export interface GraphEndpoint {
  apiUrl: string;
  apiVersion: string;
  token: string;
  phoneNumberId: string;
  /** The sandbox answers any WABA id; a real number needs the profile's or WA_WABA_ID. */
  wabaId: string | null;
}

export interface OpenedSender extends OpenSender {
  graph: GraphEndpoint;
}

export const SANDBOX_WABA_ID = 'sandbox-waba';

export async function openSender(
  target: Target,
  creds: Credentials,
  concurrency: number,
  wabaId: string | null,
): Promise<OpenedSender> {
  const { CloudApiClient } = await import('../whatsapp/client.js');
  if (target === 'sandbox') {
    const { startSandbox } = await import('../sandbox/index.js');
    const sandbox = await startSandbox({ latencyMs: 20, jitterMs: 10 });
    const client = new CloudApiClient({
      apiUrl: sandbox.url,
      apiVersion: creds.apiVersion,
      phoneNumberId: 'sandbox',
      token: creds.token,
      connections: concurrency,
    });
    return {
      sender: client,
      graph: {
        apiUrl: sandbox.url,
        apiVersion: creds.apiVersion,
        token: creds.token,
        phoneNumberId: 'sandbox',
        wabaId: SANDBOX_WABA_ID,
      },
      close: async () => {
        await client.close();
        await sandbox.close();
      },
    };
  }
  const client = new CloudApiClient({
    apiUrl: target.api_url,
    apiVersion: creds.apiVersion,
    phoneNumberId: target.phone_number_id,
    token: creds.token,
    connections: concurrency,
  });
  return {
    sender: client,
    graph: {
      apiUrl: target.api_url,
      apiVersion: creds.apiVersion,
      token: creds.token,
      phoneNumberId: target.phone_number_id,
      wabaId,
    },
    close: () => client.close(),
  };
}
