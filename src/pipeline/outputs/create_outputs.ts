/**
 * The controller outputs the settings name, over a transport (ROS, or the simulation's).
 */
import type { ControllerOutput, GripperOutput } from './ports.js';
import type { CommandTransport } from './transport.js';
import { TopicTrajectoryOutput } from './trajectory_topic.js';
import { ActionTrajectoryOutput } from './trajectory_action.js';
import { JointStateStreamOutput } from './joint_state_stream.js';
import { GripperActionOutput, GripperStreamOutput, GripperTrajectoryOutput } from './gripper_outputs.js';

export type ArmInterface = 'joint_trajectory' | 'follow_joint_trajectory' | 'joint_state_command';
export type GripperOutputInterface = 'none' | 'joint_trajectory' | 'gripper_command' | 'joint_state_command';

export interface ArmOutputOptions {
  interface: ArmInterface;
  /** JointTrajectory topic (joint_trajectory). */
  topic: string;
  /** FollowJointTrajectory action name (follow_joint_trajectory). */
  action: string;
  /** JointState command topic (joint_state_command). */
  jointCommandTopic: string;
  /** Stream rate (joint_state_command). */
  rateHz: number;
}

export interface GripperOptions {
  interface: GripperOutputInterface;
  /** JointTrajectory topic (joint_trajectory). */
  topic: string;
  /** GripperCommand action name (gripper_command). */
  action: string;
  /** Time given to reach the target (joint_trajectory). */
  moveTimeSec: number;
  /** GripperCommand max_effort (gripper_command): the controller's effort limit for the command; 0 is no force. */
  maxEffort: number;
  /** The arm's stream output, which carries the gripper joints (joint_state_command). */
  stream?: ControllerOutput | null;
}

/** Throws when the message or action package is missing (e.g. control_msgs not installed). */
export function createArmOutput(transport: CommandTransport, options: ArmOutputOptions): ControllerOutput {
  switch (options.interface) {
    case 'joint_trajectory':
      return new TopicTrajectoryOutput(transport, options.topic);
    case 'follow_joint_trajectory':
      return new ActionTrajectoryOutput(transport, options.action);
    case 'joint_state_command':
      return new JointStateStreamOutput(transport, { topic: options.jointCommandTopic, rateHz: options.rateHz });
    default:
      throw new Error(`unknown controller interface "${String(options.interface)}"`);
  }
}

/** null for 'none'. Throws when the interface cannot work (a missing package, no arm stream). */
export function createGripperOutput(transport: CommandTransport, options: GripperOptions): GripperOutput | null {
  switch (options.interface) {
    case 'none':
      return null;
    case 'joint_trajectory':
      return new GripperTrajectoryOutput(transport, options);
    case 'gripper_command':
      return new GripperActionOutput(transport, options);
    case 'joint_state_command':
      return new GripperStreamOutput(transport, options.stream ?? null, options);
    default:
      throw new Error(`unknown gripper interface "${String(options.interface)}"`);
  }
}
