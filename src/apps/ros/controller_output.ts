/**
 * The controller outputs (src/pipeline/outputs/) on a ROS node: their transport is the node's.
 */
import { createArmOutput, createGripperOutput as createGripper, type ArmOutputOptions, type GripperOptions } from '../../pipeline/outputs/create_outputs.js';
import type { ControllerOutput, GripperOutput } from '../../pipeline/outputs/ports.js';
import type { OutputLog } from '../../pipeline/outputs/transport.js';
import { rosTransport } from './ros_transport.js';
import type { QosProfile, RosNodeApi } from './ros_api.js';

export type { ControllerOutput, GripperOutput } from '../../pipeline/outputs/ports.js';

export interface ControllerOutputOptions extends ArmOutputOptions {
  qos: QosProfile;
  /** The node's clock, in seconds. */
  now: () => number;
  log: OutputLog;
}

export interface GripperOutputOptions extends GripperOptions {
  qos: QosProfile;
  /** The node's clock, in seconds (changes are sent when their step starts). */
  now: () => number;
  log: OutputLog;
}

/** Throws when the message or action package is missing (e.g. control_msgs not installed). */
export function createControllerOutput(node: RosNodeApi, options: ControllerOutputOptions): ControllerOutput {
  return createArmOutput(rosTransport(node, options), options);
}

/** null for 'none'. Throws when the interface cannot work (a missing package, no arm stream). */
export function createGripperOutput(node: RosNodeApi, options: GripperOutputOptions): GripperOutput | null {
  return createGripper(rosTransport(node, options), options);
}
