/**
 * The model's proprioception from a sensor_msgs/JointState: the arm's joint positions in
 * joint_names order and, for a model whose manifest asks for it (`proprio.gripper`), the
 * gripper's opening as one more value.
 *
 * The opening tells the model what the camera often cannot see once the hand is over an object:
 * whether the fingers are open, closed on nothing, or closed on the object.
 */
import { jointPositions } from '../messages/joint_state.js';
import type { JointState } from '../messages/types.js';
import type { ProprioSpec } from './manifest.js';

/** Where the gripper's opening is read: one gripper joint and its open and closed positions. */
export interface GripperOpeningSource {
  joint: string;
  openPosition: number;
  closedPosition: number;
}

/** The joints a model's proprioception is read from (the node's joint_names and gripper settings). */
export interface ProprioSource {
  jointNames: string[];
  /** Null where no gripper joint is configured: a model that needs the opening cannot run. */
  gripper: GripperOpeningSource | null;
}

/** The source for the node's gripper settings: the first of gripper_joints, if any. */
export function proprioSource(
  jointNames: string[],
  gripper: { joints: string[]; openPosition: number; closedPosition: number },
): ProprioSource {
  const joint = gripper.joints[0];
  return {
    jointNames,
    gripper: joint === undefined ? null : { joint, openPosition: gripper.openPosition, closedPosition: gripper.closedPosition },
  };
}

/**
 * Why this source cannot feed a model with this proprioception, or null if it can. Checked when a
 * model loads, so a mismatch is one clear error instead of a failure at every step.
 */
export function proprioMismatch(spec: ProprioSpec, source: ProprioSource): string | null {
  const expected = source.jointNames.length + (spec.gripper ? 1 : 0);
  const what = spec.gripper ? `${source.jointNames.length} joint positions and the gripper's opening` : `${source.jointNames.length} joint positions`;
  if (spec.dim !== expected) {
    return `the model takes ${spec.dim} proprioception values, but joint_names gives ${what} (${expected})`;
  }
  if (!spec.gripper) return null;
  if (source.gripper === null) return "the model takes the gripper's opening, but gripper_joints is empty";
  if (source.gripper.openPosition === source.gripper.closedPosition) {
    return "the model takes the gripper's opening, but gripper_open_position equals gripper_closed_position";
  }
  return null;
}

export interface Proprioception {
  /** Arm joint positions, joint_names order. */
  joints: Float64Array;
  /** What the plan and act graphs take. */
  proprio: Float32Array;
}

/**
 * Reads the proprioception out of a joint state. Throws MessageError when a joint is missing or
 * not finite (the gripper joint included, when the model takes its opening).
 */
export function readProprioception(msg: JointState, source: ProprioSource, withGripper: boolean): Proprioception {
  if (!withGripper) {
    const joints = jointPositions(msg, source.jointNames);
    return { joints, proprio: Float32Array.from(joints) };
  }
  if (source.gripper === null) throw new Error("the model takes the gripper's opening, but no gripper joint is configured");
  const { joint, openPosition, closedPosition } = source.gripper;
  const all = jointPositions(msg, [...source.jointNames, joint]);
  const joints = all.subarray(0, source.jointNames.length);
  const opening = (all[all.length - 1] - closedPosition) / (openPosition - closedPosition);
  const proprio = new Float32Array(joints.length + 1);
  proprio.set(joints);
  proprio[joints.length] = Math.min(1, Math.max(0, opening));
  return { joints, proprio };
}
