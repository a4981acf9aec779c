/**
 * What a controller output needs of the node it sends from: publishers, action clients, timers on
 * its executor, its clock and its log. The ROS node provides these through its ROS client library
 * (src/apps/ros/ros_transport.ts); the tabletop simulation delivers them to its simulated controllers
 * in-process (src/apps/sim/sim_transport.ts). So both drive an arm through the same output code.
 */

export type StatusValues = Record<string, string | number | boolean>;
export type OutputLog = (level: 'info' | 'warn', msg: string) => void;

/** A client goal of an action, as rclnodejs's ClientGoalHandle offers it. */
export interface GoalHandle {
  isAccepted(): boolean;
  readonly status: number;
  cancelGoal(): Promise<unknown>;
  getResult(): Promise<unknown>;
}

/** An action client, as rclnodejs's ActionClient offers it, without the per-action typing. */
export interface GoalClient {
  isActionServerAvailable(): boolean;
  sendGoal(goal: object, feedback: (feedback: unknown) => void): Promise<GoalHandle>;
  destroy(): void;
}

export interface CommandTransport {
  /** A publisher on a topic, with the QoS of commands (reliable). */
  publisher<M>(type: string, topic: string): (msg: M) => void;
  /** An action client; throws when the action type is not available. */
  actionClient(type: string, name: string): GoalClient;
  /** Calls `callback` every `periodSec` on the node's executor until cancelled. */
  timer(periodSec: number, callback: () => void): { cancel(): void };
  /** The node's clock, in seconds. */
  now(): number;
  log: OutputLog;
}
