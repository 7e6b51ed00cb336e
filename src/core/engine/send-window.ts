// How many requests may be in flight right now: a slow start, as TCP does it. A run begins with a
// few requests and adds one for every answer, so it reaches --concurrency within a few round trips
// when the API answers; when the API hangs, only those first few requests are lost to `unknown`
// instead of the whole --concurrency (each unanswered request halves the window).

export const INITIAL_WINDOW = 4;

export class SendWindow {
  private current: number;

  constructor(
    private readonly max: number,
    initial = INITIAL_WINDOW,
  ) {
    this.current = Math.max(1, Math.min(max, initial));
  }

  get size(): number {
    return this.current;
  }

  /** The API answered (accepted or an error): the path works, allow one more. */
  onAnswer(): void {
    this.current = Math.min(this.max, this.current + 1);
  }

  /** Written but never answered (timeout, reset): back off. */
  onNoAnswer(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
  }
}
