// The daily messaging limit of one number (FACTS §4): Meta counts the unique people a business
// reaches with business-initiated messages in a moving 24 h. The journal says how many the number
// reached in the last 24 h across every broadcast; this run may reach the rest. Counting each send
// as a new person is on the safe side: someone already reached today does not cost Meta's limit
// again, but costs ours (the already-sent guard makes such repeats rare).
import type { Clock } from '../clock.js';
import type { DailyUsage } from '../journal.js';
import type { DailyCap } from './engine.js';

const DAY_MS = 86_400_000;

export function dailyCap(input: { sender: string; limit: number; usage: DailyUsage; clock: Clock }): DailyCap {
  const { sender, limit, usage, clock } = input;
  let used = usage.reached;
  let firstHere: number | null = null;
  return {
    remaining: () => Math.max(0, limit - used),
    reserve: () => {
      used++;
      firstHere ??= clock.now();
    },
    refund: () => {
      used--;
    },
    describe: () => {
      const oldest = usage.oldestAt ?? firstHere ?? clock.now();
      const freesAt = new Date(oldest + DAY_MS).toISOString();
      return `${Math.min(used, limit)} of ${limit} recipients reached from number ${sender} in the last 24 h; the window frees up at ${freesAt}`;
    },
  };
}
