// PostgreSQL for tests: the server test/setup/postgres.ts started, a fresh schema per journal, and
// a read-only query helper (the PostgreSQL side of query() in cli.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The server's URL (password included: a throwaway test server). */
export function serverUrl(): string {
  return inject('postgresUrl');
}

/** A journal URL on a schema of its own that nothing else uses. */
export function freshJournalUrl(extra = ''): string {
  return `${serverUrl()}?schema=t_${randomBytes(6).toString('hex')}${extra}`;
}

/** Rows of a query on a journal's schema (tables unqualified), on a connection opened and closed per call. */
export async function pgQuery<T = Record<string, unknown>>(
  journalUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const url = new URL(journalUrl);
  const schema = url.searchParams.get('schema') ?? 'wa_send';
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  client.on('error', () => {});
  await client.connect();
  try {
    // Counts and ms timestamps as numbers, like the journal reads them.
    return (
      await client.query({
        text: sql,
        values: params,
        types: {
          getTypeParser: (oid: number, f?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, f as 'text')),
        } as never,
      })
    ).rows as T[];
  } finally {
    await client.end();
  }
}
