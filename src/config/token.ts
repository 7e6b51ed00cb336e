// Where a profile's access token lives and how it is read. A token file must be private to its
// owner (like ~/.ssh keys): one that group or others may read or write is refused, at load time and
// again at read time (it may have changed since). No error ever quotes the token, only its source.
import { readFileSync, statSync } from 'node:fs';
import { platform } from 'node:os';
import { usageError } from '../core/errors.js';
import type { Profile } from './types.js';

export type TokenSource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** "0600" */
export const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Why this token file cannot be used, or null when it can. */
export function tokenFileProblem(path: string): string | null {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `token_file ${path} does not exist`
      : `token_file ${path} cannot be read (${code ?? (err as Error).message})`;
  }
  if (!st.isFile()) return `token_file ${path} is not a regular file`;
  // Windows has no such mode bits; its ACLs are the operator's business.
  if (platform() !== 'win32' && (st.mode & 0o077) !== 0) {
    return `token_file ${path} is accessible to other users (mode ${octal(st.mode)}); refusing it: run chmod 600 ${path}`;
  }
  return null;
}

export function profileTokenSource(profile: Profile): TokenSource | null {
  if (profile.tokenEnv !== undefined) return { kind: 'env', name: profile.tokenEnv };
  if (profile.tokenFile !== undefined) return { kind: 'file', path: profile.tokenFile };
  return null;
}

/** The token a source holds; a usage error (exit 2) naming the source when it holds none. */
export function readToken(source: TokenSource, env: NodeJS.ProcessEnv, owner: string): string {
  if (source.kind === 'env') {
    const value = env[source.name];
    if (value === undefined || value.trim() === '')
      throw usageError(`${owner}: the environment variable ${source.name} (its access token) is not set`);
    return value.trim();
  }
  const problem = tokenFileProblem(source.path);
  if (problem) throw usageError(`${owner}: ${problem}`);
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (err) {
    throw usageError(`${owner}: token_file ${source.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // Editors and `echo` add one trailing newline; anything else around the token is a mistake.
  const token = text.replace(/\r?\n$/, '');
  if (token.trim() === '') throw usageError(`${owner}: token_file ${source.path} is empty`);
  if (/[\r\n]/.test(token))
    throw usageError(`${owner}: token_file ${source.path} holds more than one line; it must hold only the token`);
  if (token !== token.trim()) throw usageError(`${owner}: token_file ${source.path} has spaces around the token`);
  return token;
}

/** The access token of a profile with token_env or token_file. */
export function readProfileToken(profile: Profile, env: NodeJS.ProcessEnv): string {
  const source = profileTokenSource(profile);
  const owner = `profile ${profile.name}`;
  if (source === null)
    throw usageError(`${owner} has no token_env or token_file`, 'add one to the profile, or set WA_ACCESS_TOKEN');
  return readToken(source, env, owner);
}
