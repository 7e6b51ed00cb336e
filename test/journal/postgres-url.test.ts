// The PostgreSQL journal's pure parts: the URL, the password file, errors in the port's terms.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JournalError } from '../../src/core/journal.js';
import { printableLocation } from '../../src/journal/index.js';
import { openError, runError } from '../../src/journal/postgres/errors.js';
import { lookupPassword } from '../../src/journal/postgres/password.js';
import { parsePgUrl } from '../../src/journal/postgres/url.js';
import { tempDir } from '../helpers/journal.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('the journal URL', () => {
  it('reads host, port, database, user and schema; labels it without the password', () => {
    const loc = parsePgUrl('postgres://ops:s3cr%3At@db.internal:6432/wa?schema=acme_wa&sslmode=verify-full');
    expect(loc).toMatchObject({
      host: 'db.internal',
      port: 6432,
      database: 'wa',
      user: 'ops',
      schema: 'acme_wa',
      hasPassword: true,
    });
    expect(loc.label).toBe('db.internal:6432/wa (schema acme_wa)');
    // wa-send's parameter is not pg's; sslmode keeps libpq's meaning.
    expect(loc.connectionString).not.toContain('schema=');
    expect(loc.connectionString).toContain('sslmode=verify-full');
    expect(loc.connectionString).toContain('uselibpqcompat=true');
    expect(parsePgUrl('postgresql://db/wa')).toMatchObject({ port: 5432, schema: 'wa_send', user: null, hasPassword: false });
  });

  it('is printed without its password, wherever the URL holds it', () => {
    expect(printableLocation('postgres://ops:s3cret@db/wa?schema=x')).toBe('postgres://ops:***@db/wa?schema=x');
    expect(printableLocation('postgres://ops@db/wa?password=s3cret&schema=x')).toBe('postgres://ops@db/wa?password=***&schema=x');
    expect(parsePgUrl('postgres://ops@db/wa?password=s3cret').hasPassword).toBe(true);
  });

  it('refuses a schema name that is not a plain lower-case identifier', () => {
    for (const bad of ['Acme', 'a-b', '1st', 'pg_catalog', 'x;drop', 'a'.repeat(64), '']) {
      expect(() => parsePgUrl(`postgres://db/wa?schema=${encodeURIComponent(bad)}`), bad).toThrow(
        /is not a schema name wa-send accepts/,
      );
    }
  });
});

describe('the password when the URL has none', () => {
  const loc = parsePgUrl('postgres://ops@db.internal:5432/wa');

  it('PGPASSWORD first, then the first matching line of the password file (wildcards, escapes)', () => {
    const file = join(tempDir(), 'pgpass');
    writeFileSync(
      file,
      [
        '# comment',
        'other:5432:wa:ops:no',
        'db.internal:*:wa:nobody:no',
        'db.internal:5432:*:ops:pa\\:ss\\\\word',
        '*:*:*:*:fallback',
      ].join('\n'),
      { mode: 0o600 },
    );
    expect(lookupPassword(loc, { PGPASSWORD: 'from-env', PGPASSFILE: file })).toEqual({
      password: 'from-env',
      source: 'PGPASSWORD',
    });
    expect(lookupPassword(loc, { PGPASSFILE: file })).toEqual({ password: 'pa:ss\\word', source: file });
    expect(lookupPassword(parsePgUrl('postgres://x@elsewhere/db'), { PGPASSFILE: file })?.password).toBe('fallback');
    chmodSync(file, 0o644);
    expect(lookupPassword(loc, { PGPASSFILE: file })).toBeUndefined(); // others can read it: ignored, as by libpq
  });
});

describe('errors in the port’s terms', () => {
  const loc = parsePgUrl('postgres://ops:pw@db.internal:5432/wa');

  it('while running: lock trouble is busy, a lost server unavailable, both transient', () => {
    const fault = (e: unknown) => (runError(e, loc) as JournalError).fault;
    expect(fault(err('40P01'))).toBe('busy');
    expect(fault(err('55P03'))).toBe('busy');
    expect(fault(err('40001'))).toBe('busy');
    expect(fault(err('57P01'))).toBe('unavailable');
    expect(fault(err('ECONNRESET'))).toBe('unavailable');
    expect(fault(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(fault(err('53100'))).toBe('full');
    expect(fault(err('25006'))).toBe('readonly');
    expect(fault(err('42P01'))).toBe('gone');
    expect((runError(err('57P01'), loc) as JournalError).transient).toBe(true);
    expect(runError(err('42601', 'syntax error'), loc)).not.toBeInstanceOf(JournalError); // a bug stays a bug
  });

  it('while opening: one line naming the server and what to check', () => {
    expect(openError(err('ENOTFOUND'), loc, 'the URL').message).toMatch(
      /db\.internal:5432\/wa \(schema wa_send\): the host db\.internal is not known/,
    );
    expect(openError(err('ETIMEDOUT'), loc, 'the URL').message).toMatch(/no answer from db\.internal:5432/);
    expect(openError(err('28000'), loc, 'the URL').message).toMatch(/refused user ops from this machine/);
    expect(openError(err('42501', 'permission denied for database wa'), loc, 'the URL').message).toMatch(/permission denied/);
  });
});
