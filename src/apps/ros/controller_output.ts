/**
 * The controller outputs (src/pipeline/outputs/) on a ROS node: their transport is rclnodejs.
 */
import type * as rclnodejs from 'rclnodejs';
import { createArmOutput, createGripperOutput as createGripper, type ArmOutputOptions, type GripperOptions } from '../../pipeline/outputs/create_outputs.js';
import type { ControllerOutput, GripperOutput } from '../../pipeline/outputs/ports.js';
import type { OutputLog } from '../../pipeline/outputs/transport.js';
import { rclTransport } from './rcl_transport.js';
import type { Rcl } from './rcl.js';

export type { ControllerOutput, GripperOutput } from '../../pipeline/outputs/ports.js';

export interface ControllerOutputOptions extends ArmOutputOptions {
  qos: rclnodejs.QoS;
  /** The node's clock, in seconds. */
  now: () => number;
  log: OutputLog;
}

export interface GripperOutputOptions extends GripperOptions {
  qos: rclnodejs.QoS;
  /** The node's clock, in seconds (changes are sent when their step starts). */
  now: () => number;
  log: OutputLog;
}

/** Throws when the message or action package is missing (e.g. control_msgs not installed). */
export function createControllerOutput(rcl: Rcl, node: rclnodejs.Node, options: ControllerOutputOptions): ControllerOutput {
  return createArmOutput(rclTransport(rcl, node, options), options);
}

/** null for 'none'. Throws when the interface cannot work (a missing package, no arm stream). */
export function createGripperOutput(rcl: Rcl, node: rclnodejs.Node, options: GripperOutputOptions): GripperOutput | null {
  return createGripper(rclTransport(rcl, node, options), options);
}
