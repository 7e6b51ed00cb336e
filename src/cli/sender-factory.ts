// Builds the Sender for a broadcast's target: the real Cloud API, or the sandbox started in-process
// on an ephemeral loopback port (--sandbox), so the whole real path runs with no account.
import type { Sender } from '../core/sender.js';
import type { Target } from '../core/types.js';
import { startSandbox } from '../sandbox/index.js';
import { CloudApiClient } from '../whatsapp/client.js';
import type { Credentials } from './target.js';

export interface OpenSender { sender: Sender; close(): Promise<void>; phoneNumberId: string }

export async function openSender(target: Target, creds: Credentials, concurrency: number): Promise<OpenSender> {
  if (target === 'sandbox') {
    const sandbox = await startSandbox({ latencyMs: 20, jitterMs: 10 });
    const client = new CloudApiClient({ apiUrl: sandbox.url, apiVersion: creds.apiVersion, phoneNumberId: 'sandbox', token: creds.token, connections: concurrency });
    return { sender: client, phoneNumberId: 'sandbox', close: async () => { await client.close(); await sandbox.close(); } };
  }
  const client = new CloudApiClient({
    apiUrl: target.api_url, apiVersion: creds.apiVersion, phoneNumberId: target.phone_number_id, token: creds.token, connections: concurrency,
  });
  return { sender: client, phoneNumberId: target.phone_number_id, close: () => client.close() };
}
