/**
 * The final check every outgoing trajectory passes against the commanded arm's joint limits
 * (kinematics/limits.ts), at its points and along the controller's cubic segments.
 */
import type { JointTrajectory } from '../messages/types.js';
import { toSeconds } from '../messages/time.js';
import { cubicPositionRange, cubicVelocityRange } from './cubic_segment.js';
import type { JointLimits } from '../kinematics/limits.js';

export { checkLimits, LimitError, type JointLimits } from '../kinematics/limits.js';

/**
 * What is known of the arm where a trajectory begins. joint_trajectory_controller starts a new
 * trajectory from its own measured state when it receives it, which the node only knows from a
 * joint state that is already `ageSec` old.
 */
export interface StartState {
  /** Measured joint velocities in names order; null when the joint state carries none. */
  velocity: ArrayLike<number> | null;
  /** Age of the measured positions (s). */
  ageSec: number;
}

/** At rest exactly at the given positions (what the planner assumes when it knows nothing else). */
export function atRest(joints: number): StartState {
  return { velocity: new Float64Array(joints), ageSec: 0 };
}

/** Where a segment of one joint begins. */
export interface SegmentStart {
  p0: number;
  v0: number;
  /** The first segment, which begins at the arm's own state rather than at a point of ours. */
  first: boolean;
}

/**
 * Where and how fast joint j may be when the controller starts the first segment: up to its
 * velocity limit times the joint state's age away from the measured position, at the measured
 * velocity, or at either limit velocity when none was measured. The controller's motion is linear
 * in these, so its extremes lie at these corners.
 */
export function startCases(j: number, current: ArrayLike<number>, start: StartState, limits: JointLimits): SegmentStart[] {
  const vMax = limits.maxVelocity[j];
  const slack = vMax * Math.max(0, start.ageSec);
  const positions = slack > 0 ? [current[j] - slack, current[j] + slack] : [current[j]];
  const velocities = start.velocity ? [start.velocity[j]] : [-vMax, vMax];
  return positions.flatMap((p0) => velocities.map((v0) => ({ p0, v0, first: true })));
}

/**
 * The velocities a segment may reach: within the joint's limit, except that the first segment may
 * keep the speed the arm already has, in the direction it has it (the controller starts from it).
 */
function allowedVelocity(j: number, begin: SegmentStart, limits: JointLimits): [number, number] {
  const vMax = limits.maxVelocity[j];
  return begin.first ? [Math.min(-vMax, begin.v0), Math.max(vMax, begin.v0)] : [-vMax, vMax];
}

/** How far the segment's velocity goes beyond what it may reach, as a ratio: at most 1 is within. */
export function speedExcess(j: number, begin: SegmentStart, end: { p1: number; v1: number; duration: number }, limits: JointLimits): number {
  const [lo, hi] = cubicVelocityRange({ p0: begin.p0, v0: begin.v0, ...end });
  const [down, up] = allowedVelocity(j, begin, limits);
  return Math.max(hi / up, lo / down);
}

/**
 * Why joint j may not run this segment as the controller interpolates it (cubic, through the
 * points' positions and velocities), or null: its velocity within what it may reach, and its
 * positions inside the joint's limits. The first segment may also go as far as the arm's own
 * momentum would take it over the same time if it were told to stay where it is.
 */
export function segmentProblem(
  j: number,
  begins: SegmentStart[],
  end: { p1: number; v1: number; duration: number },
  limits: JointLimits,
): string | null {
  for (const begin of begins) {
    const ends = { p0: begin.p0, v0: begin.v0, ...end };
    if (speedExcess(j, begin, end, limits) > 1 + 1e-6) {
      const [lo, hi] = cubicVelocityRange(ends);
      const [down, up] = allowedVelocity(j, begin, limits);
      return hi > up ? `would reach ${hi.toFixed(3)} > ${up} between the points` : `would reach ${lo.toFixed(3)} < ${down} between the points`;
    }
    let [minAllowed, maxAllowed] = [limits.min[j], limits.max[j]];
    if (begin.first) {
      const [lo, hi] = cubicPositionRange({ p0: begin.p0, v0: begin.v0, p1: begin.p0, v1: 0, duration: end.duration });
      minAllowed = Math.min(minAllowed, lo);
      maxAllowed = Math.max(maxAllowed, hi);
    }
    const [lo, hi] = cubicPositionRange(ends);
    const tolerance = 1e-9;
    if (lo < minAllowed - tolerance || hi > maxAllowed + tolerance) {
      return `would overshoot to ${(lo < minAllowed - tolerance ? lo : hi).toFixed(4)}, outside [${limits.min[j]}, ${limits.max[j]}], between the points`;
    }
  }
  return null;
}

/**
 * The last gate before a trajectory leaves the node: joint names in order, every position inside
 * the margin, every implied velocity (also from the current positions to the first point) within
 * its limit, times strictly increasing from above zero, and the motion the controller
 * interpolates between the points (from `start` to the first) within the velocity and position
 * limits. Returns a reason to refuse, or null.
 */
export function violation(
  trajectory: JointTrajectory,
  current: ArrayLike<number>,
  limits: JointLimits,
  start: StartState = atRest(limits.names.length),
): string | null {
  const { names, min, max, maxVelocity, margin } = limits;
  if (trajectory.joint_names.join(',') !== names.join(',')) return 'joint names differ from the configured joints';
  if (trajectory.points.length === 0) return 'no points';
  let previous = Array.from(current);
  let previousVelocity: ArrayLike<number> | null = null;
  let previousTime = 0;
  const tolerance = 1e-9;
  for (const [index, point] of trajectory.points.entries()) {
    const time = toSeconds(point.time_from_start);
    if (!(time > previousTime)) return `point ${index}: time_from_start ${time} s does not increase`;
    if (point.positions.length !== names.length) return `point ${index}: ${point.positions.length} positions for ${names.length} joints`;
    if (point.velocities.length !== names.length) return `point ${index}: ${point.velocities.length} velocities for ${names.length} joints`;
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
      if (!Number.isFinite(v) || Math.abs(v) > maxVelocity[j] * (1 + 1e-6)) {
        return `point ${index}: ${names[j]} velocity ${v} beyond ${maxVelocity[j]}`;
      }
      const begins = previousVelocity === null ? startCases(j, current, start, limits) : [{ p0: previous[j], v0: previousVelocity[j], first: false }];
      const problem = segmentProblem(j, begins, { p1: q, v1: v, duration: time - previousTime }, limits);
      if (problem) return `point ${index}: ${names[j]} ${problem}`;
    }
    previous = point.positions;
    previousVelocity = point.velocities;
    previousTime = time;
  }
  return null;
}
