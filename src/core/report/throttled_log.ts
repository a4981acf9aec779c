/**
 * Repeated warnings, throttled: the first of a kind is logged at once, later ones at most once per
 * period, each saying how many were held back in between. An operator sees a problem that persists
 * without the log filling at the camera's frame rate.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly write: (message: string) => void,
    private readonly periodSec: number,
    private readonly now: () => number,
  ) {}

  /** Logs `message` unless one of the same `key` was logged less than a period ago. */
  warn(key: string, message: string): void {
    const now = this.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.periodSec) {
      entry.held++;
      return;
    }
    const held = entry?.held ?? 0;
    this.write(held > 0 ? `${message} (${held} more like it in the last ${(now - entry!.at).toFixed(0)} s)` : message);
    this.last.set(key, { at: now, held: 0 });
  }
}
