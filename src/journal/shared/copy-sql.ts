// What the two adapters' copy stores (`wa-send journal copy`) share: the order each table is dumped
// in, and what makes a journal empty.
import type { CopyTable } from '../../core/journal-copy.js';

/** The key each table is read in order of (and paged by); `creation` is the broadcasts' creation order. */
export function copyOrder(creation: string): Record<CopyTable, string> {
  return {
    broadcasts: creation,
    recipients: 'id',
    rejections: 'id',
    attempts: 'id',
    runs: 'id',
    webhook_events: 'id',
    optouts: 'phone',
    optins: 'phone',
  };
}

/** True when the journal holds nothing a copy would carry (tables prefixed with `schema`, e.g. "wa_send."). */
export function isEmptySql(schema: string): string {
  const none = (t: string) => `NOT EXISTS (SELECT 1 FROM ${schema}${t})`;
  return ['broadcasts', 'optouts', 'optins', 'webhook_events', 'runs'].map(none).join(' AND ');
}
