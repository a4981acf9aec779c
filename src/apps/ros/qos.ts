/**
 * The QoS profiles of the node's endpoints, and why each is what it is.
 */
import type { QosProfile } from './ros_api.js';

export interface NodeQos {
  /** Camera and joint state inputs: best effort matches both best-effort and reliable publishers; keep only the newest. */
  sensors: QosProfile;
  /** The latched instruction (a publisher with transient-local durability delivers its last task to a late node). */
  latched: QosProfile;
  /** Volatile twin of `latched`, so a plain `ros2 topic pub` (volatile) can set the task too. */
  command: QosProfile;
  /** Outputs: reliable is accepted by reliable and best-effort subscribers (rviz, controllers). */
  output: QosProfile;
  /** /tf and /tf_static as tf2 listens to them: deep queues, as several broadcasters publish at once. */
  tf: QosProfile;
  tfStatic: QosProfile;
}

export const NODE_QOS: Readonly<NodeQos> = Object.freeze<NodeQos>({
  sensors: { depth: 2, reliability: 'best_effort', durability: 'volatile' },
  latched: { depth: 1, reliability: 'reliable', durability: 'transient_local' },
  command: { depth: 1, reliability: 'reliable', durability: 'volatile' },
  output: { depth: 2, reliability: 'reliable', durability: 'volatile' },
  tf: { depth: 100, reliability: 'reliable', durability: 'volatile' },
  tfStatic: { depth: 100, reliability: 'reliable', durability: 'transient_local' },
});
