/**
 * Bringing a moving arm to rest through joint_trajectory_controller's topic, which has no cancel:
 * a one-point trajectory that the controller runs from its measured state.
 *
 * A point at the measured position, reached in one chunk step, would make the controller brake
 * from full speed in a tenth of a second and pull back to where the arm was when measured. Instead
 * each joint decelerates at a constant rate: from position p at velocity v, the cubic segment to
 * p + v T / 2 with zero end velocity has v(t) = v (1 - t / T). T is the time the fastest joint
 * needs at `deceleration`, shortened only where a joint would otherwise stop beyond its limits.
 */
import { buildJointTrajectory } from '../messages/builders.js';
import type { JointTrajectory } from '../messages/types.js';
import type { JointLimits } from './joint_limits.js';

export interface StopRequest {
  /** Measured joint positions, limits.names order. */
  positions: ArrayLike<number>;
  /** Measured joint velocities; null when the joint state carries none (taken as at rest). */
  velocities: ArrayLike<number> | null;
  limits: JointLimits;
  /** Shortest stop (s): one chunk step. */
  minDurationSec: number;
  /** Joint deceleration (rad/s^2, m/s^2 for prismatic joints). */
  deceleration: number;
}

export function stopTrajectory({ positions, velocities, limits, minDurationSec, deceleration }: StopRequest): JointTrajectory {
  const n = limits.names.length;
  const v = (j: number): number => (velocities ? velocities[j] : 0);
  let duration = minDurationSec;
  for (let j = 0; j < n; j++) duration = Math.max(duration, Math.abs(v(j)) / deceleration);
  // A joint that would come to rest past its limit (less the margin) stops harder, and so do all.
  for (let j = 0; j < n; j++) {
    const speed = Math.abs(v(j));
    if (speed === 0) continue;
    const room = v(j) > 0 ? limits.max[j] - limits.margin - positions[j] : positions[j] - (limits.min[j] + limits.margin);
    duration = Math.min(duration, Math.max(0, (2 * room) / speed));
  }
  duration = Math.max(duration, 1e-3);
  const target = Array.from({ length: n }, (_, j) => {
    const q = positions[j] + (v(j) * duration) / 2;
    return Math.min(limits.max[j] - limits.margin, Math.max(limits.min[j] + limits.margin, q));
  });
  return buildJointTrajectory({
    stamp: { sec: 0, nanosec: 0 },
    jointNames: limits.names,
    points: [{ positions: target, velocities: new Array(n).fill(0), timeFromStart: duration }],
  });
}
