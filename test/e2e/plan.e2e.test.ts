// Issue 2 acceptance through the real binary: dry run, bad input, status JSON, exports, idempotency,
// and a plan killed half-way leaving no trace.

import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RECIPIENT_STATES, REJECTION_REASONS } from '../../src/core/types.js';
import { collect, csvWithPhones, query, SAMPLES, until, workspace } from '../helpers/cli.js';

const write = (dir: string, name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const count = (journal: string, sql: string) => Object.values(query(journal, sql)[0]!)[0] as number;
const oneLine = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
};

describe('planning (e2e)', () => {
  it('dry run of the sample prints counts and the exact first request, and writes nothing', async () => {
    const ws = workspace();
    const r = await ws.run(['broadcast', join(SAMPLES, 'recipients.csv'), '--template', 'hello_world', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/recipients\s+24/);
    expect(r.stdout).toMatch(/duplicate\s+1/);
    expect(r.stdout).toMatch(/invalid_number\s+4/);
    const body = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+14152014567',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
      biz_opaque_callback_data: '<broadcast-id>:+14152014567',
    });
    expect(existsSync(ws.journal)).toBe(false);
  });

  it('dry run --json has the fields of DESIGN §11, every rejection reason included', async () => {
    const ws = workspace();
    const r = await ws.run([
      'broadcast',
      join(SAMPLES, 'recipients.csv'),
      '--template',
      'order_update',
      '--body',
      '{{name}}',
      '--default-country',
      'US',
      '--dry-run',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ dry_run: true, recipients: 27 });
    expect(Object.keys(out.rejections).sort()).toEqual([...REJECTION_REASONS].sort());
    expect(out.rejections).toMatchObject({ duplicate: 1, invalid_number: 1, missing_phone: 1 });
    expect(out.request.template.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'Ana Souza' }] }]);
  });

  it('reads a semicolon, BOM, CRLF export with quoted newlines through the binary', async () => {
    const ws = workspace();
    const csv = write(ws.dir, 'excel.csv', '\uFEFFName;Mobile\r\n"Ana\r\nSouza";+33 6 12 34 56 78\r\n\r\nBo;+44 7400 123456\r\n');
    const r = await ws.run(['broadcast', csv, '--text', 'Hi {{name}}', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      recipients: 2,
      request: { to: '+33612345678', text: { body: 'Hi Ana\nSouza' } },
    });
  });

  it('sends a multi-line cell as a one-line template parameter, which the API (and the sandbox) accepts', async () => {
    const ws = workspace();
    const csv = write(ws.dir, 'addr.csv', 'phone,address\n+14152014567,"1 Main St\nApt 4\tSpringfield"\n+14152014568,Plain\n');
    const r = await ws.run([
      'broadcast',
      csv,
      '--template',
      'order_update',
      '--body',
      '{{address}}',
      '--sandbox',
      '--yes',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'completed', counts: { sent: 2 } });
    const dry = await ws.run(['broadcast', csv, '--template', 'order_update', '--body', '{{address}}', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout).request.template.components[0].parameters[0].text).toBe('1 Main St Apt 4 Springfield');
  });

  it('refuses a file with a quote that never closes instead of planning the rows before it', async () => {
    const ws = workspace();
    const rows = Array.from({ length: 300 }, (_, i) => `+1415201${String(4000 + i)},n${i}`).join('\n');
    const csv = write(ws.dir, 'q.csv', `phone,name\n+14152014567,"Ana\n${rows}\n`);
    const r = await ws.run(['broadcast', csv, '--template', 't', '--sandbox', '--yes']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/line 2: a quoted field starts here and is never closed.*nothing was planned/);
    expect(existsSync(ws.journal) ? count(ws.journal, 'SELECT count(*) FROM recipients') : 0).toBe(0);
  });

  it.each([
    ['a missing file', ['broadcast', 'nope.csv', '--template', 't', '--dry-run'], /cannot read .*nope\.csv: no such file/],
    ['an empty file', ['broadcast', '@empty', '--template', 't', '--dry-run'], /is empty/],
    ['a binary file', ['broadcast', '@binary', '--template', 't', '--dry-run'], /not a text CSV file/],
    [
      'no phone column',
      ['broadcast', '@nophone', '--template', 't', '--dry-run'],
      /no phone column found; the columns are: name, email/,
    ],
    [
      'an unknown placeholder',
      ['broadcast', '@good', '--template', 't', '--body', '{{nickname}}', '--dry-run'],
      /\{\{nickname\}\} names no CSV column/,
    ],
    [
      'too many invalid rows',
      ['broadcast', '@invalid', '--template', 't', '--dry-run'],
      /above --max-invalid 20%; nothing was planned/,
    ],
    ['a bad flag value', ['broadcast', '@good', '--template', 't', '--rate', 'fast'], /--rate must be a whole number/],
    ['an unknown flag', ['broadcast', '@good', '--template', 't', '--sned'], /unknown option '--sned'/],
    [
      'a bad country',
      ['broadcast', '@good', '--template', 't', '--default-country', 'XX', '--dry-run'],
      /--default-country "XX"/,
    ],
    ['no message', ['broadcast', '@good', '--dry-run'], /exactly one of --template/],
    [
      'a header with terminal escapes',
      ['broadcast', '@escapes', '--template', 't', '--dry-run'],
      /the columns are: na\\x1b\[2Jme, tel\\x1b\]0;x\\x07 /,
    ],
    ['a mistyped command', ['brodcast', '@good'], /unknown command 'brodcast' \(Did you mean broadcast\?\)$/],
    [
      'all values missing',
      ['broadcast', '@novalues', '--template', 't', '--body', '{{first_name}}', '--dry-run'],
      /2 of 2 rows \(100\.0%\) cannot be sent \(missing_value 2\)/,
    ],
  ])('%s → exit 2 with one clear line and no journal', async (_name, args, message) => {
    const ws = workspace();
    const files: Record<string, string> = {
      '@empty': write(ws.dir, 'empty.csv', ''),
      '@binary': write(ws.dir, 'binary.csv', Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0x08])),
      '@nophone': write(ws.dir, 'nophone.csv', 'name,email\nA,a@x.test\n'),
      '@good': write(ws.dir, 'good.csv', csvWithPhones(3)),
      '@escapes': write(ws.dir, 'escapes.csv', 'na\u001b[2Jme,tel\u001b]0;x\u0007\nA,1\n'),
      '@novalues': write(ws.dir, 'novalues.csv', 'first_name,phone\n,+14152010001\n ,+14152010002\n'),
      '@invalid': write(ws.dir, 'invalid.csv', 'name,phone\nA,415-201-0001\nB,415-201-0002\nC,+14152010003\n'),
    };
    const r = await ws.run(args.map((a) => files[a] ?? a));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
    expect(existsSync(ws.journal)).toBe(false);
  });

  it('a full disk on stdout: one line, a non-zero exit, no stack trace', async () => {
    const ws = workspace();
    const r = await ws.exec(['broadcast', join(SAMPLES, 'recipients.csv'), '--template', 'hello_world', '--dry-run', '--json'], {
      stdoutPath: '/dev/full',
    });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe('wa-send: cannot write to stdout: ENOSPC');
  });

  it('the same command twice gives the same broadcast id and no new rows', async () => {
    const ws = workspace();
    const csv = write(ws.dir, 'l.csv', csvWithPhones(10));
    const args = ['broadcast', csv, '--template', 'hello_world', '--sandbox', '--limit', '0', '--json'];
    const a = await ws.run(args);
    const b = await ws.run(args);
    expect(a.code).toBe(6);
    expect(b.code).toBe(6);
    expect(JSON.parse(b.stdout).id).toBe(JSON.parse(a.stdout).id);
    expect(count(ws.journal, 'SELECT count(*) FROM recipients')).toBe(10);
    expect(count(ws.journal, 'SELECT count(*) FROM broadcasts')).toBe(1);
  });

  it('status: the list and one broadcast in JSON with the contract fields', async () => {
    const ws = workspace();
    await ws.run([
      'broadcast',
      join(SAMPLES, 'recipients.csv'),
      '--template',
      'hello_world',
      '--sandbox',
      '--limit',
      '0',
      '--name',
      'first',
    ]);
    await ws.run([
      'broadcast',
      write(ws.dir, 'b.csv', csvWithPhones(4)),
      '--template',
      'hello_world',
      '--sandbox',
      '--yes',
      '--name',
      'second',
    ]);
    const list = JSON.parse((await ws.run(['status', '--json'])).stdout);
    expect(list.map((s: { name: string }) => s.name)).toEqual(['second', 'first']);
    const one = list[1];
    expect(Object.keys(one)).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'key',
        'state',
        'reason',
        'created_at',
        'target',
        'recipients',
        'counts',
        'rejections',
        'errors',
      ]),
    );
    expect(one).toMatchObject({ name: 'first', state: 'planned', reason: null, target: 'sandbox', recipients: 24, errors: [] });
    expect(Object.keys(one.counts).sort()).toEqual([...RECIPIENT_STATES].sort());
    expect(Object.values(one.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(one.recipients);
    expect(new Date(one.created_at).toISOString()).toBe(one.created_at);
    expect(one.key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(list[0]).toMatchObject({ state: 'completed', counts: { sent: 4 } });
    const single = JSON.parse((await ws.run(['status', one.id, '--json'])).stdout);
    expect(single).toEqual(one);
    const human = await ws.run(['status', one.id]);
    expect(human.stdout).toMatch(new RegExp(`Broadcast ${one.id} \\(first\\): planned`));
  });

  it('status of an unknown id → exit 2; status with no journal → no broadcasts', async () => {
    const ws = workspace();
    expect((await ws.run(['status'])).stdout).toMatch(/No broadcasts yet/);
    const r = await ws.run(['status', 'bnope']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(/no broadcast bnope/);
  });

  it('the CSV export neutralizes cells a spreadsheet would evaluate; the JSON export has the row fields', async () => {
    const ws = workspace();
    const csv = write(ws.dir, 'evil.csv', 'name,phone\nA,+14152010001\nB,"=HYPERLINK(""http://x.test"")"\nC,@SUM(1)\nD,-1\n');
    const planned = await ws.run([
      'broadcast',
      csv,
      '--template',
      'hello_world',
      '--sandbox',
      '--limit',
      '0',
      '--max-invalid',
      '100',
      '--json',
    ]);
    const id = JSON.parse(planned.stdout).id;
    const out = (await ws.run(['status', id, '--recipients', '--format', 'csv'])).stdout.trim().split('\n');
    expect(out[0]).toMatch(/^line,input,phone,state,reason/);
    expect(out[1]).toMatch(/^2,'\+14152010001,'\+14152010001,pending/);
    expect(out[2]).toMatch(/^3,"'=HYPERLINK\(""http:\/\/x\.test""\)",,rejected,invalid_number/);
    expect(out[3]).toMatch(/^4,'@SUM\(1\),,rejected/);
    expect(out[4]).toMatch(/^5,'-1,,rejected/);
    for (const line of out.slice(1)) expect(line).not.toMatch(/(^|,)[=+\-@]/);
    const json = (await ws.run(['status', id, '--recipients', '--format', 'json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json[0]).toMatchObject({
      line: 2,
      input: '+14152010001',
      phone: '+14152010001',
      state: 'pending',
      attempts: 0,
      error_code: null,
      error_title: null,
      wamid: null,
    });
    expect(json).toHaveLength(4);
    const pendingOnly = (await ws.run(['status', id, '--recipients', '--state', 'pending', '--format', 'json'])).stdout
      .trim()
      .split('\n');
    expect(pendingOnly).toHaveLength(1);
  });

  it('a plan killed half-way leaves no trace, and running it again plans it fully', async () => {
    const ws = workspace();
    const rows = Array.from(
      { length: 60_000 },
      (_, i) => `P${i},+1${['415', '212', '646'][i % 3]}${String(2_000_000 + i).padStart(7, '0')}`,
    );
    const csv = write(ws.dir, 'big.csv', `name,phone\n${rows.join('\n')}\n`);
    const args = ['broadcast', csv, '--template', 'hello_world', '--sandbox', '--limit', '0'];
    // Take the journal's schema first so the kill lands in the plan, not in the migration.
    await ws.run(['broadcast', write(ws.dir, 'tiny.csv', csvWithPhones(1)), '--template', 'x', '--sandbox', '--limit', '0']);
    const child = ws.spawn(args);
    child.stdin!.end();
    const done = collect(child);
    // Kill it once it has read part of the file, and before it has read all of it (observed through
    // /proc: the read offset of its descriptor on big.csv), so the kill lands in the plan.
    const size = statSync(csv).size;
    let at = 0;
    await until(
      () => {
        at = readOffset(child.pid!, csv);
        return at > size / 10;
      },
      'the plan to read a tenth of the file',
      60_000,
      5,
    );
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(at).toBeLessThan(size); // the kill came before the whole file was read
    expect(count(ws.journal, 'SELECT count(*) FROM broadcasts')).toBe(1);
    expect(count(ws.journal, 'SELECT count(*) FROM recipients')).toBe(1);
    const again = await ws.run(args);
    expect(again.code).toBe(6);
    expect(count(ws.journal, 'SELECT count(*) FROM recipients')).toBe(60_001);
  });

  it('a journal locked by another writer → one clear line, exit 5, nothing changed', async () => {
    const ws = workspace();
    await ws.run(['broadcast', write(ws.dir, 'a.csv', csvWithPhones(2)), '--template', 'x', '--sandbox', '--limit', '0']);
    const lock = new Database(ws.journal);
    lock.exec('BEGIN EXCLUSIVE');
    try {
      const r = await ws.run([
        'broadcast',
        write(ws.dir, 'b.csv', csvWithPhones(3, 50)),
        '--template',
        'x',
        '--sandbox',
        '--yes',
      ]);
      expect(r.code).toBe(5);
      expect(oneLine(r.stderr)).toMatch(/journal .*locked by another process/);
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect(count(ws.journal, 'SELECT count(*) FROM broadcasts')).toBe(1);
  });
});

/** The file offset of process `pid`'s open descriptor on `path` (0 when it has none open). */
function readOffset(pid: number, path: string): number {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== path) continue;
      const m = /^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) return Number(m[1]);
    }
  } catch {
    // the process is not up yet, or a descriptor closed while we looked
  }
  return 0;
}
