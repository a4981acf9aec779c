/**
 * The gripper value of an end-effector action -> open or closed -> gripper joint positions.
 *
 * Datasets disagree on the meaning of the value (BridgeData: 1 = open; LIBERO: +1 = close), so
 * the threshold and its direction are configuration, not code. Joints that mimic a gripper joint
 * in the URDF are added with their multiplier and offset, for interfaces that need every joint.
 */
import type { RobotDescription } from '../kinematics/urdf.js';

export interface GripperConfig {
  joints: string[];
  openPosition: number;
  closedPosition: number;
  /** A value above this means open (closed when invert is set). */
  threshold: number;
  invert: boolean;
}

export interface GripperTarget {
  closed: boolean;
  /** Position of the configured gripper joints. */
  position: number;
  /** Every joint to command, mimic joints included, and its position. */
  names: string[];
  positions: number[];
}

export function gripperTarget(value: number, config: GripperConfig, robot: RobotDescription | null): GripperTarget | null {
  if (!Number.isFinite(value) || config.joints.length === 0) return null;
  const above = value > config.threshold;
  const closed = config.invert ? above : !above;
  const position = closed ? config.closedPosition : config.openPosition;
  // Positions stay inside each joint's URDF limits, whatever the configuration says.
  const withinLimits = (name: string, value: number): number => {
    const joint = robot?.joints.get(name);
    return joint ? Math.min(joint.upper, Math.max(joint.lower, value)) : value;
  };
  const names = [...config.joints];
  const positions = config.joints.map((name) => withinLimits(name, position));
  for (const joint of robot?.joints.values() ?? []) {
    if (joint.mimic && config.joints.includes(joint.mimic.joint) && !names.includes(joint.name)) {
      names.push(joint.name);
      positions.push(withinLimits(joint.name, joint.mimic.multiplier * position + joint.mimic.offset));
    }
  }
  return { closed, position: positions[0], names, positions };
}
