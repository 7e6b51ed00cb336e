// One sender per number (across broadcasts), and what a number reached in a window (the daily
// messaging limit). The number's lease follows the broadcast lease's rules: acquired when free,
// expired or held by a dead owner; renewed by every exchange along with the broadcast's.
import type { DailyUsage, NumberLeaseResult, OwnerAlive } from '../../core/journal.js';
import type { PgDb } from './pool.js';
import type { Params } from './records.js';

/**
 * The exchange's renewal, while `when` (an SQL condition) holds: taken when missing or expired,
 * never from another live holder. RETURNING a row: the number's lease is ours. The row lock it
 * takes is what serializes two runners' claims on one number (see claim.ts).
 */
export function numberLeaseSql(s: string, p: Params<'sender' | 'owner' | 'broadcast' | 'expires' | 'now'>, when: string): string {
  return `INSERT INTO ${s}.number_leases (sender, owner, broadcast_id, expires_at)
      SELECT ${p.sender}, ${p.owner}, ${p.broadcast}, ${p.expires} WHERE ${when}
      ON CONFLICT (sender) DO UPDATE SET owner = excluded.owner, broadcast_id = excluded.broadcast_id, expires_at = excluded.expires_at
      WHERE number_leases.owner = excluded.owner OR number_leases.expires_at <= ${p.now}
      RETURNING sender`;
}

export async function acquireNumberLease(
  db: PgDb,
  lease: { sender: string; broadcastId: string; owner: string; ttlMs: number; now: number },
  ownerAlive: OwnerAlive,
): Promise<NumberLeaseResult> {
  const s = db.loc.schema;
  const { sender, broadcastId, owner, now } = lease;
  const mine = [sender, owner, broadcastId, now + lease.ttlMs];
  return db.tx(async (c): Promise<NumberLeaseResult> => {
    for (;;) {
      // A free number is taken at once; against another box inserting at the same moment, the
      // unique key makes one of the two wait and then find the row.
      const inserted = await c.run(
        `INSERT INTO ${s}.number_leases (sender, owner, broadcast_id, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sender) DO NOTHING`,
        mine,
      );
      if (inserted === 1) return { ok: true };
      const [held] = await c.rows<{ owner: string; broadcast_id: string; expires_at: number }>(
        `SELECT owner, broadcast_id, expires_at FROM ${s}.number_leases WHERE sender = $1 FOR UPDATE`,
        [sender],
      );
      if (held === undefined) continue; // released meanwhile: take it
      if (held.owner !== owner && held.expires_at > now && ownerAlive(held.owner)) {
        return { ok: false, holder: held.owner, broadcastId: held.broadcast_id };
      }
      await c.run(`UPDATE ${s}.number_leases SET owner = $2, broadcast_id = $3, expires_at = $4 WHERE sender = $1`, mine);
      return { ok: true };
    }
  });
}

export async function releaseNumberLease(db: PgDb, sender: string, owner: string): Promise<void> {
  await db.run(`DELETE FROM ${db.loc.schema}.number_leases WHERE sender = $1 AND owner = $2`, [sender, owner]);
}

/** Distinct phones accepted from the number since `since`, plus rows in flight (each may reach a new person). */
export async function dailyUsage(db: PgDb, sender: string, since: number): Promise<DailyUsage> {
  const s = db.loc.schema;
  const [row] = await db.query<{ reached: number; oldest_at: number | null; in_flight: number }>(
    `SELECT count(DISTINCT r.phone) AS reached, min(r.sent_at) AS oldest_at,
       (SELECT count(*) FROM ${s}.recipients f JOIN ${s}.broadcasts x ON x.id = f.broadcast_id
        WHERE x.sender = $1 AND f.state = 'sending') AS in_flight
     FROM ${s}.recipients r JOIN ${s}.broadcasts b ON b.id = r.broadcast_id WHERE b.sender = $1 AND r.sent_at >= $2`,
    [sender, since],
  );
  return { reached: row!.reached + row!.in_flight, oldestAt: row!.oldest_at };
}
