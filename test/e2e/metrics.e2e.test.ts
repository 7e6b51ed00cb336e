import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../../src/core/metrics.js';
import { csvWithPhones, workspace } from '../helpers/cli.js';

describe('wa-send metrics', () => {
  it('renders the text exposition format with escaped labels', () => {
    expect(
      renderPrometheus([
        {
          name: 'm',
          help: 'h',
          type: 'gauge',
          values: [
            { labels: { a: 'x"y' }, value: 2 },
            { labels: {}, value: 3 },
          ],
        },
      ]),
    ).toBe('# HELP m h\n# TYPE m gauge\nm{a="x\\"y"} 2\nm 3\n');
  });

  it('exposes recipients by state, rejections and attempts from the journal', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'l.csv');
    writeFileSync(csv, `${csvWithPhones(3)}Bad,12\n`);
    const sent = await ws.run([
      'broadcast',
      csv,
      '--template',
      'hello_world',
      '--sandbox',
      '--yes',
      '--max-invalid',
      '50',
      '--json',
    ]);
    const id = JSON.parse(sent.stdout).id;
    const r = await ws.run(['metrics']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wa_send_broadcasts{state="completed"} 1');
    expect(r.stdout).toContain(`wa_send_recipients{broadcast="${id}",state="sent"} 3`);
    expect(r.stdout).toContain(`wa_send_rejected_rows{broadcast="${id}",reason="invalid_number"} 1`);
    expect(r.stdout).toContain('wa_send_attempts_total{outcome="accepted"} 3');
  });
});
