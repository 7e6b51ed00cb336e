// A --journal postgres://user:password@host:port/db?schema=wa_send URL, read once: wa-send's own
// parameter (schema) is taken out and checked, everything else (sslmode, sslrootcert, host=/socket,
// application_name, …) goes to pg as written. Only `label` is ever printed: it has no password.
import { usageError } from '../../core/errors.js';

export const DEFAULT_SCHEMA = 'wa_send';

/** Lower-case letters, digits and _: the schema name is written into SQL, so it is checked, never quoted. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgLocation {
  /** For pg only: the URL without wa-send's parameters (it may hold the password: never print it). */
  connectionString: string;
  schema: string;
  host: string;
  port: number;
  database: string;
  user: string | null;
  /** The URL has a password; otherwise PGPASSWORD, then ~/.pgpass, are asked when the server wants one. */
  hasPassword: boolean;
  /** "host:port/db (schema s)": how every message names this journal. */
  label: string;
}

export function parsePgUrl(location: string): PgLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw usageError('--journal is not a valid postgres:// URL', 'write it as postgres://user@host:5432/database?schema=wa_send');
  }
  const schema = url.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw usageError(
      `--journal ?schema=${JSON.stringify(schema).slice(1, -1)} is not a schema name wa-send accepts`,
      'use lower-case letters, digits and _ (starting with a letter or _, at most 63, not pg_…), e.g. ?schema=wa_send',
    );
  }
  url.searchParams.delete('schema');
  // pg reads sslmode its own way and warns on stderr; libpq's meaning is what operators expect.
  if (url.searchParams.has('sslmode') && !url.searchParams.has('uselibpqcompat')) url.searchParams.set('uselibpqcompat', 'true');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = url.username === '' ? null : decode(url.username);
  const socketHost = url.searchParams.get('host');
  const host = url.hostname !== '' ? url.hostname : (socketHost ?? 'localhost');
  const port = url.port !== '' ? Number(url.port) : Number(url.searchParams.get('port') ?? 5432);
  const database = decode(url.pathname.replace(/^\//, '')) || user || 'postgres';
  return {
    connectionString: url.toString(),
    schema,
    host,
    port,
    database,
    user,
    hasPassword: url.password !== '' || url.searchParams.has('password'),
    label: `${host}:${port}/${database} (schema ${schema})`,
  };
}
