// The password when the URL has none, looked up the way psql does: PGPASSWORD, then the password
// file (PGPASSFILE or ~/.pgpass, ignored when others can read it). Read here, from the environment
// the CLI was given (--env-file included), rather than by pg: pg reads only the process's
// environment, and its own .pgpass reader is deprecated and warns on stderr.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PgLocation } from './url.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface FoundPassword {
  password: string;
  /** Where it came from, for messages: "PGPASSWORD" or the file's path. */
  source: string;
}

export function lookupPassword(loc: PgLocation, env: Env): FoundPassword | undefined {
  if (env.PGPASSWORD) return { password: env.PGPASSWORD, source: 'PGPASSWORD' };
  const path = env.PGPASSFILE ?? join(env.HOME ?? homedir(), '.pgpass');
  const password = fromPassFile(path, loc, env);
  return password === undefined ? undefined : { password, source: path };
}

/** The connection string with this password in it: for pg only, never printed. */
export function withPassword(connectionString: string, password: string): string {
  const url = new URL(connectionString);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function fromPassFile(path: string, loc: PgLocation, env: Env): string | undefined {
  let text: string;
  try {
    // libpq skips a password file that group or others can read; so do we.
    if ((statSync(path).mode & 0o077) !== 0) return undefined;
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // A socket directory matches "localhost" in the file, as in libpq.
  const host = loc.host.startsWith('/') ? 'localhost' : loc.host;
  const want = [host, String(loc.port), loc.database, loc.user ?? env.PGUSER ?? env.USER ?? ''];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = splitFields(line);
    if (fields.length < 5) continue;
    if (want.every((value, i) => fields[i] === '*' || fields[i] === value)) return fields.slice(4).join(':');
  }
  return undefined;
}

/** host:port:database:username:password, with \: and \\ escapes. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) current += line[++i];
    else if (ch === ':' && fields.length < 4) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}
