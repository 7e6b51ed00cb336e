// The report's error lines: what the API answered to requests and what delivery receipts said,
// merged by code (a 131026 at send time and a 131026 receipt are the same problem for the
// operator), counted in recipients, with a title and the next step for each.
import { errorAction } from '../report-data.js';
import type { ErrorExample, ErrorFact } from '../report-facts.js';

/** The wire module's title for a code it knows (injected: core does not know the wire format). */
export type TitleOf = (code: number) => string | null;

export interface ReportError {
  code: number | null;
  title: string;
  action: string;
  /** Recipients that got it (on a request or in a receipt). */
  count: number;
  /** Distinct recipients, request errors first. */
  examples: ErrorExample[];
}

// Answers without a code, by how the engine classified them (attempts.outcome).
const OUTCOME_TITLES: Record<string, string> = {
  unknown: 'No answer (may have been sent)',
  unreachable: 'Could not reach the API',
  unexpected: 'Answer that is not a Cloud API error (a proxy, a wrong URL)',
  retryable: 'Server error without an error code',
};
const OUTCOME_ACTIONS: Record<string, string> = {
  unknown:
    'The request may have reached WhatsApp: a delivery receipt resolves these; retry-failed --include-unknown sends them again anyway.',
  unreachable: 'The network or the API was down: wa-send retried; resume or retry-failed sends what is left.',
  unexpected: 'Check WA_API_URL and any proxy in between (see the detail), then resume.',
};

export function mergeErrors(facts: readonly ErrorFact[], titleOf: TitleOf, examples: number): ReportError[] {
  const merged = new Map<string, { facts: ErrorFact[]; code: number | null; outcome: string | null }>();
  for (const f of facts) {
    const key = f.code === null ? `outcome ${f.outcome ?? 'receipt'}` : `code ${f.code}`;
    const m = merged.get(key) ?? { facts: [], code: f.code, outcome: f.code === null ? f.outcome : null };
    m.facts.push(f);
    merged.set(key, m);
  }
  return [...merged.values()]
    .map(({ facts: group, code, outcome }) => {
      // A row's title first: it carries Meta's wording for codes wa-send does not know.
      const rowTitle = group.find((f) => f.title !== null)?.title ?? null;
      const title =
        rowTitle ??
        (code === null ? null : titleOf(code)) ??
        (outcome === null ? null : (OUTCOME_TITLES[outcome] ?? null)) ??
        (code === null ? 'Error without a code' : `Error ${code}`);
      const action = code === null && outcome !== null ? (OUTCOME_ACTIONS[outcome] ?? errorAction(null)) : errorAction(code);
      const ordered = [...group].sort((a, b) => (a.source === b.source ? 0 : a.source === 'request' ? -1 : 1));
      const seen = new Set<string>();
      const picked: ErrorExample[] = [];
      for (const x of ordered.flatMap((f) => f.examples)) {
        if (picked.length >= examples || seen.has(x.phone)) continue;
        seen.add(x.phone);
        picked.push(x);
      }
      return { code, title, action, count: group.reduce((n, f) => n + f.recipients, 0), examples: picked };
    })
    .sort((a, b) => b.count - a.count || (a.code ?? Infinity) - (b.code ?? Infinity));
}
