// DESIGN §4: a key means one request. Running a command again with the same --key continues that
// broadcast only when it is the same request: the same target, the same message and the same input
// (by content, not by file name). Anything else would silently send the old message to the old
// list while the operator believes the new one went out.
import { usageError } from '../errors.js';
import type { RecipientSource } from '../recipient-source.js';
import { type BroadcastRecord, type MessageSpec, sameTarget, type Target, targetLabel } from '../types.js';

export interface PlanIdentity {
  key: string;
  target: Target;
  spec: MessageSpec;
  source: RecipientSource;
}

export async function checkKeyReuse(existing: BroadcastRecord, asked: PlanIdentity): Promise<void> {
  const differences: string[] = [];
  if (!sameTarget(existing.target, asked.target)) differences.push(`another target (${targetLabel(asked.target)})`);
  if (canonical(existing.spec.message) !== canonical(asked.spec.message)) {
    differences.push(`another message (${describeMessage(asked.spec)})`);
  }
  if (existing.sourceSha256 !== null && existing.sourceSha256 !== (await asked.source.sha256())) {
    differences.push(`another CSV (${asked.source.name}, different content)`);
  }
  if (differences.length === 0) return;
  const planned = new Date(existing.createdAt).toISOString().replace('T', ' ').slice(0, 16);
  throw usageError(
    `--key ${asked.key} is broadcast ${existing.id}, planned ${planned} UTC from ${existing.sourceFile ?? 'an unknown file'} ` +
      `with ${describeMessage(existing.spec)}; this command has ${differences.join(' and ')}, so nothing was planned or sent`,
    `to continue that broadcast: wa-send resume ${existing.id}; to send this one, give a new --key`,
  );
}

/** "template order_update (en_US)", "text message", "image message". */
export function describeMessage(spec: MessageSpec): string {
  const m = spec.message as { type?: unknown; template?: { name?: unknown; language?: { code?: unknown } } };
  if (m.type === 'template') return `template ${String(m.template?.name)} (${String(m.template?.language?.code)})`;
  return `a ${String(m.type)} message`;
}

/** JSON with object keys sorted: the same message written in another key order is the same message. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
