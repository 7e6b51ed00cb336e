// --limit n: at most n messages written to the API over a whole command (a cron sweep shares one
// budget across broadcasts). A request that never left (connection refused) gives its unit back.
import type { SendBudget } from './engine.js';

export function limitBudget(limit: number): SendBudget {
  let left = limit;
  return {
    remaining: () => left,
    reserve: () => {
      left--;
    },
    refund: () => {
      left++;
    },
  };
}
