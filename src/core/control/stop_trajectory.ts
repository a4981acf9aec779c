/**
 * Bringing a moving arm to rest through joint_trajectory_controller's topic, which has no cancel:
 * a one-point trajectory that the controller runs from its measured state.
 *
 * A point at the measured position, reached in one chunk step, would make the controller brake
 * from full speed in a tenth of a second and pull the arm back to where it was measured. Instead
 * each joint decelerates at a constant rate: from position p at velocity v, the cubic segment to
 * p + v T / 2 with zero end velocity has v(t) = v (1 - t / T). T is the time the fastest joint needs
 * at `deceleration`, shorter where a joint would otherwise come to rest beyond its limit (less the
 * margin), but never shorter than one chunk step. A joint whose room is too short even then
 * stops at the margin's edge, its momentum carrying it at most 4/27 of v T further (into the
 * margin); one already beyond the edge is held where it is.
 */
import { buildJointTrajectory } from '../messages/builders.js';
import type { JointTrajectory } from '../messages/types.js';
import type { JointLimits } from './joint_limits.js';

export interface StopRequest {
  /** Measured joint positions, limits.names order. */
  positions: ArrayLike<number>;
  /** Measured joint velocities; null when the joint state carries none (taken as at rest). */
  velocities: ArrayLike<number> | null;
  /** Age of that measurement (s): the positions are carried forward by velocity times age. */
  ageSec: number;
  limits: JointLimits;
  /** Shortest stop (s): one chunk step. */
  minDurationSec: number;
  /** Joint deceleration (rad/s^2, m/s^2 for prismatic joints). */
  deceleration: number;
}

export function stopTrajectory({ positions, velocities, ageSec, limits, minDurationSec, deceleration }: StopRequest): JointTrajectory {
  const n = limits.names.length;
  // A reading beyond the velocity limit is trusted only as far as the limit.
  const v = Array.from({ length: n }, (_, j) => {
    const vMax = limits.maxVelocity[j];
    return Math.min(vMax, Math.max(-vMax, velocities ? velocities[j] : 0));
  });
  const p = Array.from({ length: n }, (_, j) => positions[j] + v[j] * Math.max(0, ageSec));
  const lo = (j: number): number => limits.min[j] + limits.margin;
  const hi = (j: number): number => limits.max[j] - limits.margin;

  let duration = minDurationSec;
  for (let j = 0; j < n; j++) duration = Math.max(duration, Math.abs(v[j]) / deceleration);
  for (let j = 0; j < n; j++) {
    const room = v[j] > 0 ? hi(j) - p[j] : v[j] < 0 ? p[j] - lo(j) : Infinity;
    if (room > 0) duration = Math.min(duration, (2 * room) / Math.abs(v[j]));
  }
  duration = Math.max(duration, minDurationSec);
  const target = p.map((q, j) => Math.min(Math.max(hi(j), q), Math.max(Math.min(lo(j), q), q + (v[j] * duration) / 2)));
  return buildJointTrajectory({
    stamp: { sec: 0, nanosec: 0 },
    jointNames: limits.names,
    points: [{ positions: target, velocities: new Array(n).fill(0), timeFromStart: duration }],
  });
}
