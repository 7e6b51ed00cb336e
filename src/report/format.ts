// Numbers and times as the report prints them. Fixed to en-US digits and UTC so a report reads the
// same whoever opens it, and so tests can look for "20,000" whatever the machine's locale.

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? INT.format(n) : '–';
}

/** "12.3 %" of part over whole; "–" when the whole is 0 (no base, not 0 %). */
export function fmtPct(part: number, whole: number): string {
  if (!(whole > 0)) return '–';
  const pct = (part / whole) * 100;
  // 99.96 % must not print as "100.0 %" while something is missing, nor 0.04 % as "0.0 %".
  const shown = pct > 99.9 && part < whole ? '>99.9' : pct > 0 && pct < 0.1 ? '<0.1' : pct.toFixed(1);
  return `${shown} %`;
}

/** 45 s, 4 min 10 s, 2 h 05 min, 3 d 4 h. */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const min = Math.floor((s % 3600) / 60);
  if (s < 86_400) return `${Math.floor(s / 3600)} h${min ? ` ${String(min).padStart(2, '0')} min` : ''}`;
  const h = Math.floor((s % 86_400) / 3600);
  return `${Math.floor(s / 86_400)} d${h ? ` ${h} h` : ''}`;
}

/** Latencies: "850 ms", "4.2 s", then durations. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return fmtDuration(ms / 1000);
}

/** "2026-11-23 09:00:12 UTC"; anything that is not a date is shown as given (the caller escapes it). */
export function fmtIso(iso: string | null): string {
  if (iso === null) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function fmtUnix(t: number): string {
  return fmtIso(new Date(t * 1000).toISOString());
}

/** Tick labels: the clock only, or with the date when the chart spans days. */
export function fmtClock(t: number, withSeconds: boolean, withDate: boolean): string {
  const iso = new Date(t * 1000).toISOString();
  const clock = iso.slice(11, withSeconds ? 19 : 16);
  return withDate ? `${iso.slice(5, 10)} ${clock}` : clock;
}

/** Compact axis numbers: 950, 1.2k, 3M. */
export function fmtShort(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  return Number.isInteger(n) ? fmtInt(n) : trim(n);
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}
