/**
 * The one gate every command passes before it leaves the node.
 *
 * A command goes out only if all of these hold; otherwise the guard names the first that does not:
 * - actuation is enabled (the ~/enable interlock; dry run otherwise),
 * - the joint state and the camera frame the command was computed from are fresh,
 * - the robot model is known (the end-effector checks below need it),
 * - every point is inside the joint position limits less the margin, every implied and given
 *   velocity within the velocity limits, times strictly increasing from above zero, and so is the
 *   cubic motion the controller interpolates between the points, from any state the arm may be
 *   in when the trajectory arrives (joint_limits.ts),
 * - the end effector moves at most max_ee_step_m and max_ee_rotation_step_rad between points
 *   (and from the current pose to the first point),
 * - the end effector stays inside the workspace box (base frame) at every point.
 *
 * The end-effector rules are checked along the joint-space path between points (the controller's
 * cubic segments), sampled every SAMPLE_SPACING of joint travel, not only at the points: a joint
 * that turns almost a full circle (a UR joint has +-2 pi) ends where it began, yet sweeps the arm
 * or spins the tool on the way.
 * Translation and rotation are summed over the samples, so a step is the length of that path.
 */
import type { JointTrajectory } from '../messages/types.js';
import { identity, poseError, type Transform } from '../kinematics/transform.js';
import { violation, type JointLimits, type StartState } from './joint_limits.js';
import { cubicPositionAt, cubicPositionRange } from './cubic_segment.js';
import { toSeconds } from '../messages/time.js';

/** Largest joint travel (rad, or m for a prismatic joint) between two samples of a segment. */
export const SAMPLE_SPACING = 0.05;

export interface SafetyLimits {
  joints: JointLimits;
  /** Largest end-effector translation between consecutive points (m). */
  maxEeStep: number;
  /** Largest end-effector rotation between consecutive points (rad). */
  maxEeRotationStep: number;
  /** Box in the base frame the end effector must stay in. */
  workspace: { min: [number, number, number]; max: [number, number, number] };
  /** Joint states older than this (s) mean no command. */
  maxJointStateAge: number;
  /** A command computed from a frame older than this (s) is not sent ... */
  maxImageAge: number;
  /**
   * ... unless this is set (open_loop only) and every joint is still within it (rad, or m) of
   * where the frame saw it: the arm has held still while the model thought, so the scene the
   * chunk was reasoned about is still the arm's. Null: no exception.
   */
  heldStillTolerance: number | null;
}

export interface CommandContext {
  enabled: boolean;
  /** Node clock, seconds. */
  now: number;
  /** Stamp (s) of the camera frame the command was computed from; null for none. */
  imageStamp: number | null;
  /** Stamp (s) of the joint state used as the start; null if none has arrived. */
  jointStateStamp: number | null;
  /** Joint positions at the start, in joint_names order. */
  current: ArrayLike<number>;
  /** Joint velocities measured with them; null when the joint state carries none (any velocity within the limits is then assumed). */
  currentVelocity: ArrayLike<number> | null;
  /** Joint positions when the camera frame was taken (joint_names order), for the held-still exception. */
  frameJoints?: ArrayLike<number> | null;
}

/** The state the controller may start a trajectory from, as far as the context knows it. */
export function startState(context: CommandContext): StartState {
  const age = context.jointStateStamp === null ? 0 : context.now - context.jointStateStamp;
  return { velocity: context.currentVelocity, ageSec: Math.max(0, age) };
}

/** Forward kinematics in joint_names order (tip pose in the base frame). */
export type ForwardKinematics = (q: ArrayLike<number>, out: Transform) => Transform;

export class SafetyGuard {
  private readonly poseA = identity();
  private readonly poseB = identity();
  private readonly error = new Float64Array(6);
  private readonly sample: Float64Array;

  constructor(
    readonly limits: SafetyLimits,
    private readonly forward: ForwardKinematics | null,
  ) {
    this.sample = new Float64Array(limits.joints.names.length);
  }

  /** Why nothing may be commanded in this context (enable, freshness), or null. */
  checkContext(context: CommandContext): string | null {
    if (!context.enabled) return 'actuation is disabled (dry run): call ~/enable';
    if (context.jointStateStamp === null) return 'no joint state received';
    const jointAge = context.now - context.jointStateStamp;
    if (!(jointAge <= this.limits.maxJointStateAge)) {
      return `joint states are stale: ${jointAge.toFixed(3)} s old (max_joint_state_age_s ${this.limits.maxJointStateAge})`;
    }
    // A stamp far in the future would never go stale: the clocks differ (use_sim_time?).
    if (jointAge < -this.limits.maxJointStateAge) return `joint states are stamped ${(-jointAge).toFixed(3)} s in the future: check the clocks (use_sim_time)`;
    if (context.imageStamp !== null) {
      const imageAge = context.now - context.imageStamp;
      if (!(imageAge <= this.limits.maxImageAge)) {
        const moved = this.movementSinceFrame(context);
        if (moved !== null) return `the camera frame is stale: ${imageAge.toFixed(3)} s old (max_frame_age_s ${this.limits.maxImageAge})${moved}`;
      }
      if (imageAge < -this.limits.maxImageAge) return `the camera frame is stamped ${(-imageAge).toFixed(3)} s in the future: check the clocks (use_sim_time)`;
    }
    if (!this.forward) return 'no robot model (URDF): end-effector and workspace limits cannot be checked';
    if (!Array.from(context.current).every(Number.isFinite)) return 'the current joint state is not finite';
    return null;
  }

  /**
   * Null when the held-still exception lets a stale frame's chunk run; otherwise what to add to
   * the refusal ('' when the exception does not apply at all).
   */
  private movementSinceFrame(context: CommandContext): string | null {
    const tolerance = this.limits.heldStillTolerance;
    const then = context.frameJoints;
    if (tolerance === null || !then) return '';
    const now = context.current;
    if (then.length !== now.length) return ', and the joints at the frame are not known';
    // The first joint beyond the tolerance (a NaN counts as beyond), for the message.
    const joint = Array.from(now).findIndex((q, j) => !(Math.abs(q - then[j]) <= tolerance));
    if (joint < 0) return null;
    const moved = Math.abs(now[joint] - then[joint]);
    return `, and the arm moved since (joint ${this.limits.joints.names[joint] ?? joint} by ${Number.isFinite(moved) ? moved.toFixed(4) : moved}, open_loop_joint_tolerance ${tolerance})`;
  }

  /** Why this trajectory may not be sent, or null when it may. */
  checkTrajectory(trajectory: JointTrajectory, context: CommandContext): string | null {
    const contextProblem = this.checkContext(context);
    if (contextProblem) return contextProblem;
    const jointProblem = violation(trajectory, context.current, this.limits.joints, startState(context));
    if (jointProblem) return jointProblem;

    const forward = this.forward!;
    const { min, max } = this.limits.workspace;
    let previousQ: ArrayLike<number> = context.current;
    // The arm leaves its measured state at its measured velocity (at rest when none was measured).
    let previousV: ArrayLike<number> = context.currentVelocity ?? new Float64Array(previousQ.length);
    let previousTime = 0;
    let previous = forward(previousQ, this.poseA);
    let next = this.poseB;
    for (const [index, point] of trajectory.points.entries()) {
      const target = point.positions;
      const time = toSeconds(point.time_from_start);
      // Each joint follows the controller's cubic; its travel counts the way out and back.
      const segments = target.map((p1, j) => ({ p0: previousQ[j], v0: previousV[j], p1, v1: point.velocities[j], duration: time - previousTime }));
      let travel = 0;
      for (const ends of segments) {
        const [lo, hi] = cubicPositionRange(ends);
        travel = Math.max(travel, 2 * (hi - lo) - Math.abs(ends.p1 - ends.p0));
      }
      const samples = Math.max(1, Math.ceil(travel / SAMPLE_SPACING));
      let step = 0;
      let turn = 0;
      for (let s = 1; s <= samples; s++) {
        let q: ArrayLike<number> = target;
        if (s < samples) {
          segments.forEach((ends, j) => (this.sample[j] = cubicPositionAt(ends, s / samples)));
          q = this.sample;
        }
        forward(q, next);
        const position = [next[3], next[7], next[11]];
        for (let axis = 0; axis < 3; axis++) {
          if (position[axis] < min[axis] || position[axis] > max[axis]) {
            const where = s < samples ? ' on the way to it' : '';
            return `point ${index}: end effector at (${position.map((v) => v.toFixed(3)).join(', ')}) leaves the workspace box${where}`;
          }
        }
        poseError(next, previous, this.error);
        step += Math.hypot(this.error[0], this.error[1], this.error[2]);
        turn += Math.hypot(this.error[3], this.error[4], this.error[5]);
        [previous, next] = [next, previous];
      }
      previousQ = target;
      previousV = point.velocities;
      previousTime = time;
      if (step > this.limits.maxEeStep + 1e-9) {
        return `point ${index}: end effector moves ${(step * 1000).toFixed(1)} mm in one step (max_ee_step_m ${this.limits.maxEeStep})`;
      }
      if (turn > this.limits.maxEeRotationStep + 1e-9) {
        return `point ${index}: end effector turns ${turn.toFixed(3)} rad in one step (max_ee_rotation_step_rad ${this.limits.maxEeRotationStep})`;
      }
    }
    return null;
  }
}
