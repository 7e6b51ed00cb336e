// The checks `doctor` makes and `broadcast`/`resume`/`retry-failed` make before sending (the
// preflight): the token works, the number (name, quality, throughput, messaging limit) and, with a
// WABA id, that the template exists in the language, is APPROVED and gets the parameters it has
// (the 132000 "parameter count mismatch" caught before the first message). One result per check.
import { describeMessage } from '../../core/rules/key-reuse.js';
import { checkTemplateMessage, selectTemplate, templateLabel } from '../../core/template-check.js';
import { fetchPhoneNumberInfo, fetchTemplates, type GraphFailure, type PhoneNumberInfo } from '../../whatsapp/graph.js';

export type CheckName = 'config' | 'journal' | 'token' | 'number' | 'daily limit' | 'template';

export interface CheckResult {
  check: CheckName;
  /** warn: could not finish (a timeout) or worth a look; skip: nothing to check. */
  status: 'pass' | 'fail' | 'warn' | 'skip';
  line: string;
  /** A failure's exit code for doctor: 2 for this box (config, journal), 4 for the account (token, number, template). */
  exit?: 2 | 4;
}

export interface ApiCheckInput {
  apiUrl: string;
  apiVersion: string;
  token: string;
  timeoutMs: number;
  phoneNumberId: string;
  wabaId: string | null;
  /** The message the command would send (placeholders unfilled); null: none given. */
  message: Record<string, unknown> | null;
  dailyLimit: number | null;
  /**
   * doctor (true): anything but a clean answer fails. Before a run (false) only decisive Graph answers
   * fail (error 190, an unknown number, a template that cannot be sent); an API that cannot be reached,
   * a proxy's page or an answer without a Graph error is the engine's to handle, so it only warns.
   */
  strict: boolean;
}

/** Token, number, daily limit and template, in that order; a failed token stops the checks that need it. */
export async function apiChecks(input: ApiCheckInput): Promise<CheckResult[]> {
  const graph = { apiUrl: input.apiUrl, apiVersion: input.apiVersion, token: input.token, timeoutMs: input.timeoutMs };
  const results: CheckResult[] = [];
  const number = await fetchPhoneNumberInfo({ ...graph, phoneNumberId: input.phoneNumberId });
  if (!number.ok) {
    results.push(numberFailure(number, input));
    // A refused token or an unknown number: the template read would only say the same again.
    if (results[0]!.status === 'fail') return results;
    // No answer in time: asking again would only double the wait before the run goes on.
    if (number.kind === 'timeout') {
      results.push({ check: 'template', status: 'skip', line: 'not checked: the API did not answer the number check in time' });
      return results;
    }
  } else {
    results.push({ check: 'token', status: 'pass', line: 'the access token is accepted' });
    results.push(numberResult(input.phoneNumberId, number.info));
    const limit = dailyLimitResult(input.dailyLimit, number.info.messagingLimit);
    if (limit) results.push(limit);
  }
  results.push(await templateCheck(input, graph));
  return results;
}

function numberFailure(f: GraphFailure, input: ApiCheckInput): CheckResult {
  const { message } = f;
  const couldNot = (why: string): CheckResult => ({
    check: 'token',
    status: 'warn',
    line: `could not check the token and number: ${why}`,
  });
  switch (f.kind) {
    case 'auth':
      return { check: 'token', status: 'fail', exit: 4, line: message };
    case 'permission':
      // Sending needs whatsapp_business_messaging; reading the number needs management too: not decisive.
      return couldNot(`${message} (sending may still work; doctor needs whatsapp_business_management to read it)`);
    case 'timeout':
      return couldNot(message);
    case 'not_found':
      if (f.code !== null || input.strict)
        return { check: 'number', status: 'fail', exit: 4, line: `phone number id ${input.phoneNumberId}: ${message}` };
      return couldNot(message);
    default:
      return input.strict ? { check: 'token', status: 'fail', exit: 4, line: message } : couldNot(message);
  }
}

/** A failed template read: decisive only for a token the API refused. */
function templateFailure(f: GraphFailure, label: string, strict: boolean): CheckResult {
  if (f.kind === 'auth' || (strict && f.kind !== 'timeout' && f.kind !== 'permission'))
    return { check: 'template', status: 'fail', exit: 4, line: `${label}: ${f.message}` };
  return { check: 'template', status: 'warn', line: `could not check ${label}: ${f.message}` };
}

function numberResult(id: string, info: PhoneNumberInfo): CheckResult {
  const name = [info.displayPhoneNumber, info.verifiedName ? `"${info.verifiedName}"` : null].filter(Boolean).join(' ');
  const limit =
    info.messagingLimitTier === null
      ? 'messaging limit unknown'
      : info.messagingLimit === null
        ? `messaging limit ${info.messagingLimitTier}`
        : `messaging limit ${info.messagingLimitTier} (${info.messagingLimit.toLocaleString('en-US')} people / 24 h)`;
  const facts = `quality ${info.qualityRating ?? 'unknown'}, throughput ${info.throughputLevel ?? 'unknown'}, ${limit}`;
  const line = `${name || id} (${id}): ${facts}`;
  // RED quality is Meta's warning before it lowers the messaging limit or restricts the number.
  if (info.qualityRating?.toUpperCase() === 'RED')
    return { check: 'number', status: 'warn', line: `${line} — quality is RED: Meta may lower its limit or restrict it` };
  return { check: 'number', status: 'pass', line };
}

function dailyLimitResult(ours: number | null, meta: number | null): CheckResult | null {
  if (ours === null) {
    if (meta === null) return null;
    return {
      check: 'daily limit',
      status: 'skip',
      line: `not set (Meta allows this number ${meta.toLocaleString('en-US')} people / 24 h): set --daily-limit or the profile's daily_limit to stop at it`,
    };
  }
  if (meta !== null && ours > meta) {
    return {
      check: 'daily limit',
      status: 'warn',
      line: `${ours.toLocaleString('en-US')} is above Meta's ${meta.toLocaleString('en-US')} for this number: Meta will refuse the rest first`,
    };
  }
  return { check: 'daily limit', status: 'pass', line: `${ours.toLocaleString('en-US')} people / 24 h` };
}

async function templateCheck(
  input: ApiCheckInput,
  graph: { apiUrl: string; apiVersion: string; token: string; timeoutMs: number },
): Promise<CheckResult> {
  const template = templateOf(input.message);
  if (template === null) {
    const what =
      input.message === null
        ? 'no --template given'
        : `${describeMessage({ message: input.message, columns: [] })} is not a template`;
    return { check: 'template', status: 'skip', line: what };
  }
  if (input.wabaId === null) {
    return {
      check: 'template',
      status: 'skip',
      line: `${templateLabel(template)} not checked: no WABA id (set waba_id in the profile, WA_WABA_ID or --waba-id)`,
    };
  }
  const found = await fetchTemplates({ ...graph, wabaId: input.wabaId, name: template.name });
  if (!found.ok) return templateFailure(found, templateLabel(template), input.strict);
  const selected = selectTemplate(found.templates, template.name, template.language);
  if (!selected.ok) return { check: 'template', status: 'fail', exit: 4, line: selected.problem.message };
  const problems = checkTemplateMessage(selected.template, input.message!);
  if (problems.length > 0) return { check: 'template', status: 'fail', exit: 4, line: problems.map((p) => p.message).join('; ') };
  return {
    check: 'template',
    status: 'pass',
    line: `${templateLabel(selected.template)} is APPROVED and gets the parameters it has`,
  };
}

function templateOf(message: Record<string, unknown> | null): { name: string; language: string } | null {
  if (message?.type !== 'template') return null;
  const t = message.template as { name?: unknown; language?: { code?: unknown } } | undefined;
  if (typeof t?.name !== 'string') return null;
  return { name: t.name, language: typeof t.language?.code === 'string' ? t.language.code : 'en_US' };
}
