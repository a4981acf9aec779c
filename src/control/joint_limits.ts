/**
 * Joint limits of the commanded arm, and the final check every outgoing trajectory passes.
 */
import type { JointTrajectory } from '../messages/types.js';
import { toSeconds } from '../messages/time.js';

export interface JointLimits {
  names: string[];
  min: number[];
  max: number[];
  maxVelocity: number[];
  /** Commanded positions stay this far inside [min, max]. */
  margin: number;
}

export class LimitError extends Error {
  override name = 'LimitError';
}

/** Validates a limits set; throws LimitError saying which joint is wrong. */
export function checkLimits(limits: JointLimits): JointLimits {
  const n = limits.names.length;
  if (n === 0) throw new LimitError('no joints: joint_names is empty');
  for (const [field, values] of [
    ['joint_position_min', limits.min],
    ['joint_position_max', limits.max],
    ['joint_velocity_max', limits.maxVelocity],
  ] as const) {
    if (values.length !== n) {
      throw new LimitError(`${field} has ${values.length} values but joint_names has ${n}`);
    }
  }
  limits.names.forEach((name, i) => {
    const lo = limits.min[i] + limits.margin;
    const hi = limits.max[i] - limits.margin;
    if (!(lo < hi)) {
      throw new LimitError(`joint ${name}: no room between its limits [${limits.min[i]}, ${limits.max[i]}] with margin ${limits.margin}`);
    }
    if (!(limits.maxVelocity[i] > 0) || !Number.isFinite(limits.maxVelocity[i])) {
      throw new LimitError(`joint ${name}: velocity limit must be a positive number (got ${limits.maxVelocity[i]})`);
    }
  });
  return limits;
}

/**
 * The last gate before a trajectory leaves the node: joint names in order, every position inside
 * the margin, every implied velocity (also from the current positions to the first point) within
 * its limit, times strictly increasing from above zero. Returns a reason to refuse, or null.
 */
export function violation(trajectory: JointTrajectory, current: ArrayLike<number>, limits: JointLimits): string | null {
  const { names, min, max, maxVelocity, margin } = limits;
  if (trajectory.joint_names.join(',') !== names.join(',')) return 'joint names differ from the configured joints';
  if (trajectory.points.length === 0) return 'no points';
  let previous = Array.from(current);
  let previousTime = 0;
  const tolerance = 1e-9;
  for (const [index, point] of trajectory.points.entries()) {
    const time = toSeconds(point.time_from_start);
    if (!(time > previousTime)) return `point ${index}: time_from_start ${time} s does not increase`;
    if (point.positions.length !== names.length) return `point ${index}: ${point.positions.length} positions for ${names.length} joints`;
    for (let j = 0; j < names.length; j++) {
      const q = point.positions[j];
      if (!Number.isFinite(q)) return `point ${index}: ${names[j]} is not finite`;
      if (q < min[j] + margin - tolerance || q > max[j] - margin + tolerance) {
        return `point ${index}: ${names[j]} = ${q} outside [${min[j] + margin}, ${max[j] - margin}]`;
      }
      const speed = Math.abs(q - previous[j]) / (time - previousTime);
      if (speed > maxVelocity[j] * (1 + 1e-6)) {
        return `point ${index}: ${names[j]} would move at ${speed.toFixed(3)} > ${maxVelocity[j]}`;
      }
      const v = point.velocities[j];
      if (v !== undefined && (!Number.isFinite(v) || Math.abs(v) > maxVelocity[j] * (1 + 1e-6))) {
        return `point ${index}: ${names[j]} velocity ${v} beyond ${maxVelocity[j]}`;
      }
    }
    previous = point.positions;
    previousTime = time;
  }
  return null;
}
