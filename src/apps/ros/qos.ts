/**
 * The QoS profiles of the node's endpoints, and why each is what it is.
 */
import type * as rclnodejs from 'rclnodejs';
import type { Rcl } from './rcl.js';

// rmw policy values (rmw/types.h); rclnodejs's QoS constructor takes them as numbers.
const KEEP_LAST = 1;
const RELIABLE = 1;
const BEST_EFFORT = 2;
const TRANSIENT_LOCAL = 1;
const VOLATILE = 2;

function qos(rcl: Rcl, depth: number, reliability: number, durability: number): rclnodejs.QoS {
  return new rcl.QoS(
    KEEP_LAST as rclnodejs.QoS.HistoryPolicy,
    depth,
    reliability as rclnodejs.QoS.ReliabilityPolicy,
    durability as rclnodejs.QoS.DurabilityPolicy,
  );
}

export interface NodeQos {
  /** Camera and joint state inputs: best effort matches both best-effort and reliable publishers; keep only the newest. */
  sensors: rclnodejs.QoS;
  /** The latched instruction (a publisher with transient-local durability delivers its last task to a late node). */
  latched: rclnodejs.QoS;
  /** Volatile twin of `latched`, so a plain `ros2 topic pub` (volatile) can set the task too. */
  command: rclnodejs.QoS;
  /** Outputs: reliable is accepted by reliable and best-effort subscribers (rviz, controllers). */
  output: rclnodejs.QoS;
  /** /tf and /tf_static as tf2 listens to them: deep queues, as several broadcasters publish at once. */
  tf: rclnodejs.QoS;
  tfStatic: rclnodejs.QoS;
}

export function nodeQos(rcl: Rcl): NodeQos {
  return {
    sensors: qos(rcl, 2, BEST_EFFORT, VOLATILE),
    latched: qos(rcl, 1, RELIABLE, TRANSIENT_LOCAL),
    command: qos(rcl, 1, RELIABLE, VOLATILE),
    output: qos(rcl, 2, RELIABLE, VOLATILE),
    tf: qos(rcl, 100, RELIABLE, VOLATILE),
    tfStatic: qos(rcl, 100, RELIABLE, TRANSIENT_LOCAL),
  };
}
