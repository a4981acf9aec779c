/**
 * An in-process stand-in for a ROS 2 graph behind RosApi (src/apps/ros/ros_api.ts), the interface
 * the node is written against and that src/apps/ros/rclnodejs_api.ts implements over rclnodejs:
 * nodes with publishers, subscriptions, services, parameters with descriptors and overrides,
 * timers, logging and a clock, and action clients with rclnodejs's goal handles (the server side
 * is played by the test through `graph.actionServer(name)`).
 * It behaves like a tiny ROS graph: topic names are expanded as rcl does ('~/x' -> '/ns/node/x'),
 * messages published to a topic reach every subscription with compatible QoS, and calls the
 * real rclnodejs would reject (duplicate parameter, unknown message package) throw. As in
 * rclnodejs, every node has use_sim_time, the newest set-parameters callback is asked first, and a
 * received image's bytes cannot be moved to another thread.
 */
import { markAsUntransferable } from 'node:worker_threads';
import type { Time } from '../../src/core/messages/types.js';
import type {
  ParameterChange,
  ParameterDeclaration,
  QosProfile,
  RosActionServerHandlers,
  RosApi,
  RosLogger,
  RosNodeApi,
  RosPublisher,
  RosServiceClient,
} from '../../src/apps/ros/ros_api.js';

export interface PublishedMessage {
  type: string;
  msg: unknown;
}

interface Endpoint {
  node: FakeNode;
  type: string;
  topic: string;
  qos: QosProfile;
}

interface SubscriptionEndpoint extends Endpoint {
  callback: (msg: unknown) => void;
}

/** Message packages the stand-in "has built"; molmoact_ros can be left out to mimic an unbuilt workspace. */
const STANDARD_PACKAGES = [
  'std_msgs',
  'sensor_msgs',
  'visualization_msgs',
  'trajectory_msgs',
  'diagnostic_msgs',
  'std_srvs',
  'geometry_msgs',
  'control_msgs',
  'tf2_msgs',
];

/**
 * A message as a subscription callback gets it from rclnodejs: a uint8[] field (an image's data)
 * lies in memory the middleware owns, which Node cannot move to another thread.
 */
function asReceived(msg: unknown): unknown {
  const data = (msg as { data?: unknown } | null)?.data;
  if (!(data instanceof Uint8Array)) return msg;
  const owned = new Uint8Array(data);
  markAsUntransferable(owned.buffer);
  return { ...(msg as object), data: owned };
}

export class FakeGraph {
  readonly publishers: Endpoint[] = [];
  readonly subscriptions: SubscriptionEndpoint[] = [];
  readonly services = new Map<string, (request: unknown) => unknown>();
  readonly log: { level: string; message: string }[] = [];
  /** Everything published, by topic. */
  readonly published = new Map<string, PublishedMessage[]>();
  readonly packages: Set<string>;
  /** The ROS clock in seconds; tests move it. */
  nowSec = 1_700_000_000;
  readonly timers: FakeTimer[] = [];
  readonly overrides = new Map<string, unknown>();
  readonly actionServers = new Map<string, FakeActionServer>();
  readonly actionClients: FakeActionClient[] = [];

  /** Timers fire on the event loop at their period (true), or only when a test calls fireTimers(). */
  readonly realTimers: boolean;

  constructor(options: { customMessagesBuilt?: boolean; realTimers?: boolean } = {}) {
    this.realTimers = options.realTimers ?? false;
    this.packages = new Set(STANDARD_PACKAGES);
    if (options.customMessagesBuilt ?? true) this.packages.add('molmoact_ros');
  }

  /** A message from "another process" on a topic: delivered to every matching subscription. */
  deliver(topic: string, msg: unknown, qos: Partial<Omit<QosProfile, 'depth'>> = {}): number {
    let delivered = 0;
    for (const sub of this.subscriptions.filter((s) => s.topic === topic)) {
      // rmw compatibility: a volatile publisher cannot serve a transient-local subscription;
      // a best-effort publisher cannot serve a reliable subscription.
      if (sub.qos.durability === 'transient_local' && (qos.durability ?? 'volatile') !== 'transient_local') continue;
      if (sub.qos.reliability === 'reliable' && (qos.reliability ?? 'reliable') !== 'reliable') continue;
      sub.callback(asReceived(msg));
      delivered++;
    }
    return delivered;
  }

  messages(topic: string): unknown[] {
    return (this.published.get(topic) ?? []).map((p) => p.msg);
  }

  callService(name: string, request: unknown): unknown {
    const handler = this.services.get(name);
    if (!handler) throw new Error(`no service ${name}`);
    return handler(request);
  }

  fireTimers(): void {
    for (const timer of this.timers) if (!timer.canceled) timer.callback();
  }

  /** The action server on `name` (a resolved name), created available on first use; the test plays it. */
  actionServer(name: string): FakeActionServer {
    let server = this.actionServers.get(name);
    if (!server) {
      server = new FakeActionServer(name);
      this.actionServers.set(name, server);
    }
    return server;
  }

  /** Adds a subscriber count for an output topic (as rviz would). */
  addListener(topic: string): void {
    this.subscriptions.push({
      node: undefined as unknown as FakeNode,
      type: 'any',
      topic,
      qos: { depth: 1, reliability: 'reliable', durability: 'volatile' },
      callback: () => undefined,
    });
  }

  /** The RosApi the node receives instead of rclnodejs's. */
  api(): RosApi {
    return { createNode: (name, namespace = '') => new FakeNode(this, name, namespace) };
  }
}

/** What rclnodejs accepts as a value of a parameter of this type (and range). */
function fitsDeclaration(declaration: ParameterDeclaration, value: unknown): boolean {
  const each = (check: (v: unknown) => boolean) => (v: unknown) => (Array.isArray(v) || v instanceof Float64Array) && Array.from(v as ArrayLike<unknown>).every(check);
  const fits: Record<ParameterDeclaration['type'], (v: unknown) => boolean> = {
    bool: (v) => typeof v === 'boolean',
    integer: (v) => Number.isInteger(v),
    double: (v) => typeof v === 'number',
    string: (v) => typeof v === 'string',
    bool_array: each((v) => typeof v === 'boolean'),
    integer_array: each((v) => Number.isInteger(v)),
    double_array: each((v) => typeof v === 'number'),
    string_array: each((v) => typeof v === 'string'),
  };
  if (!fits[declaration.type](value)) return false;
  const range = declaration.range;
  if (!range || typeof value !== 'number') return true;
  return value >= range.min && value <= range.max;
}

export class FakeTimer {
  canceled = false;
  private interval: NodeJS.Timeout | null = null;
  constructor(
    /** The period, in nanoseconds as rcl keeps it. */
    readonly periodNs: bigint,
    readonly callback: () => void,
    /** Fire on the event loop at the period, as rclnodejs's executor does (else only by fireTimers). */
    real = false,
  ) {
    if (real) this.interval = setInterval(() => callback(), Number(periodNs / 1_000_000n));
  }
  cancel(): void {
    this.canceled = true;
    if (this.interval) clearInterval(this.interval);
  }
}

export class FakeNode implements RosNodeApi {
  /** Parameter values in force, by name. */
  readonly parameters = new Map<string, unknown>();
  readonly descriptors = new Map<string, ParameterDeclaration>();
  private readonly setCallbacks: ((changes: ParameterChange[]) => { successful: boolean; reason: string })[] = [];
  destroyed = false;

  constructor(
    readonly graph: FakeGraph,
    private readonly nodeName: string,
    private readonly nodeNamespace: string,
  ) {
    // rclnodejs's TimeSource declares use_sim_time on every node and handles its changes itself.
    this.declareParameter({ name: 'use_sim_time', type: 'bool', value: false, description: '', readOnly: false });
    this.onParametersSet(() => ({ successful: true, reason: '' }));
  }

  name(): string {
    return this.nodeName;
  }

  /** '/ns/name', or '/name' in the root namespace. */
  fullyQualifiedName(): string {
    return `${this.nodeNamespace.replace(/\/$/, '')}/${this.nodeName}`;
  }

  /** rcl's expansion: '~/x' is private to the node, 'x' relative to its namespace. */
  resolveTopicName(topic: string): string {
    const ns = this.nodeNamespace.replace(/\/$/, '');
    if (topic.startsWith('~')) return `${ns}/${this.nodeName}${topic.slice(1)}`;
    if (topic.startsWith('/')) return topic;
    return `${ns}/${topic}`;
  }

  /** As rclnodejs: a type whose package was not built cannot be used. */
  checkType(type: string): void {
    const pkg = type.split('/')[0];
    if (!this.graph.packages.has(pkg)) {
      throw new Error(`The message requested does not exist: ${type} (package ${pkg} not found)`);
    }
  }

  createPublisher<M>(type: string, topic: string, qos: QosProfile): RosPublisher<M> {
    this.checkType(type);
    const resolved = this.resolveTopicName(topic);
    const entry = { node: this, type, topic: resolved, qos };
    this.graph.publishers.push(entry);
    const graph = this.graph;
    return {
      publish: (msg: M) => {
        const list = graph.published.get(resolved) ?? [];
        list.push({ type, msg });
        graph.published.set(resolved, list);
      },
      subscriptionCount: () => graph.subscriptions.filter((s) => s.topic === resolved).length,
      destroy: () => {
        const index = graph.publishers.indexOf(entry);
        if (index >= 0) graph.publishers.splice(index, 1);
      },
    };
  }

  createSubscription<M>(type: string, topic: string, qos: QosProfile, callback: (msg: M) => void): void {
    this.checkType(type);
    const resolved = this.resolveTopicName(topic);
    this.graph.subscriptions.push({ node: this, type, topic: resolved, qos, callback: callback as (msg: unknown) => void });
  }

  createService<Request, Response>(type: string, name: string, handler: (request: Request) => Response): void {
    this.checkType(type);
    this.graph.services.set(this.resolveTopicName(name), (request) => handler(request as Request));
  }

  createClient<Request, Response>(type: string, name: string): RosServiceClient<Request, Response> {
    this.checkType(type);
    const resolved = this.resolveTopicName(name);
    const graph = this.graph;
    return {
      waitForService: async () => graph.services.has(resolved),
      call: async (request) => graph.callService(resolved, request) as Response,
    };
  }

  createTimer(periodSec: number, callback: () => void): FakeTimer {
    const timer = new FakeTimer(BigInt(Math.round(periodSec * 1e9)), callback, this.graph.realTimers);
    this.graph.timers.push(timer);
    return timer;
  }

  createActionClient(type: string, name: string): FakeActionClient {
    return new FakeActionClient(this, type, name);
  }

  /** The simulated robot's action servers are exercised on a real graph only; here they are refused. */
  createActionServer(type: string, name: string, _handlers: RosActionServerHandlers): void {
    throw new Error(`the stand-in graph serves no actions (${type} ${name}): the test plays servers through graph.actionServer()`);
  }

  declareParameter(declaration: ParameterDeclaration): unknown {
    if (this.parameters.has(declaration.name)) throw new Error(`parameter ${declaration.name} already declared`);
    const value = this.graph.overrides.has(declaration.name) ? this.graph.overrides.get(declaration.name) : declaration.value;
    if (!fitsDeclaration(declaration, value)) {
      // rclnodejs 2.2.0's words for an override of another type or outside the range (lib/node.js).
      throw new Error(`Parameter ${declaration.name} does not  readonly`);
    }
    this.parameters.set(declaration.name, value);
    this.descriptors.set(declaration.name, declaration);
    return value;
  }

  /** As rclnodejs: the newest callback is asked first. */
  onParametersSet(callback: (changes: ParameterChange[]) => { successful: boolean; reason: string }): void {
    this.setCallbacks.unshift(callback);
  }

  /** As `ros2 param set`: callbacks may veto; read-only parameters and values of another type are refused. */
  setParameter(name: string, value: unknown): { successful: boolean; reason: string } {
    const declaration = this.descriptors.get(name);
    if (!declaration) throw new Error(`parameter ${name} not declared`);
    if (declaration.readOnly) return { successful: false, reason: `${name} is read-only` };
    if (!fitsDeclaration({ ...declaration, range: undefined }, value)) return { successful: false, reason: `${name}: wrong type` };
    for (const cb of this.setCallbacks) {
      const result = cb([{ name, value }]);
      if (!result.successful) return result;
    }
    this.parameters.set(name, value);
    return { successful: true, reason: '' };
  }

  logger(): RosLogger {
    const log = (level: string) => (message: string) => {
      this.graph.log.push({ level, message });
    };
    return { info: log('info'), warn: log('warn'), error: log('error') };
  }

  now(): Time {
    const sec = Math.floor(this.graph.nowSec);
    return { sec, nanosec: Math.round((this.graph.nowSec - sec) * 1e9) };
  }

  spin(): void {}

  destroy(): void {
    this.destroyed = true;
  }
}

// ---- actions -------------------------------------------------------------------------------

/** action_msgs/msg/GoalStatus values. */
export const GoalStatus = {
  UNKNOWN: 0,
  ACCEPTED: 1,
  EXECUTING: 2,
  CANCELING: 3,
  SUCCEEDED: 4,
  CANCELED: 5,
  ABORTED: 6,
} as const;

/** A promise with its settle functions outside, for answers the test gives later. */
interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** One goal as the server received it. */
export class FakeServerGoal {
  /** null until the server answered; then whether it accepted. */
  accepted: boolean | null = null;
  status: number = GoalStatus.UNKNOWN;
  cancelRequested = false;
  result: unknown = undefined;
  /** Set by `failResult`: the result request fails with it. */
  resultError: unknown = undefined;
  readonly resultWaiters: Pending<unknown>[] = [];

  constructor(
    readonly id: number,
    readonly goal: unknown,
    readonly feedbackCallback: ((feedback: unknown) => void) | undefined,
    readonly response: Pending<FakeClientGoalHandle>,
    readonly client: FakeActionClient,
  ) {}

  get done(): boolean {
    return this.status >= GoalStatus.SUCCEEDED;
  }
}

/**
 * The server end of one action name, driven by the test: whether it is up, how it answers goals,
 * feedback, results. Answers reach the client asynchronously, as through the executor.
 */
export class FakeActionServer {
  available = true;
  /** How new goals are answered: accepted or rejected at once, or left for `respond`. */
  answer: 'accept' | 'reject' | 'manual' = 'accept';
  /** Whether a cancel request ends a running goal as CANCELED at once (as joint_trajectory_controller does). */
  honourCancel = true;
  /** The result a goal ended by a cancel request gets. */
  canceledResult: unknown = {};
  readonly goals: FakeServerGoal[] = [];
  private failNextGoalWith: unknown = undefined;

  constructor(readonly name: string) {}

  /** The goals whose cancellation was asked for. */
  get canceled(): FakeServerGoal[] {
    return this.goals.filter((g) => g.cancelRequested);
  }

  /** The newest goal (throws when there is none). */
  get last(): FakeServerGoal {
    const goal = this.goals.at(-1);
    if (!goal) throw new Error(`no goal received on ${this.name}`);
    return goal;
  }

  /** The next goal request fails on the client side (its sendGoal promise rejects). */
  failNextGoal(error: unknown): void {
    this.failNextGoalWith = error;
  }

  /** Called by the client. */
  receive(goal: FakeServerGoal): void {
    this.goals.push(goal);
    if (this.failNextGoalWith !== undefined) {
      const error = this.failNextGoalWith;
      this.failNextGoalWith = undefined;
      goal.accepted = false;
      queueMicrotask(() => goal.response.reject(error));
      return;
    }
    if (this.answer !== 'manual') this.respond(goal, this.answer === 'accept');
  }

  /** Answers a goal request: accepted goals start executing. */
  respond(goal: FakeServerGoal, accepted: boolean): void {
    if (goal.accepted !== null) throw new Error(`goal ${goal.id} was already answered`);
    goal.accepted = accepted;
    goal.status = accepted ? GoalStatus.EXECUTING : GoalStatus.UNKNOWN;
    const handle = new FakeClientGoalHandle(goal, accepted);
    queueMicrotask(() => goal.response.resolve(handle));
  }

  /** Sends feedback to the client of an executing goal (rclnodejs hands it over as a plain object). */
  feedback(goal: FakeServerGoal, feedback: unknown): void {
    if (goal.status !== GoalStatus.EXECUTING && goal.status !== GoalStatus.CANCELING) {
      throw new Error(`goal ${goal.id} is not executing`);
    }
    goal.feedbackCallback?.(feedback);
  }

  /** Ends a goal with a terminal status and its result. */
  finish(goal: FakeServerGoal, status: number, result: unknown): void {
    if (status < GoalStatus.SUCCEEDED) throw new Error(`status ${status} is not terminal`);
    if (goal.done) throw new Error(`goal ${goal.id} already ended`);
    goal.status = status;
    goal.result = result;
    const waiters = goal.resultWaiters.splice(0);
    queueMicrotask(() => waiters.forEach((w) => w.resolve(result)));
  }

  succeed(goal: FakeServerGoal, result: unknown): void {
    this.finish(goal, GoalStatus.SUCCEEDED, result);
  }

  abort(goal: FakeServerGoal, result: unknown): void {
    this.finish(goal, GoalStatus.ABORTED, result);
  }

  /** The client's result requests for this goal fail (e.g. the server went away). */
  failResult(goal: FakeServerGoal, error: unknown): void {
    goal.resultError = error;
    const waiters = goal.resultWaiters.splice(0);
    queueMicrotask(() => waiters.forEach((w) => w.reject(error)));
  }
}

/** rclnodejs's ClientGoalHandle: the client's view of one answered goal. */
export class FakeClientGoalHandle {
  constructor(
    private readonly goal: FakeServerGoal,
    private readonly wasAccepted: boolean,
  ) {}

  get goalId(): { uuid: number[] } {
    return { uuid: [this.goal.id] };
  }

  /** Deprecated in rclnodejs in favour of isAccepted(), still there. */
  get accepted(): boolean {
    return this.wasAccepted;
  }

  isAccepted(): boolean {
    return this.wasAccepted;
  }

  get status(): number {
    return this.goal.status;
  }

  isExecuting(): boolean {
    return this.status === GoalStatus.EXECUTING;
  }

  isCanceling(): boolean {
    return this.status === GoalStatus.CANCELING;
  }

  isSucceeded(): boolean {
    return this.status === GoalStatus.SUCCEEDED;
  }

  isCanceled(): boolean {
    return this.status === GoalStatus.CANCELED;
  }

  isAborted(): boolean {
    return this.status === GoalStatus.ABORTED;
  }

  /** Resolves with an action_msgs/srv/CancelGoal response (return_code 0: accepted, 3: already ended). */
  cancelGoal(): Promise<{ return_code: number; goals_canceling: unknown[] }> {
    const goal = this.goal;
    goal.cancelRequested = true;
    const server = goal.client.graph.actionServer(goal.client.actionName);
    if (goal.done) return Promise.resolve({ return_code: 3, goals_canceling: [] });
    if (server.honourCancel) server.finish(goal, GoalStatus.CANCELED, server.canceledResult);
    else goal.status = GoalStatus.CANCELING;
    return Promise.resolve({ return_code: 0, goals_canceling: [{ goal_id: this.goalId }] });
  }

  /** Resolves with the result (not the GetResult response) once the goal has ended. */
  getResult(): Promise<unknown> {
    const goal = this.goal;
    if (goal.resultError !== undefined) return Promise.reject(goal.resultError);
    if (goal.done) return Promise.resolve(goal.result);
    return new Promise((resolve, reject) => goal.resultWaiters.push({ resolve, reject }));
  }
}

/** An action client, with rclnodejs's client goal handles. */
export class FakeActionClient {
  readonly graph: FakeGraph;
  readonly actionName: string;
  destroyed = false;
  private static nextGoalId = 1;

  constructor(
    node: FakeNode,
    readonly typeClass: string,
    actionName: string,
  ) {
    node.checkType(typeClass);
    this.graph = node.graph;
    this.actionName = node.resolveTopicName(actionName);
    this.graph.actionClients.push(this);
  }

  isActionServerAvailable(): boolean {
    return this.graph.actionServers.get(this.actionName)?.available ?? false;
  }

  async waitForServer(timeout?: number): Promise<boolean> {
    const deadline = timeout !== undefined && timeout >= 0 ? Date.now() + timeout : Infinity;
    while (!this.isActionServerAvailable() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.isActionServerAvailable();
  }

  /** As rclnodejs: without a server the request is sent into the void and the promise never settles. */
  sendGoal(goal: unknown, feedbackCallback?: (feedback: unknown) => void): Promise<FakeClientGoalHandle> {
    if (this.destroyed) throw new Error(`action client ${this.actionName} was destroyed`);
    return new Promise((resolve, reject) => {
      if (!this.isActionServerAvailable()) return;
      const serverGoal = new FakeServerGoal(FakeActionClient.nextGoalId++, goal, feedbackCallback, { resolve, reject }, this);
      this.graph.actionServer(this.actionName).receive(serverGoal);
    });
  }

  destroy(): void {
    this.destroyed = true;
  }
}
