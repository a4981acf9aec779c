/**
 * Action chunk -> joint targets -> trajectory_msgs/JointTrajectory.
 *
 * joint_position: each step is the target position of every joint.
 * joint_delta:    each step is added to the previous target, starting at the current positions.
 * ee_delta:       each step moves the end effector (MolmoAct's actions); IK on the robot's URDF
 *                 turns the poses into joint targets (ee_targets.ts).
 *
 * Joint-space targets are clamped inside the position limits (less the margin); IK solves inside
 * them. A step that would be faster than a joint's velocity limit gets more time instead of being
 * cut, so the arm still goes where the model said, only slower. The first point lies at least one
 * chunk step ahead (a first point at t = 0 would be a jump), velocities are given for the
 * controller's cubic interpolation, and the last point comes to rest.
 */
import type { JointTrajectory, Time } from '../messages/types.js';
import { buildJointTrajectory } from '../messages/builders.js';
import { atRest, speedExcess, startCases, type JointLimits, type StartState } from './joint_limits.js';
import type { ArmModel } from '../kinematics/arm_model.js';
import type { Transform } from '../kinematics/transform.js';
import { eeDeltaTargets, IkFailure, type EeDeltaSpec } from './ee_targets.js';

export class NotDrivableError extends Error {
  override name = 'NotDrivableError';
}

export interface ChunkToTrajectoryInput {
  space: string;
  /** chunk[i] = action of step i; the first limits.names.length values are the joints. */
  chunk: number[][];
  /** Current joint positions, in limits.names order. */
  current: ArrayLike<number>;
  limits: JointLimits;
  /** Time between chunk steps at full speed. */
  stepSec: number;
  /** header.stamp of the trajectory; zero means "start when received" for joint_trajectory_controller. */
  stamp?: Time;
  /** ee_delta only: the arm's kinematics (null while no URDF has arrived). */
  arm?: ArmModel | null;
  /** ee_delta only: how the deltas are written (from the model manifest). */
  ee?: EeDeltaSpec;
}

export interface JointTargets {
  targets: number[][];
  /** Points whose target had to be moved inside the position limits. */
  clampedPoints: number;
  /** ee_delta only: the end-effector pose asked for at each step. */
  eePoses?: Transform[];
}

export interface TrajectoryPlan extends JointTargets {
  trajectory: JointTrajectory;
  /** Whole-chunk duration over the nominal one: above 1 when velocity limits slowed it down. */
  slowdown: number;
}

export function chunkToTrajectory(input: ChunkToTrajectoryInput): TrajectoryPlan {
  const targets = chunkToJointTargets(input);
  const timed = timedTrajectory(targets.targets, input.current, input.limits, input.stepSec, input.stamp);
  return { ...targets, ...timed };
}

/** The joint target of every step of the chunk, in limits.names order. */
export function chunkToJointTargets(input: ChunkToTrajectoryInput): JointTargets {
  const { space, chunk, current, limits } = input;
  const joints = limits.names.length;
  if (chunk.length === 0) throw new NotDrivableError('the action chunk is empty');
  if (current.length !== joints) throw new NotDrivableError(`${current.length} current positions for ${joints} joints`);
  if (space === 'ee_delta') {
    if (!input.arm) throw new NotDrivableError('end-effector actions need the robot model: no URDF loaded yet (robot_description)');
    if (!input.ee) throw new NotDrivableError('end-effector actions need the rotation convention and frame of the model');
    try {
      const ee = eeDeltaTargets(input.arm, chunk, current, input.ee);
      return { targets: ee.targets.map((q) => Array.from(q)), clampedPoints: 0, eePoses: ee.poses };
    } catch (err) {
      if (err instanceof IkFailure) throw new NotDrivableError(err.message);
      throw err;
    }
  }
  if (space !== 'joint_position' && space !== 'joint_delta') {
    throw new NotDrivableError(`unknown action space '${space}'`);
  }
  for (const [i, action] of chunk.entries()) {
    if (action.length < joints) {
      throw new NotDrivableError(`action ${i} has ${action.length} values, the arm has ${joints} joints`);
    }
    if (!action.slice(0, joints).every(Number.isFinite)) throw new NotDrivableError(`action ${i} is not finite`);
  }

  const targets: number[][] = [];
  let clampedPoints = 0;
  let previous: number[] = Array.from(current);
  for (const action of chunk) {
    let clamped = false;
    const target = limits.names.map((_, j) => {
      const wanted = space === 'joint_delta' ? previous[j] + action[j] : action[j];
      const lo = limits.min[j] + limits.margin;
      const hi = limits.max[j] - limits.margin;
      const q = Math.min(hi, Math.max(lo, wanted));
      if (q !== wanted) clamped = true;
      return q;
    });
    if (clamped) clampedPoints++;
    targets.push(target);
    previous = target;
  }
  return { targets, clampedPoints };
}

/**
 * Times, velocities and the message for a list of joint targets: one step apart, slower where a
 * joint would exceed its velocity limit, the last point at rest.
 *
 * The controller moves between the points along cubic segments (cubic_segment.ts), whose speed can
 * exceed the average over the segment, so a segment is also lengthened until its cubic stays
 * within the limit, the first one from every state the arm may be in (`start`). Point velocities
 * keep each joint monotone between its neighbours (zero where it turns, at most three times either
 * neighbouring slope), so no segment overshoots its points.
 */
export function timedTrajectory(
  targets: number[][],
  current: ArrayLike<number>,
  limits: JointLimits,
  stepSec: number,
  stamp: Time = { sec: 0, nanosec: 0 },
  start: StartState = atRest(limits.names.length),
): { trajectory: JointTrajectory; slowdown: number } {
  // Duration of each segment: a chunk step, or longer when a joint would exceed its velocity limit.
  const durations = targets.map((target, i) => {
    const previous = i === 0 ? current : targets[i - 1];
    let dt = stepSec;
    target.forEach((q, j) => {
      dt = Math.max(dt, Math.abs(q - previous[j]) / limits.maxVelocity[j]);
    });
    return dt;
  });
  let velocities = pointVelocities(targets, current, durations, limits);
  for (let round = 0; round < MAX_TIMING_ROUNDS; round++) {
    let lengthened = false;
    durations.forEach((duration, i) => {
      let factor = 1;
      targets[i].forEach((q, j) => {
        const begins = i === 0 ? startCases(j, current, start, limits) : [{ p0: targets[i - 1][j], v0: velocities[i - 1][j], first: false }];
        for (const begin of begins) factor = Math.max(factor, speedExcess(j, begin, { p1: q, v1: velocities[i][j], duration }, limits));
      });
      if (factor > 1 + 1e-9) {
        // At least 2 % at a time: where the excess shrinks quadratically with the duration, exact
        // factors would creep towards the limit over many rounds.
        durations[i] = duration * Math.max(factor * (1 + 1e-6), 1.02);
        lengthened = true;
      }
    });
    if (!lengthened) break;
    velocities = pointVelocities(targets, current, durations, limits);
  }
  const times: number[] = [];
  let t = 0;
  for (const duration of durations) times.push((t += duration));

  const trajectory = buildJointTrajectory({
    stamp,
    jointNames: limits.names,
    points: targets.map((positions, i) => ({ positions, velocities: velocities[i], timeFromStart: times[i] })),
  });
  return { trajectory, slowdown: t / (stepSec * targets.length) };
}

/** Enough for every case the tests and benchmarks meet (two or three rounds); the guard checks the result anyway. */
const MAX_TIMING_ROUNDS = 50;

/**
 * Velocity at each point: the central difference over its neighbours, zero where the joint turns
 * or rests on either side, at most three times either neighbouring slope (Fritsch-Carlson: the
 * cubic then stays between the points) and within the limit; the last point at rest.
 */
function pointVelocities(targets: number[][], current: ArrayLike<number>, durations: number[], limits: JointLimits): number[][] {
  return targets.map((target, i) => {
    if (i === targets.length - 1) return target.map(() => 0);
    const before = i === 0 ? current : targets[i - 1];
    const after = targets[i + 1];
    return target.map((q, j) => {
      const slopeIn = (q - before[j]) / durations[i];
      const slopeOut = (after[j] - q) / durations[i + 1];
      if (slopeIn * slopeOut <= 0) return 0;
      const central = (after[j] - before[j]) / (durations[i] + durations[i + 1]);
      const bound = Math.min(3 * Math.abs(slopeIn), 3 * Math.abs(slopeOut), limits.maxVelocity[j]);
      return Math.sign(central) * Math.min(Math.abs(central), bound);
    });
  });
}
