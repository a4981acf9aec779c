/**
 * The controller outputs' transport over rclnodejs: publishers with the command QoS, action
 * clients, timers on the node's executor.
 */
import type * as rclnodejs from 'rclnodejs';
import type { CommandTransport, GoalClient, OutputLog } from '../../pipeline/outputs/transport.js';
import type { Rcl } from './rcl.js';

type AnyActionType = rclnodejs.TypeClass<rclnodejs.ActionTypeClassName>;

export function rclTransport(rcl: Rcl, node: rclnodejs.Node, options: { qos: rclnodejs.QoS; now: () => number; log: OutputLog }): CommandTransport {
  return {
    publisher<M>(type: string, topic: string): (msg: M) => void {
      const pub = node.createPublisher(type as never, topic, { qos: options.qos });
      return (msg: M) => pub.publish(msg as never);
    },
    actionClient(type: string, name: string): GoalClient {
      // The generated declarations may not know the action (they list what the ROS install had
      // when they were generated), so the type name goes in untyped and goals are checked by rclnodejs.
      const client = new rcl.ActionClient<AnyActionType>(node, type as AnyActionType, name);
      return {
        isActionServerAvailable: () => client.isActionServerAvailable(),
        sendGoal: (goal, feedback) => client.sendGoal(goal, feedback),
        destroy: () => client.destroy(),
      };
    },
    timer(periodSec: number, callback: () => void) {
      return node.createTimer(BigInt(Math.round(periodSec * 1e9)), callback);
    },
    now: options.now,
    log: options.log,
  };
}
