// Meta's marketing stop/resume (user_preferences webhooks). Events arrive out of order, so the
// user's newest preference decides, over every stored event for that user; on a tie, stop wins
// (not messaging someone is the safe side). A resume lifts only an opt-out that came from
// user_preferences: a typed STOP, an import or a manual entry stays.
import type { PreferenceEvent } from '../delivery-events.js';

export function latestPreference(events: readonly PreferenceEvent[]): PreferenceEvent | null {
  let latest: PreferenceEvent | null = null;
  for (const e of events) {
    if (latest === null) {
      latest = e;
      continue;
    }
    const [t, tl] = [e.timestampMs ?? 0, latest.timestampMs ?? 0];
    if (t > tl || (t === tl && e.value === 'stop')) latest = e;
  }
  return latest;
}

/** The only source a marketing resume may lift. */
export const PREFERENCE_SOURCE = 'user_preferences';
