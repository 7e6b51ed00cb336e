// The journal port's copy store (`wa-send journal copy`): every table of a journal as plain rows,
// read in a consistent snapshot and streamed in chunks in the order a target can load them (parents
// first), and a load of such a stream into an empty journal in one transaction. Rows keep their ids,
// so plan order, the audit trail's references and event order survive the copy. Field names are the
// column names both adapters share; a column added to the journal is added here and to both.
//
// A copy is never running: broadcasts carry no lease, and the number leases (one sender per number)
// are not copied at all: a lease is who is sending right now, not data, and nobody is sending from
// the copy. What a copied row means (a `sending` row becomes `unknown`) is decided by the use case
// (src/core/usecases/copy-journal.ts), not here.

export interface CopiedBroadcast {
  id: string;
  key: string;
  name: string | null;
  /** JSON text, as stored. */
  target: string;
  spec: string;
  source_file: string | null;
  source_sha256: string | null;
  rows_read: number;
  created_at: number;
  /** The phone number id or "sandbox" (null only in a journal from before numbers were recorded). */
  sender: string | null;
  profile: string | null;
  /** 1: rows need a recorded opt-in; 0: not (SQLite stores it so; PostgreSQL reads its boolean as this). */
  require_optin: number;
  status: string;
  reason: string | null;
}

export interface CopiedRecipient {
  id: number;
  broadcast_id: string;
  line: number;
  input: string;
  phone: string;
  vars: string | null;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  error_code: number | null;
  error_title: string | null;
  error_detail: string | null;
  error_class: string | null;
  wamid: string | null;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
  updated_at: number | null;
  claimed_by: string | null;
  pair_rate_hits: number;
  retry_rounds: number;
  message_hash: string | null;
}

export interface CopiedRejection {
  id: number;
  broadcast_id: string;
  line: number;
  input: string | null;
  reason: string;
  detail: string | null;
  duplicate_of: number | null;
}

export interface CopiedAttempt {
  id: number;
  recipient_id: number;
  started_at: number;
  finished_at: number | null;
  http_status: number | null;
  error_code: number | null;
  outcome: string;
  detail: string | null;
}

export interface CopiedRun {
  id: number;
  broadcast_id: string;
  mode: string;
  owner: string;
  rate: number;
  concurrency: number;
  started_at: number;
  ended_at: number | null;
  outcome: string | null;
  reason: string | null;
}

export interface CopiedEvent {
  id: number;
  dedup_key: string;
  kind: string;
  wamid: string | null;
  callback_data: string | null;
  subject: string | null;
  payload: string;
  event: string | null;
  received_at: number;
  applied_at: number | null;
}

/** An entry of the suppression list (optouts) or of the proofs of opt-in (optins). */
export interface CopiedPhone {
  phone: string;
  source: string;
  detail: string | null;
  created_at: number;
}

export interface CopyTables {
  broadcasts: CopiedBroadcast;
  recipients: CopiedRecipient;
  rejections: CopiedRejection;
  attempts: CopiedAttempt;
  runs: CopiedRun;
  webhook_events: CopiedEvent;
  optouts: CopiedPhone;
  optins: CopiedPhone;
}

export type CopyTable = keyof CopyTables;

/** One chunk of one table's rows. */
export type CopyChunk = { [T in CopyTable]: { table: T; rows: CopyTables[T][] } }[CopyTable];

/** Every column of every table, in the order the tables are dumped and loaded (parents first). */
export const COPY_COLUMNS: { readonly [T in CopyTable]: readonly (keyof CopyTables[T] & string)[] } = {
  broadcasts: [
    'id',
    'key',
    'name',
    'target',
    'spec',
    'source_file',
    'source_sha256',
    'rows_read',
    'created_at',
    'sender',
    'profile',
    'require_optin',
    'status',
    'reason',
  ],
  recipients: [
    'id',
    'broadcast_id',
    'line',
    'input',
    'phone',
    'vars',
    'state',
    'attempts',
    'next_attempt_at',
    'error_code',
    'error_title',
    'error_detail',
    'error_class',
    'wamid',
    'sent_at',
    'delivered_at',
    'read_at',
    'failed_at',
    'updated_at',
    'claimed_by',
    'pair_rate_hits',
    'retry_rounds',
    'message_hash',
  ],
  rejections: ['id', 'broadcast_id', 'line', 'input', 'reason', 'detail', 'duplicate_of'],
  attempts: ['id', 'recipient_id', 'started_at', 'finished_at', 'http_status', 'error_code', 'outcome', 'detail'],
  runs: ['id', 'broadcast_id', 'mode', 'owner', 'rate', 'concurrency', 'started_at', 'ended_at', 'outcome', 'reason'],
  webhook_events: [
    'id',
    'dedup_key',
    'kind',
    'wamid',
    'callback_data',
    'subject',
    'payload',
    'event',
    'received_at',
    'applied_at',
  ],
  optouts: ['phone', 'source', 'detail', 'created_at'],
  optins: ['phone', 'source', 'detail', 'created_at'],
};

export const COPY_TABLES = Object.keys(COPY_COLUMNS) as CopyTable[];

/** Rows per chunk: 100,000 recipients never need more than a few MB in flight. */
export const COPY_CHUNK_ROWS = 5000;

export type CopyCounts = Record<CopyTable, number>;

export interface CopyStore {
  /** Every table's rows, from one consistent snapshot, in COPY_TABLES order, in chunks of at most COPY_CHUNK_ROWS. */
  dump(): AsyncIterable<CopyChunk>;
  /** Nothing in the journal: no broadcast, opt-out, opt-in, webhook event or run. */
  isEmpty(): Promise<boolean>;
  /**
   * Loads a dump into this journal in one transaction (a copy that fails leaves nothing); refuses,
   * inside that transaction, when the journal is not empty. Returns the rows loaded per table.
   */
  load(chunks: AsyncIterable<CopyChunk>): Promise<CopyCounts>;
}
