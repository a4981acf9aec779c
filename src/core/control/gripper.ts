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
  /** The configured gripper joints that the robot has, and their positions (what a gripper controller takes). */
  names: string[];
  positions: number[];
  /** The same plus the joints that mimic them (for interfaces that command every joint, e.g. Isaac Sim). */
  allNames: string[];
  allPositions: number[];
}

export function gripperTarget(value: number, config: GripperConfig, robot: RobotDescription | null): GripperTarget | null {
  // Joints the robot does not have are left out (the node warns about them when the URDF loads).
  const joints = robot ? config.joints.filter((name) => robot.joints.has(name)) : config.joints;
  if (!Number.isFinite(value) || joints.length === 0) return null;
  const above = value > config.threshold;
  const closed = config.invert ? above : !above;
  // Positions stay inside each joint's URDF limits, whatever the configuration says.
  const withinLimits = (name: string, value: number): number => {
    const joint = robot?.joints.get(name);
    return joint ? Math.min(joint.upper, Math.max(joint.lower, value)) : value;
  };
  const target = closed ? config.closedPosition : config.openPosition;
  const names = [...joints];
  const positions = joints.map((name) => withinLimits(name, target));
  const allNames = [...names];
  const allPositions = [...positions];
  for (const joint of robot?.joints.values() ?? []) {
    if (joint.mimic && joints.includes(joint.mimic.joint) && !allNames.includes(joint.name)) {
      allNames.push(joint.name);
      allPositions.push(withinLimits(joint.name, joint.mimic.multiplier * target + joint.mimic.offset));
    }
  }
  return { closed, position: positions[0], names, positions, allNames, allPositions };
}

/** One chunk step's gripper command, in the time of the arm trajectory it goes with. */
export interface GripperStep {
  /** When the step starts and ends: seconds after the trajectory starts (its point i-1 and point i). */
  startSec: number;
  endSec: number;
  target: GripperTarget;
}
