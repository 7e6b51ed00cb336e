// The journal's two lists of numbers, one implementation (src/cli/actions/phone-list.ts) for both:
// the suppression list (`optout`: never send to these) and the proof of opt-in (`optin`: the
// consent --require-optin sends on). What differs is the store, the words and the flags.
import type { Journal, OptoutStore } from '../core/journal.js';

export type PhoneListKind = 'optout' | 'optin';

export interface PhoneList {
  store(journal: Journal): OptoutStore;
  /** "the suppression list": what `add` adds to. */
  title: string;
  /** What the command group is for (its --help line). */
  about: string;
  /** Printed by `list` when there is nothing. */
  empty: string;
  /** `add` and `import` take --source and --detail (where the consent came from). */
  provenance: boolean;
}

export const PHONE_LISTS: Record<PhoneListKind, PhoneList> = {
  optout: {
    store: (journal) => journal.optouts,
    title: 'the suppression list',
    about: 'the suppression list: numbers wa-send never sends to',
    empty: 'The suppression list is empty.',
    provenance: false,
  },
  optin: {
    store: (journal) => journal.optins,
    title: 'the opt-in list',
    about: 'proof of opt-in (consent): numbers that agreed to hear from you (--require-optin sends only to these)',
    empty: 'No opt-in is recorded.',
    provenance: true,
  },
};
