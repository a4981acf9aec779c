/**
 * RosApi (ros_api.ts) over rclnodejs: the one place that speaks rclnodejs's own API, type-checked
 * against its declarations. Where the node names a message type by a string that rclnodejs's
 * generated declarations may not list (they list what the ROS install had when they were
 * generated, and this package's own types appear only once colcon has built it), the name goes
 * in as rclnodejs's TypeClass and rclnodejs checks it at run time.
 *
 * What it adds to rclnodejs: QoS from plain profiles; parameters declared from the schema's types
 * (integers travel as bigint in rclnodejs); messages handed over as plain objects; a publisher's
 * subscription count read the way rclnodejs 2.2.0 implements it.
 */
import type * as rclnodejs from 'rclnodejs';
import type { Time } from '../../core/messages/types.js';
import type { ParameterSpec } from '../../config/schema.js';
import type { GoalClient } from '../../pipeline/outputs/transport.js';
import type { Rcl } from './rcl.js';
import type {
  ParameterChange,
  ParameterDeclaration,
  QosProfile,
  RosActionServerHandlers,
  RosApi,
  RosNodeApi,
  RosPublisher,
  RosServerGoal,
  RosServiceClient,
} from './ros_api.js';

type AnyMessage = rclnodejs.TypeClass<rclnodejs.MessageTypeClassName>;
type AnyService = rclnodejs.TypeClass<rclnodejs.ServiceTypeClassName>;
type AnyAction = rclnodejs.TypeClass<rclnodejs.ActionTypeClassName>;

/** rcl_interfaces/msg/ParameterType values, by schema type. */
const PARAMETER_TYPE: Record<ParameterSpec['type'], number> = {
  bool: 1,
  integer: 2,
  double: 3,
  string: 4,
  bool_array: 6,
  integer_array: 7,
  double_array: 8,
  string_array: 9,
};

// rmw policy values (rmw/types.h); rclnodejs's QoS constructor takes them as numbers.
const KEEP_LAST = 1;
const RELIABILITY = { reliable: 1, best_effort: 2 } as const;
const DURABILITY = { transient_local: 1, volatile: 2 } as const;

export function rclnodejsApi(rcl: Rcl): RosApi {
  return { createNode: (name, namespace = '') => new RclNode(rcl, new rcl.Node(name, namespace)) };
}

class RclNode implements RosNodeApi {
  constructor(
    private readonly rcl: Rcl,
    readonly node: rclnodejs.Node,
  ) {}

  name(): string {
    return this.node.name();
  }

  fullyQualifiedName(): string {
    return this.node.getFullyQualifiedName();
  }

  resolveTopicName(topic: string): string {
    return this.node.resolveTopicName(topic);
  }

  now(): Time {
    return this.node.now().toMsg() as Time;
  }

  logger() {
    return this.node.getLogger();
  }

  createPublisher<M>(type: string, topic: string, qos: QosProfile): RosPublisher<M> {
    const publisher = this.node.createPublisher(type as AnyMessage, topic, { qos: this.qos(qos) });
    return {
      publish: (msg: M) => publisher.publish(msg as rclnodejs.MessageType<AnyMessage>),
      subscriptionCount: () => {
        // rclnodejs 2.2.0 implements subscriptionCount as a getter, while its .d.ts declares a method.
        const count = (publisher as unknown as { subscriptionCount: number | (() => number) }).subscriptionCount;
        return typeof count === 'function' ? count.call(publisher) : count;
      },
      destroy: () => this.node.destroyPublisher(publisher),
    };
  }

  createSubscription<M>(type: string, topic: string, qos: QosProfile, callback: (msg: M) => void): void {
    this.node.createSubscription(type as AnyMessage, topic, { qos: this.qos(qos) }, (msg: unknown) => callback(plain(msg) as M));
  }

  createService<Request, Response>(type: string, name: string, handler: (request: Request) => Response): void {
    this.node.createService(type as AnyService, name, (request, response) => {
      response.send(handler(plain(request) as Request) as rclnodejs.ServiceResponseMessage<AnyService>);
    });
  }

  createClient<Request, Response>(type: string, name: string): RosServiceClient<Request, Response> {
    const client = this.node.createClient(type as AnyService, name);
    return {
      waitForService: (timeoutMs) => client.waitForService(timeoutMs),
      call: (request) =>
        new Promise<Response>((resolve) =>
          client.sendRequest(request as rclnodejs.ServiceRequestMessage<AnyService>, (response) => resolve(plain(response) as Response)),
        ),
    };
  }

  createTimer(periodSec: number, callback: () => void): { cancel(): void } {
    return this.node.createTimer(BigInt(Math.round(periodSec * 1e9)), callback);
  }

  createActionClient(type: string, name: string): GoalClient {
    const client = new this.rcl.ActionClient<AnyAction>(this.node, type as AnyAction, name);
    return {
      isActionServerAvailable: () => client.isActionServerAvailable(),
      sendGoal: (goal, feedback) => client.sendGoal(goal as rclnodejs.ActionGoal<AnyAction>, feedback),
      destroy: () => client.destroy(),
    };
  }

  createActionServer(type: string, name: string, handlers: RosActionServerHandlers): void {
    const goals = new Map<rclnodejs.ServerGoalHandle<AnyAction>, RosServerGoal>();
    const goalOf = (handle: rclnodejs.ServerGoalHandle<AnyAction>): RosServerGoal => {
      let goal = goals.get(handle);
      if (!goal) {
        goal = {
          // In rclnodejs 2.2.0 the request is a wrapper: its nested arrays read right only as a plain object.
          request: plain(handle.request) as Record<string, unknown>,
          execute: () => handle.execute(),
          succeed: () => handle.succeed(),
          canceled: () => handle.canceled(),
          abort: () => handle.abort(),
        };
        goals.set(handle, goal);
      }
      return goal;
    };
    new this.rcl.ActionServer<AnyAction>(
      this.node,
      type as AnyAction,
      name,
      async (handle) => {
        const result = await handlers.execute(goalOf(handle));
        goals.delete(handle);
        return result as rclnodejs.ActionResult<AnyAction>;
      },
      undefined,
      (handle) => handlers.accepted(goalOf(handle)),
      (handle) => {
        if (handle) handlers.cancel(goalOf(handle));
        return this.rcl.CancelResponse.ACCEPT;
      },
    );
  }

  declareParameter(declaration: ParameterDeclaration): unknown {
    const rcl = this.rcl;
    const type = PARAMETER_TYPE[declaration.type] as rclnodejs.ParameterType;
    let range: rclnodejs.Range | undefined;
    if (declaration.range && declaration.type === 'double') {
      range = new rcl.FloatingPointRange(declaration.range.min, declaration.range.max, 0);
    } else if (declaration.range && declaration.type === 'integer') {
      range = new rcl.IntegerRange(BigInt(declaration.range.min), BigInt(declaration.range.max), 1n) as unknown as rclnodejs.Range;
    }
    const descriptor = new rcl.ParameterDescriptor(declaration.name, type, declaration.description, declaration.readOnly, range);
    const declared = this.node.declareParameter(new rcl.Parameter(declaration.name, type, toRos(declaration.type, declaration.value)), descriptor);
    return fromRos(declared.value);
  }

  onParametersSet(callback: (changes: ParameterChange[]) => { successful: boolean; reason: string }): void {
    this.node.addOnSetParametersCallback((parameters) => callback(parameters.map((p) => ({ name: p.name, value: fromRos(p.value) }))));
  }

  spin(): void {
    this.node.spin();
  }

  destroy(): void {
    this.node.destroy();
  }

  private qos(profile: QosProfile): rclnodejs.QoS {
    return new this.rcl.QoS(
      KEEP_LAST as rclnodejs.QoS.HistoryPolicy,
      profile.depth,
      RELIABILITY[profile.reliability] as rclnodejs.QoS.ReliabilityPolicy,
      DURABILITY[profile.durability] as rclnodejs.QoS.DurabilityPolicy,
    );
  }
}

/** rclnodejs carries integer parameters as bigint. */
function toRos(type: ParameterSpec['type'], value: unknown): unknown {
  if (type === 'integer') return BigInt(value as number);
  if (type === 'integer_array') return (value as number[]).map((v) => BigInt(v));
  return value;
}

/** Integers as numbers, typed arrays as plain arrays: what the schema checks. */
function fromRos(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** rclnodejs hands some messages over as objects with toPlainObject(). */
function plain(value: unknown): unknown {
  const v = value as { toPlainObject?: () => unknown } | null;
  return v && typeof v.toPlainObject === 'function' ? v.toPlainObject() : value;
}
