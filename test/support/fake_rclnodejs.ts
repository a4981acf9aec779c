/**
 * An in-process stand-in for the part of rclnodejs the node uses: Node with publishers,
 * subscriptions, a service, parameters with descriptors and overrides, timers, logging and a
 * clock; QoS, Parameter, ParameterDescriptor, FloatingPointRange, IntegerRange; init/spin/shutdown.
 * It behaves like a tiny ROS graph: topic names are expanded as rcl does ('~/x' -> '/ns/node/x'),
 * messages published to a topic reach every subscription with compatible QoS, and calls the
 * real rclnodejs would reject (duplicate parameter, unknown message package) throw.
 */
import type { Rcl } from '../../src/ros/rcl.js';

export interface PublishedMessage {
  type: string;
  msg: unknown;
}

interface Endpoint {
  node: FakeNode;
  type: string;
  topic: string;
  qos: FakeQoS;
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
];

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

  constructor(options: { customMessagesBuilt?: boolean } = {}) {
    this.packages = new Set(STANDARD_PACKAGES);
    if (options.customMessagesBuilt ?? true) this.packages.add('molmoact_ros');
  }

  /** A message from "another process" on a topic: delivered to every matching subscription. */
  deliver(topic: string, msg: unknown, qos: { durability?: number; reliability?: number } = {}): number {
    let delivered = 0;
    for (const sub of this.subscriptions.filter((s) => s.topic === topic)) {
      // rmw compatibility: a volatile publisher cannot serve a transient-local subscription;
      // a best-effort publisher cannot serve a reliable subscription.
      if (sub.qos.durability === 1 && (qos.durability ?? 2) !== 1) continue;
      if (sub.qos.reliabilityValue === 1 && (qos.reliability ?? 1) !== 1) continue;
      sub.callback(msg);
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

  /** Adds a subscriber count for an output topic (as rviz would). */
  addListener(topic: string): void {
    this.subscriptions.push({
      node: undefined as unknown as FakeNode,
      type: 'any',
      topic,
      qos: new FakeQoS(),
      callback: () => undefined,
    });
  }

  /** The module object the node receives instead of rclnodejs. */
  module(): Rcl {
    const graph = this;
    const mod = {
      Node: class extends FakeNode {
        constructor(name: string, namespace = '') {
          super(graph, name, namespace);
        }
      },
      QoS: FakeQoS,
      Parameter: FakeParameter,
      ParameterDescriptor: FakeParameterDescriptor,
      FloatingPointRange: FakeRange,
      IntegerRange: FakeRange,
      init: async () => undefined,
      spin: () => undefined,
      shutdown: () => undefined,
      isShutdown: () => false,
    };
    return mod as unknown as Rcl;
  }
}

export class FakeQoS {
  constructor(
    readonly history = 0,
    readonly depth = 0,
    readonly reliabilityValue = 0,
    readonly durability = 0,
  ) {}
  reliability(): number {
    return this.reliabilityValue;
  }
}

export class FakeParameter {
  constructor(
    readonly name: string,
    readonly type: number,
    public value: unknown,
  ) {}
}

export class FakeParameterDescriptor {
  constructor(
    readonly name: string,
    readonly type: number,
    readonly description = '',
    readonly readOnly = false,
    readonly range?: FakeRange,
  ) {}
}

export class FakeRange {
  constructor(
    readonly from: number | bigint,
    readonly to: number | bigint,
    readonly step?: number | bigint,
  ) {}
}

export class FakeTimer {
  canceled = false;
  constructor(
    readonly periodNs: bigint,
    readonly callback: () => void,
  ) {}
  cancel(): void {
    this.canceled = true;
  }
}

export class FakeNode {
  readonly parameters = new Map<string, FakeParameter>();
  readonly descriptors = new Map<string, FakeParameterDescriptor>();
  private readonly setCallbacks: ((p: FakeParameter[]) => { successful: boolean; reason: string })[] = [];
  destroyed = false;

  constructor(
    readonly graph: FakeGraph,
    private readonly nodeName: string,
    private readonly nodeNamespace: string,
  ) {}

  name(): string {
    return this.nodeName;
  }

  namespace(): string {
    return this.nodeNamespace;
  }

  /** rcl's expansion: '~/x' is private to the node, 'x' relative to its namespace. */
  resolveTopicName(topic: string): string {
    const ns = this.nodeNamespace.replace(/\/$/, '');
    if (topic.startsWith('~')) return `${ns}/${this.nodeName}${topic.slice(1)}`;
    if (topic.startsWith('/')) return topic;
    return `${ns}/${topic}`;
  }

  private checkType(type: string): void {
    const pkg = type.split('/')[0];
    if (!this.graph.packages.has(pkg)) {
      throw new Error(`The message requested does not exist: ${type} (package ${pkg} not found)`);
    }
  }

  createPublisher(type: string, topic: string, options: { qos: FakeQoS }) {
    this.checkType(type);
    const resolved = this.resolveTopicName(topic);
    this.graph.publishers.push({ node: this, type, topic: resolved, qos: options.qos });
    return {
      topic: resolved,
      publish: (msg: unknown) => {
        const list = this.graph.published.get(resolved) ?? [];
        list.push({ type, msg });
        this.graph.published.set(resolved, list);
      },
    };
  }

  createSubscription(type: string, topic: string, options: { qos: FakeQoS }, callback: (msg: unknown) => void) {
    this.checkType(type);
    const resolved = this.resolveTopicName(topic);
    this.graph.subscriptions.push({ node: this, type, topic: resolved, qos: options.qos, callback });
    return { topic: resolved };
  }

  createService(type: string, name: string, callback: (req: unknown, res: { send(r: unknown): void }) => void) {
    this.checkType(type);
    const resolved = this.resolveTopicName(name);
    this.graph.services.set(resolved, (request) => {
      let reply: unknown;
      callback(request, { send: (r) => (reply = r) });
      return reply;
    });
    return { serviceName: resolved };
  }

  declareParameter(parameter: FakeParameter, descriptor: FakeParameterDescriptor): FakeParameter {
    if (this.parameters.has(parameter.name)) throw new Error(`parameter ${parameter.name} already declared`);
    if (descriptor.name !== parameter.name || descriptor.type !== parameter.type) {
      throw new TypeError(`descriptor of ${parameter.name} does not match the parameter`);
    }
    const value = this.graph.overrides.has(parameter.name) ? this.graph.overrides.get(parameter.name) : parameter.value;
    const declared = new FakeParameter(parameter.name, parameter.type, value);
    this.parameters.set(parameter.name, declared);
    this.descriptors.set(parameter.name, descriptor);
    return declared;
  }

  getParameter(name: string): FakeParameter {
    const p = this.parameters.get(name);
    if (!p) throw new Error(`parameter ${name} not declared`);
    return p;
  }

  addOnSetParametersCallback(callback: (p: FakeParameter[]) => { successful: boolean; reason: string }): void {
    this.setCallbacks.push(callback);
  }

  /** As `ros2 param set`: callbacks may veto; read-only parameters are refused. */
  setParameter(name: string, value: unknown): { successful: boolean; reason: string } {
    const current = this.getParameter(name);
    if (this.descriptors.get(name)?.readOnly) return { successful: false, reason: `${name} is read-only` };
    const proposed = new FakeParameter(name, current.type, value);
    for (const cb of this.setCallbacks) {
      const result = cb([proposed]);
      if (!result.successful) return result;
    }
    current.value = value;
    return { successful: true, reason: '' };
  }

  createTimer(period: bigint, callback: () => void): FakeTimer {
    const timer = new FakeTimer(period, callback);
    this.graph.timers.push(timer);
    return timer;
  }

  countSubscribers(topic: string): number {
    const resolved = this.resolveTopicName(topic);
    return this.graph.subscriptions.filter((s) => s.topic === resolved).length;
  }

  getLogger() {
    const log = (level: string) => (message: string) => {
      this.graph.log.push({ level, message });
      return true;
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), fatal: log('fatal') };
  }

  now() {
    const sec = Math.floor(this.graph.nowSec);
    const nanosec = Math.round((this.graph.nowSec - sec) * 1e9);
    return { toMsg: () => ({ sec, nanosec }) };
  }

  destroy(): void {
    this.destroyed = true;
  }
}
