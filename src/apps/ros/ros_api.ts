/**
 * The part of a ROS 2 client library the ROS front ends use, as one small interface. The molmoact
 * node and the simulated robot are written against it; `rclnodejs_api.ts` implements it over
 * rclnodejs (type-checked against rclnodejs's own declarations), and the tests' stand-in graph
 * implements it too, so the compiler keeps the node, rclnodejs and the stand-in in step.
 *
 * Messages cross it as the plain objects of src/core/messages/types.ts; message, service and
 * action types are named by their full names (`sensor_msgs/msg/Image`).
 */
import type { Time } from '../../core/messages/types.js';
import type { ParameterSpec, ParameterValue } from '../../config/schema.js';
import type { GoalClient } from '../../pipeline/outputs/transport.js';

/** An endpoint's QoS, as data (rmw's KEEP_LAST history with this depth). */
export interface QosProfile {
  depth: number;
  reliability: 'reliable' | 'best_effort';
  durability: 'volatile' | 'transient_local';
}

export interface RosLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RosPublisher<M> {
  publish(msg: M): void;
  /** Subscriptions matched to this publisher (remappings applied, unlike counting by topic name). */
  subscriptionCount(): number;
  /** Leaves the graph (its subscribers no longer match it). */
  destroy(): void;
}

export interface RosServiceClient<Request, Response> {
  /** False when no server appeared within `timeoutMs`. */
  waitForService(timeoutMs: number): Promise<boolean>;
  call(request: Request): Promise<Response>;
}

/** A goal an action server received. */
export interface RosServerGoal {
  /** The goal message, as a plain object. */
  readonly request: Record<string, unknown>;
  execute(): void;
  succeed(): void;
  canceled(): void;
  abort(): void;
}

export interface RosActionServerHandlers {
  /** A new goal; call goal.execute() to start `execute`. */
  accepted(goal: RosServerGoal): void;
  /** Runs the goal; resolves with the result message once it has ended (succeed/canceled/abort called). */
  execute(goal: RosServerGoal): Promise<object>;
  /** A cancel request for the goal; it is accepted. */
  cancel(goal: RosServerGoal): void;
}

/** A parameter as the node declares it: schema type, default, and its descriptor. */
export interface ParameterDeclaration {
  name: string;
  type: ParameterSpec['type'];
  value: ParameterValue;
  description: string;
  readOnly: boolean;
  /** Inclusive bounds, for double and integer parameters. */
  range?: { min: number; max: number };
}

/** A proposed change of a parameter's value (integers as numbers, arrays as plain arrays). */
export interface ParameterChange {
  name: string;
  value: unknown;
}

export interface RosNodeApi {
  name(): string;
  /** '/namespace/name'. */
  fullyQualifiedName(): string;
  /** A topic name as the node's endpoints resolve it ('~/x', relative, absolute). */
  resolveTopicName(topic: string): string;
  /** The node's clock (simulated time under use_sim_time). */
  now(): Time;
  logger(): RosLogger;
  /** Throws when the message type is not available (its package not built). */
  createPublisher<M>(type: string, topic: string, qos: QosProfile): RosPublisher<M>;
  /** The callback gets each message as a plain object. Throws when the type is not available. */
  createSubscription<M>(type: string, topic: string, qos: QosProfile, callback: (msg: M) => void): void;
  createService<Request, Response>(type: string, name: string, handler: (request: Request) => Response): void;
  createClient<Request, Response>(type: string, name: string): RosServiceClient<Request, Response>;
  /** Calls `callback` every `periodSec` on the node's executor until cancelled. */
  createTimer(periodSec: number, callback: () => void): { cancel(): void };
  /** Throws when the action type is not available. */
  createActionClient(type: string, name: string): GoalClient;
  createActionServer(type: string, name: string, handlers: RosActionServerHandlers): void;
  /**
   * Declares a parameter with its descriptor; returns the value in force (a launch or
   * --params-file override, else the default). Throws when an override does not fit the type or range.
   */
  declareParameter(declaration: ParameterDeclaration): unknown;
  /** Asked before parameters change at run time; refusing keeps the old values. */
  onParametersSet(callback: (changes: ParameterChange[]) => { successful: boolean; reason: string }): void;
  spin(): void;
  destroy(): void;
}

export interface RosApi {
  createNode(name: string, namespace?: string): RosNodeApi;
}
