/**
 * Joint limits of the commanded arm: positions, velocities and the margin kept inside them.
 */

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
