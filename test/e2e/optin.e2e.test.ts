// wa-send optin (issue 11 item 5): proof of opt-in per number (source, time, detail), the same
// commands as optout over another list, and --require-optin at plan time: a row without a recorded
// opt-in is a no_optin rejection, and an opt-out still wins over an opt-in.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvWithPhones, query, workspace } from '../helpers/cli.js';
import { phones } from '../helpers/journal.js';

describe('wa-send optin', () => {
  it('add records the source (default manual) and the detail; list --json; remove takes a consent back', async () => {
    const ws = workspace();
    const [a, b] = phones(2);
    expect(await ws.run(['optin', 'add', a!])).toMatchObject({ code: 0, stdout: 'added 1 number to the opt-in list\n' });
    const withSource = await ws.run(['optin', 'add', a!, b!, '--source', 'signup-form', '--detail', 'form #42']);
    expect(withSource.stdout).toBe('added 1 number to the opt-in list (1 already listed)\n');
    const list = JSON.parse((await ws.run(['optin', 'list', '--json'])).stdout);
    expect(list).toEqual([
      { phone: a, source: 'manual', detail: null, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      { phone: b, source: 'signup-form', detail: 'form #42', created_at: expect.any(String) },
    ]);
    expect((await ws.run(['optin', 'list'])).stdout).toMatch(new RegExp(`^\\${b}\\s+signup-form\\s+\\S+Z\\s+form #42$`, 'm'));
    expect(await ws.run(['optin', 'remove', a!])).toMatchObject({ code: 0, stdout: 'removed 1 number from the opt-in list\n' });
    expect(query(ws.journal, 'SELECT phone FROM optins')).toEqual([{ phone: b }]);
    // The other list is untouched by all of it.
    expect(query(ws.journal, 'SELECT phone FROM optouts')).toEqual([]);
    const empty = await ws.run(['optin', 'remove', b!]).then(() => ws.run(['optin', 'list']));
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: 'No opt-in is recorded.\n' });
  });

  it('import records every number of a CSV (source "import", the file as detail; or --source), all or none', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'consented.csv');
    writeFileSync(csv, csvWithPhones(3));
    const r = await ws.run(['optin', 'import', csv, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 3, already_present: 0, invalid: 0 });
    expect(query(ws.journal, 'SELECT DISTINCT source, detail FROM optins')).toEqual([
      { source: 'import', detail: 'consented.csv' },
    ]);
    const more = join(ws.dir, 'crm.csv');
    writeFileSync(more, csvWithPhones(2, 3));
    expect((await ws.run(['optin', 'import', more, '--source', 'crm'])).stdout).toBe(
      'crm.csv: 2 added, 0 already present, 0 invalid\n',
    );
    expect(query(ws.journal, "SELECT count(*) AS n FROM optins WHERE source = 'crm'")).toEqual([{ n: 2 }]);
    const bad = join(ws.dir, 'bad.csv');
    writeFileSync(bad, 'name,phone\nA,12\nB,34\n');
    expect((await ws.run(['optin', 'import', bad])).code).toBe(2);
    expect((await ws.run(['optin', 'add', phones(1, 9)[0]!, '--source', ' '])).code).toBe(2);
    expect(query(ws.journal, 'SELECT count(*) AS n FROM optins')).toEqual([{ n: 5 }]);
  });

  it('with no subcommand, or a mistyped one: exit 2 and one line', async () => {
    const ws = workspace();
    expect(await ws.run(['optin'])).toMatchObject({
      code: 2,
      stderr: 'wa-send: optin needs a subcommand: add, remove, list or import — e.g. wa-send optin add\n',
    });
    expect((await ws.run(['optin', 'lst'])).stderr).toContain('(did you mean list?)');
  });
});

describe('--require-optin at plan time', () => {
  const dryRun = async (ws: ReturnType<typeof workspace>, csv: string, ...extra: string[]) => {
    const r = await ws.run(['broadcast', csv, '--template', 'hello_world', '--sandbox', '--dry-run', '--json', ...extra]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { recipients: number; rejections: Record<string, number> };
  };

  it('rows without a recorded opt-in become no_optin rejections; an opt-out still wins over an opt-in', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'list.csv');
    const [consented, withdrawn] = phones(4);
    writeFileSync(csv, csvWithPhones(4));
    await ws.run(['optin', 'add', consented!, withdrawn!]);
    await ws.run(['optout', 'add', withdrawn!]);

    const required = await dryRun(ws, csv, '--require-optin');
    expect(required.recipients).toBe(1);
    expect(required.rejections).toMatchObject({ no_optin: 2, opted_out: 1 });

    const notRequired = await dryRun(ws, csv);
    expect(notRequired.recipients).toBe(3);
    expect(notRequired.rejections).toMatchObject({ no_optin: 0, opted_out: 1 });

    // A profile can require it too.
    const config = join(ws.dir, 'config.toml');
    writeFileSync(config, '[profiles.consent]\nrequire_optin = true\n');
    expect((await dryRun(ws, csv, '--config', config, '--profile', 'consent')).rejections).toMatchObject({ no_optin: 2 });
  });
});
