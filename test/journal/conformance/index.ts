// One conformance suite of the journal port, run against every adapter (DESIGN §10).
import { broadcastsConformance } from './broadcasts.js';
import { eventsConformance } from './events.js';
import type { OpenJournal } from './harness.js';
import { numbersConformance } from './numbers.js';
import { planningConformance } from './planning.js';
import { reportsConformance } from './reports.js';
import { runsConformance } from './runs.js';

export type { OpenedJournal, OpenJournal } from './harness.js';

export function journalConformance(open: OpenJournal): void {
  planningConformance(open);
  runsConformance(open);
  broadcastsConformance(open);
  eventsConformance(open);
  reportsConformance(open);
  numbersConformance(open);
}
