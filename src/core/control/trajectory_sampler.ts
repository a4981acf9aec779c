/**
 * Where a joint trajectory says the joints are at a given time, for outputs that stream positions
 * to the arm themselves instead of handing the whole trajectory to a controller.
 *
 * Between two points the positions follow a cubic Hermite spline through both points' positions
 * and velocities, as joint_trajectory_controller does. The trajectory starts at `start` (t = 0),
 * at rest unless a start velocity is given. A segment with an end that gives no velocities is
 * interpolated linearly, again as the controller does for position-only trajectories.
 *
 * A Hermite segment can overshoot its end points. Positions streamed by this node itself are
 * therefore kept within each segment's end points (`withinSegment`), which the SafetyGuard checked:
 * a streamed command never leaves the range of the points that passed it.
 */
import { MessageError } from '../messages/errors.js';
import { toSeconds } from '../messages/time.js';
import type { JointTrajectory } from '../messages/types.js';
import { cubicPositionAt } from './cubic_segment.js';

/** Seconds from the trajectory's start to its last point (0 for a trajectory without points). */
export function trajectoryDuration(trajectory: JointTrajectory): number {
  const last = trajectory.points.at(-1);
  return last ? toSeconds(last.time_from_start) : 0;
}

/**
 * Joint positions `t` seconds after the trajectory's start, in joint_names order.
 * t <= 0 gives `start`; t at or after the last point gives the last point. The first segment leaves
 * `start` at `startVelocity` (default: at rest), as the controller leaves the arm's measured state.
 * With `withinSegment` each position is kept between the two points of its segment.
 */
export function sampleTrajectory(
  trajectory: JointTrajectory,
  start: ArrayLike<number>,
  t: number,
  options: { withinSegment?: boolean; startVelocity?: ArrayLike<number> } = {},
): Float64Array {
  const n = trajectory.joint_names.length;
  if (start.length !== n) {
    throw new MessageError('length_mismatch', `start positions: expected ${n} values (one per joint), got ${start.length}`);
  }
  if (options.startVelocity && options.startVelocity.length !== n) {
    throw new MessageError('length_mismatch', `start velocities: expected ${n} values (one per joint), got ${options.startVelocity.length}`);
  }
  if (Number.isNaN(t)) throw new MessageError('non_finite', 'sample time: expected a number of seconds, got NaN');
  trajectory.points.forEach((p, i) => {
    if (p.positions.length !== n) {
      throw new MessageError('length_mismatch', `points[${i}].positions: expected ${n} values, got ${p.positions.length}`);
    }
    if (p.velocities.length !== 0 && p.velocities.length !== n) {
      throw new MessageError('length_mismatch', `points[${i}].velocities: expected 0 or ${n} values, got ${p.velocities.length}`);
    }
  });

  const points = trajectory.points;
  if (t <= 0 || points.length === 0) return Float64Array.from(start);
  const last = points[points.length - 1];
  if (t >= toSeconds(last.time_from_start)) return Float64Array.from(last.positions);

  // The segment that contains t: it ends at the first point whose time is after t.
  const velocitiesOf = (v: number[]): number[] | undefined => (v.length === n ? v : undefined);
  let t0 = 0;
  let p0: ArrayLike<number> = start;
  let v0: ArrayLike<number> | undefined = options.startVelocity ?? new Float64Array(n);
  for (const point of points) {
    const t1 = toSeconds(point.time_from_start);
    if (t1 > t) {
      const out = segment(p0, v0, point.positions, velocitiesOf(point.velocities), t0, t1, t);
      if (options.withinSegment) {
        for (let j = 0; j < n; j++) {
          out[j] = Math.min(Math.max(p0[j], point.positions[j]), Math.max(Math.min(p0[j], point.positions[j]), out[j]));
        }
      }
      return out;
    }
    t0 = t1;
    p0 = point.positions;
    v0 = velocitiesOf(point.velocities);
  }
  // Unreachable: t is before the last point's time, so some point ends a segment after t.
  return Float64Array.from(last.positions);
}

/** Positions at t inside [t0, t1]; velocities undefined on either end means linear interpolation. */
function segment(
  p0: ArrayLike<number>,
  v0: ArrayLike<number> | undefined,
  p1: ArrayLike<number>,
  v1: ArrayLike<number> | undefined,
  t0: number,
  t1: number,
  t: number,
): Float64Array {
  const h = t1 - t0;
  const s = (t - t0) / h;
  const out = new Float64Array(p0.length);
  if (v0 === undefined || v1 === undefined) {
    for (let j = 0; j < out.length; j++) out[j] = p0[j] + s * (p1[j] - p0[j]);
    return out;
  }
  for (let j = 0; j < out.length; j++) {
    out[j] = cubicPositionAt({ p0: p0[j], v0: v0[j], p1: p1[j], v1: v1[j], duration: h }, s);
  }
  return out;
}
