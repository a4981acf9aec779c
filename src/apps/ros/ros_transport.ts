/**
 * The controller outputs' transport on a ROS node: publishers with the command QoS, action
 * clients, timers on the node's executor.
 */
import type { CommandTransport, OutputLog } from '../../pipeline/outputs/transport.js';
import type { QosProfile, RosNodeApi } from './ros_api.js';

export function rosTransport(node: RosNodeApi, options: { qos: QosProfile; now: () => number; log: OutputLog }): CommandTransport {
  return {
    publisher<M>(type: string, topic: string): (msg: M) => void {
      const publisher = node.createPublisher<M>(type, topic, options.qos);
      return (msg: M) => publisher.publish(msg);
    },
    actionClient: (type, name) => node.createActionClient(type, name),
    timer: (periodSec, callback) => node.createTimer(periodSec, callback),
    now: options.now,
    log: options.log,
  };
}
