/**
 * The motion of one joint between two trajectory points as joint_trajectory_controller executes
 * it: when both points carry positions and velocities, the controller interpolates a cubic
 * Hermite segment (ros2_controllers, trajectory.cpp, interpolate_between_points).
 *
 * Limits on commands must hold along these segments, not only at the points: between two points
 * at rest the controller's speed peaks at 1.5 times the average over the segment, and a segment
 * that leaves one point with speed can overshoot the next point's position.
 *
 * With s = t / T in [0, 1], d = p1 - p0 and w = d / T, the velocity is the quadratic
 *   v(s) = (3 v0 + 3 v1 - 6 w) s^2 + (6 w - 4 v0 - 2 v1) s + v0
 * and the position p(s) = p0 + T * integral of v from 0 to s.
 */

export interface SegmentEnds {
  /** Position and velocity at the start. */
  p0: number;
  v0: number;
  /** Position and velocity at the end, `duration` seconds later. */
  p1: number;
  v1: number;
  duration: number;
}

/** The position at s = t / duration in [0, 1] (Hermite basis; velocities scaled by the duration). */
export function cubicPositionAt({ p0, v0, p1, v1, duration }: SegmentEnds, s: number): number {
  const s2 = s * s;
  const s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * duration * v0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * duration * v1;
}

function coefficients({ p0, v0, p1, v1, duration }: SegmentEnds): [number, number, number] {
  const w = (p1 - p0) / duration;
  return [3 * v0 + 3 * v1 - 6 * w, 6 * w - 4 * v0 - 2 * v1, v0];
}

/** The lowest and highest velocity along the segment. */
export function cubicVelocityRange(ends: SegmentEnds): [number, number] {
  const [a, b, c] = coefficients(ends);
  let lo = Math.min(ends.v0, ends.v1);
  let hi = Math.max(ends.v0, ends.v1);
  if (a !== 0) {
    const s = -b / (2 * a);
    if (s > 0 && s < 1) {
      const v = (a * s + b) * s + c;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return [lo, hi];
}

/** The largest speed |v| along the segment. */
export function cubicPeakSpeed(ends: SegmentEnds): number {
  const [lo, hi] = cubicVelocityRange(ends);
  return Math.max(-lo, hi);
}

/** The lowest and highest position along the segment. */
export function cubicPositionRange(ends: SegmentEnds): [number, number] {
  const [a, b, c] = coefficients(ends);
  let lo = Math.min(ends.p0, ends.p1);
  let hi = Math.max(ends.p0, ends.p1);
  // The position turns where the velocity is zero inside the segment.
  for (const s of quadraticRoots(a, b, c)) {
    if (s > 0 && s < 1) {
      const p = cubicPositionAt(ends, s);
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
  }
  return [lo, hi];
}

function quadraticRoots(a: number, b: number, c: number): number[] {
  if (Math.abs(a) < 1e-12) return b === 0 ? [] : [-c / b];
  const discriminant = b * b - 4 * a * c;
  if (discriminant < 0) return [];
  const root = Math.sqrt(discriminant);
  return [(-b - root) / (2 * a), (-b + root) / (2 * a)];
}
