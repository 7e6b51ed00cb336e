// Durations in the config file: "7d", "12h", "30m", "90s", "1d12h"; "0" (or 0) switches the
// window off. A bare number other than 0 is refused rather than guessed (seconds? days?).

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or null when `value` is not such a duration. */
export function parseConfigDuration(value: unknown): number | null {
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** 604800000 → "7d", 5400000 → "1h30m": how describeProfile shows a window. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0 (off)';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out || `${ms}ms`;
}
