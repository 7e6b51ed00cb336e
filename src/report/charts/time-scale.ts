// The x axis of the send timeline. A broadcast sent for four minutes, paused for a day and resumed
// for two more would be two slivers on a linear axis; here each stretch of activity (the runs and
// the buckets with requests) gets width in proportion to its length, and a long pause between
// them is drawn as a fixed-width break labelled with its duration. Short pauses stay linear, so
// they still show as empty space.

export interface Interval {
  start: number;
  end: number;
}
export interface Segment extends Interval {
  x: number;
  w: number;
}
export interface Gap {
  x: number;
  w: number;
  seconds: number;
}

export interface TimeScale {
  segments: Segment[];
  gaps: Gap[];
  x: (t: number) => number;
}

export const BREAK_W = 36;
const MIN_SEGMENT_W = 14;
const MAX_SEGMENTS = 12;

/** Intervals sorted and merged where they overlap or are closer than `within` seconds. */
export function mergeIntervals(intervals: readonly Interval[], within: number): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.start - last.end <= within) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

/**
 * `activity` are the raw intervals (runs, buckets, halts); `minGap` is the shortest pause worth
 * breaking the axis for. Only the longest pauses become breaks when there would be too many.
 */
export function timeScale(activity: readonly Interval[], x0: number, width: number, minGap: number): TimeScale {
  let merged = mergeIntervals(activity, minGap);
  const active = merged.reduce((sum, iv) => sum + (iv.end - iv.start), 0);
  // A pause shorter than a tenth of the time spent sending reads fine on a linear axis.
  merged = mergeIntervals(merged, Math.max(minGap, active * 0.1));
  while (merged.length > MAX_SEGMENTS) {
    const gaps = merged.slice(1).map((iv, i) => iv.start - merged[i]!.end);
    merged = mergeIntervals(merged, Math.min(...gaps));
  }
  const total = merged.reduce((sum, iv) => sum + Math.max(iv.end - iv.start, 1e-9), 0);
  const room = width - BREAK_W * (merged.length - 1) - MIN_SEGMENT_W * merged.length;
  const segments: Segment[] = [];
  const gaps: Gap[] = [];
  let x = x0;
  merged.forEach((iv, i) => {
    if (i > 0) {
      gaps.push({ x, w: BREAK_W, seconds: iv.start - merged[i - 1]!.end });
      x += BREAK_W;
    }
    const w = MIN_SEGMENT_W + (Math.max(iv.end - iv.start, 1e-9) / total) * room;
    segments.push({ ...iv, x, w });
    x += w;
  });
  const map = (t: number): number => {
    const seg = segments.find((s) => t <= s.end) ?? segments[segments.length - 1];
    if (!seg) return x0;
    if (t < seg.start) return seg.x; // inside a break: pin to the segment after it
    const span = seg.end - seg.start;
    return span > 0 ? seg.x + ((t - seg.start) / span) * seg.w : seg.x + seg.w / 2;
  };
  return { segments, gaps, x: map };
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/** Round tick times inside each segment, about one per `every` units of width. */
export function timeTicks(scale: TimeScale, every: number): { t: number; x: number; first: boolean; step: number }[] {
  const ticks: { t: number; x: number; first: boolean; step: number }[] = [];
  for (const seg of scale.segments) {
    const wanted = Math.max(1, Math.floor(seg.w / every));
    const step = STEPS.find((s) => (seg.end - seg.start) / s <= wanted) ?? STEPS[STEPS.length - 1]!;
    let first = true;
    for (let t = Math.ceil(seg.start / step) * step; t <= seg.end; t += step) {
      ticks.push({ t, x: scale.x(t), first, step });
      first = false;
    }
    if (first) ticks.push({ t: seg.start, x: seg.x, first: true, step });
  }
  return ticks;
}
