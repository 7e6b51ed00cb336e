// A journal path that is not a wa-send journal: every command refuses it in one line (exit 2) and
// leaves the file exactly as it was.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, workspace } from '../helpers/cli.js';

const COMMANDS = (csv: string) => [
  ['status'],
  ['status', 'bxxxxxxx', '--recipients'],
  ['metrics'],
  ['broadcast', csv, '--template', 'hello_world', '--dry-run'],
  ['broadcast', csv, '--template', 'hello_world', '--sandbox', '--yes'],
];

function sqliteFile(path: string, setup: string): void {
  const db = new Database(path);
  db.exec(setup);
  db.close();
}

describe('journal files that are not wa-send journals (e2e)', () => {
  it.each([
    [
      'a text file',
      (p: string) => writeFileSync(p, 'not a database\n'),
      /is not a wa-send journal \(not a SQLite database, or damaged\)/,
    ],
    [
      "another application's SQLite database",
      (p: string) =>
        sqliteFile(p, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'a@x.test');"),
      /SQLite database of another application/,
    ],
    [
      'a journal from a newer wa-send',
      (p: string) => sqliteFile(p, 'CREATE TABLE broadcasts (id TEXT); PRAGMA user_version = 99;'),
      /written by a newer wa-send \(schema 99/,
    ],
  ])('%s: every command exits 2 with one line and the file is unchanged', async (_name, make, message) => {
    const ws = workspace();
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, csvWithPhones(2));
    make(ws.journal);
    const before = readFileSync(ws.journal);
    for (const args of COMMANDS(csv)) {
      const r = await ws.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    expect(readFileSync(ws.journal).equals(before)).toBe(true);
  });

  it('a directory given as the journal', async () => {
    const ws = workspace();
    mkdirSync(join(ws.dir, 'jdir'));
    for (const args of [['status'], ['metrics']]) {
      const r = await ws.run(['--journal', join(ws.dir, 'jdir'), ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^wa-send: the journal .*jdir is a directory; give a file path$/);
    }
  });
});
