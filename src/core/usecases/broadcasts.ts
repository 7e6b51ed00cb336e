// Reading a broadcast for a use case: the record, or the usage error every command gives for an
// unknown id; its status object (DESIGN §11).
import { usageError } from '../errors.js';
import type { Journal, OwnerAlive } from '../journal.js';
import { buildStatus } from '../rules/status.js';
import type { BroadcastRecord, BroadcastStatus } from '../types.js';

export async function requireBroadcast(journal: Journal, id: string): Promise<BroadcastRecord> {
  const b = await journal.broadcasts.get(id);
  if (!b) throw usageError(`no broadcast ${id} in the journal ${journal.location}`, 'list them with: wa-send status');
  return b;
}

export async function broadcastStatus(
  journal: Journal,
  id: string,
  now: number,
  ownerAlive: OwnerAlive,
): Promise<BroadcastStatus> {
  const facts = await journal.broadcasts.facts(id);
  if (!facts) throw usageError(`no broadcast ${id} in the journal ${journal.location}`, 'list them with: wa-send status');
  return buildStatus(facts, now, ownerAlive);
}

/** Every broadcast's status, newest first. */
export async function allStatuses(journal: Journal, now: number, ownerAlive: OwnerAlive): Promise<BroadcastStatus[]> {
  const list = await journal.broadcasts.list();
  const out: BroadcastStatus[] = [];
  for (const b of list) out.push(await broadcastStatus(journal, b.id, now, ownerAlive));
  return out;
}
