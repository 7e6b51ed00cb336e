// Validation primitives shared by the per-type validators. The code rules mirror the Cloud API:
//   131008  a required parameter is missing (absent, null or empty string)
//   131009  a value is present but not allowed (too long, out of range, too many, both id and link…)
//   100     a parameter the API doesn't know, or the wrong JSON type
// Every error names the path (e.g. interactive.action.buttons[1].reply.title) and why, so the details
// string alone tells an operator what to fix.

export class PayloadError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
  }
}

export type Obj = Record<string, unknown>;

export function fail(code: number, details: string): never {
  throw new PayloadError(code, details);
}

export const missing = (path: string): never => fail(131008, `${path}: required parameter is missing`);
const wrongType = (path: string, want: string, v: unknown): never =>
  fail(100, `${path}: must be ${want}, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`);

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Characters as a person counts them (code points), computed only when the fast check fails. */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function obj(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return missing(path);
  return isObj(v) ? v : wrongType(path, 'an object', v);
}

export function optObj(v: unknown, path: string): Obj | undefined {
  return v === undefined ? undefined : obj(v, path);
}

/** A required, non-empty string of at most `max` characters. */
export function str(v: unknown, path: string, max = Infinity): string {
  if (v === undefined || v === null || v === '') return missing(path);
  if (typeof v !== 'string') return wrongType(path, 'a string', v);
  if (v.length > max && charLength(v) > max) fail(131009, `${path}: must be at most ${max} characters (got ${charLength(v)})`);
  return v;
}

/** An optional string (empty allowed) of at most `max` characters. */
export function optStr(v: unknown, path: string, max = Infinity): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return wrongType(path, 'a string', v);
  if (v.length > max && charLength(v) > max) fail(131009, `${path}: must be at most ${max} characters (got ${charLength(v)})`);
  return v;
}

export function optBool(v: unknown, path: string): void {
  if (v !== undefined && typeof v !== 'boolean') wrongType(path, 'a boolean', v);
}

/** A number, or a numeric string (Meta's own examples use both for coordinates). */
export function num(v: unknown, path: string): number {
  if (v === undefined || v === null || v === '') return missing(path);
  if (typeof v !== 'number' && typeof v !== 'string') return wrongType(path, 'a number', v);
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n)) fail(131009, `${path}: must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** A required array with between min and max items. */
export function arr(v: unknown, path: string, min: number, max = Infinity): unknown[] {
  if (v === undefined || v === null) return missing(path);
  if (!Array.isArray(v)) return wrongType(path, 'an array', v);
  if (v.length < min) {
    if (v.length === 0) return missing(path);
    fail(131009, `${path}: needs at least ${min} items (got ${v.length})`);
  }
  if (v.length > max) fail(131009, `${path}: allows at most ${max} items (got ${v.length})`);
  return v;
}

/** Rejects keys the API does not know (error 100), like the Graph API's "unexpected key". */
export function onlyKeys(o: Obj, allowed: ReadonlySet<string>, path: string): void {
  for (const k in o) {
    if (!allowed.has(k)) fail(100, `${path}: unknown parameter "${k}" (allowed: ${[...allowed].join(', ')})`);
  }
}

export function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  const s = str(v, path);
  if (!(values as readonly string[]).includes(s)) fail(131009, `${path}: must be one of ${values.join(', ')} (got "${s}")`);
  return s as T;
}

export const keys = (...names: string[]): ReadonlySet<string> => new Set(names);
