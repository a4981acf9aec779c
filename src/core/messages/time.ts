/**
 * builtin_interfaces Time and Duration arithmetic. Stamps are compared and subtracted on their
 * integer parts, so that nanosecond differences survive even for epoch-sized seconds.
 */
import { MessageError } from './errors.js';
import type { Duration, Time } from './types.js';

const NS_PER_S = 1_000_000_000;

export function toSeconds(t: Time | Duration): number {
  return t.sec + t.nanosec / NS_PER_S;
}

/** Splits seconds into {sec, nanosec} with nanosec in [0, 1e9) (sec may be negative for Durations). */
function split(seconds: number, what: string): { sec: number; nanosec: number } {
  if (!Number.isFinite(seconds)) {
    throw new MessageError('non_finite', `${what}: expected a finite number of seconds, got ${seconds}`);
  }
  let sec = Math.floor(seconds);
  let nanosec = Math.round((seconds - sec) * NS_PER_S);
  // Rounding can land exactly on the next second.
  if (nanosec >= NS_PER_S) {
    sec += 1;
    nanosec -= NS_PER_S;
  }
  return { sec, nanosec };
}

export function timeFromSeconds(seconds: number): Time {
  return split(seconds, 'time');
}

export function durationFromSeconds(seconds: number): Duration {
  return split(seconds, 'duration');
}

/** Negative when a is earlier than b, zero when equal, positive when later. */
export function compareTime(a: Time, b: Time): number {
  return a.sec !== b.sec ? Math.sign(a.sec - b.sec) : Math.sign(a.nanosec - b.nanosec);
}

/** Seconds from `stamp` to `now` (negative when the stamp lies in the future). */
export function ageSeconds(stamp: Time, now: Time): number {
  return now.sec - stamp.sec + (now.nanosec - stamp.nanosec) / NS_PER_S;
}
