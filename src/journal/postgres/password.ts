// The password when the URL has none, looked up the way psql does: PGPASSWORD, then the password
// file (PGPASSFILE or ~/.pgpass, ignored when others can read it). pg has its own .pgpass reader,
// but it is deprecated and warns on stderr; this one is asked only when the server wants a password.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PgLocation } from './url.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function passwordLookup(loc: PgLocation, env: Env): () => Promise<string | undefined> {
  return async () => env.PGPASSWORD ?? fromPassFile(loc, env);
}

function fromPassFile(loc: PgLocation, env: Env): string | undefined {
  const path = env.PGPASSFILE ?? join(env.HOME ?? homedir(), '.pgpass');
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
