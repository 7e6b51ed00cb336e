// The row export streams: the first rows leave at once, and it stops at the first write error (a
// closed pipe: `status <id> --recipients | head -1` on a million rows must not run to the end).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvCell, rowDetail, writeRecipientRows } from '../../src/cli/recipient-export.js';
import type { RecipientRow } from '../../src/core/journal.js';

function row(line: number, extra: Partial<RecipientRow> = {}): RecipientRow {
  return {
    line,
    input: `+1415201${String(line).padStart(4, '0')}`,
    phone: `+1415201${String(line).padStart(4, '0')}`,
    state: 'sent',
    attempts: 1,
    reason: null,
    error_code: null,
    error_title: null,
    error_detail: null,
    error_class: null,
    wamid: `wamid.${line}`,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    updated_at: null,
    ...extra,
  };
}

describe('writeRecipientRows', () => {
  it('stops reading rows as soon as the reader has gone (EPIPE)', async () => {
    let produced = 0;
    async function* million() {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield row(i + 2);
      }
    }
    let writes = 0;
    const out = new Writable({
      write(_chunk, _enc, done) {
        writes++;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); // `head -1` closed the pipe
      },
    });
    out.on('error', () => {});
    await writeRecipientRows(out, million(), 'csv');
    expect(writes).toBe(1);
    expect(produced).toBeLessThan(100_000);
  });

  it('writes the first rows at once, before a 64 KB chunk has filled', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    async function* rows() {
      for (let i = 0; i < 30; i++) yield row(i + 2);
    }
    await writeRecipientRows(out, rows(), 'table');
    expect(chunks[0]!.split('\n').length).toBeGreaterThan(10); // the header and the first 20 rows
    expect(chunks.join('').trim().split('\n')).toHaveLength(31);
  });

  it('neutralizes cells a spreadsheet would evaluate, and says why a row is where it is', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+14152010000')).toBe("'+14152010000");
    expect(
      rowDetail(row(2, { state: 'unknown', wamid: null, error_title: 'No answer (may have been sent)', error_class: 'unknown' })),
    ).toBe('No answer (may have been sent) — unknown');
    expect(
      rowDetail(
        row(3, { state: 'failed', wamid: null, error_code: 131026, error_title: 'Message undeliverable', error_detail: 'x' }),
      ),
    ).toBe('131026 Message undeliverable — x');
    expect(rowDetail(row(4, { state: 'rejected', reason: 'duplicate', error_detail: 'same number as line 2' }))).toBe(
      'duplicate: same number as line 2',
    );
  });
});
