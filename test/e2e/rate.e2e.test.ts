// --rate as the API sees it: arrival times at a sandbox in another process.
import { describe, expect, it } from 'vitest';
import { csvWithPhones, workspace } from '../helpers/cli.js';
import { writeCsv } from '../helpers/journal.js';
import { useSandboxes } from '../helpers/sandboxes.js';

const sandbox = useSandboxes({ ownProcess: true });

describe('rate (e2e)', () => {
  // The sandbox runs in another process and counts arrivals as its event loop sees them. Starts are
  // paced to the time each request is written (the rate gate's own guarantee is proven exactly on
  // virtual time in test/unit/engine.test.ts); here the real path is checked, with the gate's 20 ms
  // margin for the server's read delay. 100 messages at 50/s: two full seconds of steady state.
  it('g) --rate 50: no 1-second window at the API has more than 50 starts', async () => {
    const s = await sandbox();
    const ws = workspace(s.env);
    const r = await ws.run([
      'broadcast',
      writeCsv(ws.dir, csvWithPhones(100)),
      '--template',
      'hello_world',
      '--yes',
      '--rate',
      '50',
    ]);
    expect(r.code).toBe(0);
    const stats = await s.stats();
    expect(stats.accepted).toBe(100);
    expect(stats.max_starts_in_1s).toBeLessThanOrEqual(50);
    expect(stats.max_starts_in_1s).toBeGreaterThanOrEqual(40); // and it really used the rate
  });
});
