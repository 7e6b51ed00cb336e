// Row-level export (`status --recipients`) for both SQL adapters: a recipients or rejections row, as
// read in file order, turned into the port's RecipientRow (times as ISO strings).
import type { RecipientRow } from '../../core/journal.js';

type Raw = Record<string, unknown>;

const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(ms as number).toISOString());

/** The columns fromRecipient reads. */
export const RECIPIENT_ROW_COLUMNS = `line, input, phone, state, attempts, error_code, error_title, error_detail, error_class, wamid,
  sent_at, delivered_at, read_at, failed_at, updated_at`;

export function fromRecipient(r: Raw): RecipientRow {
  return {
    line: r.line as number,
    input: r.input as string | null,
    phone: r.phone as string | null,
    state: r.state as RecipientRow['state'],
    attempts: r.attempts as number,
    reason: null,
    error_code: r.error_code as number | null,
    error_title: r.error_title as string | null,
    error_detail: r.error_detail as string | null,
    error_class: r.error_class as string | null,
    wamid: r.wamid as string | null,
    sent_at: iso(r.sent_at),
    delivered_at: iso(r.delivered_at),
    read_at: iso(r.read_at),
    failed_at: iso(r.failed_at),
    updated_at: iso(r.updated_at),
  };
}

/** A row that never became a recipient (reason and detail from the rejections table). */
export function fromRejection(r: Raw): RecipientRow {
  return {
    line: r.line as number,
    input: r.input as string | null,
    phone: null,
    state: 'rejected',
    attempts: 0,
    reason: r.reason as string,
    error_code: null,
    error_title: null,
    error_detail: r.detail as string | null,
    error_class: null,
    wamid: null,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    updated_at: null,
  };
}
