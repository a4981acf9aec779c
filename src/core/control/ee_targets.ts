/**
 * End-effector delta chunk -> end-effector poses -> joint targets through IK.
 *
 * The deltas accumulate from the pose of the current joint state: each step moves the previous
 * target pose (not the previous IK solution, so IK residuals do not add up). Each target is solved
 * in order, warm-started from the previous solution, so the arm stays on one branch. If any step
 * does not converge within the IK tolerances the whole chunk is refused: a partial chunk would stop
 * the arm somewhere the model never asked for.
 */
import type { ArmModel } from '../kinematics/arm_model.js';
import { compose, identity, setRotationVector, setRpy, type Transform } from '../kinematics/transform.js';

/** How a model writes the rotation part of an end-effector delta. */
export const ROTATIONS = ['euler_xyz', 'axis_angle'] as const;
export type RotationConvention = (typeof ROTATIONS)[number];
/** Frame of end-effector deltas: the robot base, or the current end-effector (tool) frame. */
export const DELTA_FRAMES = ['base', 'tool'] as const;

/** base: deltas in the base_link frame; tool: in the current end-effector frame. */
type DeltaFrame = (typeof DELTA_FRAMES)[number];

export interface EeDeltaSpec {
  rotation: RotationConvention;
  frame: DeltaFrame;
}

export interface EeTargets {
  /** Joint targets per step, in the arm's joint_names order. */
  targets: Float64Array[];
  /** The end-effector pose asked for at each step (base frame). */
  poses: Transform[];
  /** Pose of the current joint state. */
  startPose: Transform;
}

export class IkFailure extends Error {
  override name = 'IkFailure';
}

/** The pose after applying one delta (dx, dy, dz, r1, r2, r3) to `pose`. */
export function applyDelta(pose: Transform, delta: ArrayLike<number>, spec: EeDeltaSpec): Transform {
  const rotation = identity();
  if (spec.rotation === 'euler_xyz') setRpy(rotation, delta[3], delta[4], delta[5]);
  else setRotationVector(rotation, delta[3], delta[4], delta[5]);
  const next = identity();
  if (spec.frame === 'base') {
    compose(next, rotation, pose);
    next[3] = pose[3] + delta[0];
    next[7] = pose[7] + delta[1];
    next[11] = pose[11] + delta[2];
  } else {
    rotation[3] = delta[0];
    rotation[7] = delta[1];
    rotation[11] = delta[2];
    compose(next, pose, rotation);
  }
  return next;
}

export function eeDeltaTargets(arm: ArmModel, chunk: number[][], current: ArrayLike<number>, spec: EeDeltaSpec): EeTargets {
  const startPose = arm.forward(current, identity());
  const targets: Float64Array[] = [];
  const poses: Transform[] = [];
  let pose = startPose;
  let seed: ArrayLike<number> = current;
  chunk.forEach((action, step) => {
    if (action.length < 6 || !action.slice(0, 6).every(Number.isFinite)) {
      throw new IkFailure(`action ${step} needs 6 finite end-effector values, got [${action.join(', ')}]`);
    }
    pose = applyDelta(pose, action, spec);
    const solution = arm.solve(pose, seed);
    if (!solution.converged) {
      throw new IkFailure(
        `IK did not reach step ${step} of the chunk (${(solution.positionError * 1000).toFixed(1)} mm, ` +
          `${solution.orientationError.toFixed(3)} rad off): the target is out of reach or beyond the joint limits`,
      );
    }
    targets.push(solution.q);
    poses.push(pose);
    seed = solution.q;
  });
  return { targets, poses, startPose };
}
