/**
 * How a finished, already checked command reaches the arm (and the gripper). Three arm
 * interfaces:
 *
 *  - joint_trajectory: trajectory_msgs/JointTrajectory on a topic (ros2_control's
 *    joint_trajectory_controller); fire and forget.
 *  - follow_joint_trajectory: control_msgs/action/FollowJointTrajectory goals, one per command,
 *    the previous goal cancelled; outcomes and tracking error are counted for /diagnostics.
 *  - joint_state_command: sensor_msgs/JointState positions sampled from the trajectory and
 *    streamed at a fixed rate (simulators such as Isaac Sim's ROS 2 bridge take these).
 *
 * Nothing here checks a command: it is sent as it comes.
 */
import type * as rclnodejs from 'rclnodejs';
import { sampleTrajectory, trajectoryDuration } from '../control/trajectory_sampler.js';
import { buildJointTrajectory, makeHeader } from '../messages/builders.js';
import { durationFromSeconds, timeFromSeconds, toSeconds } from '../messages/time.js';
import type { JointState, JointTrajectory } from '../messages/types.js';
import type { Rcl } from './rcl.js';

export type StatusValues = Record<string, string | number | boolean>;
export type OutputLog = (level: 'info' | 'warn', msg: string) => void;

export interface ControllerOutput {
  /**
   * Sends a checked trajectory (zero header stamp = start on receipt); replaces whatever runs.
   * `start` and `startVelocity` (default: at rest) are the arm's state the trajectory was planned
   * and checked from. False when it could not go out (e.g. no action server).
   */
  send(trajectory: JointTrajectory, start: ArrayLike<number>, startVelocity?: ArrayLike<number>): boolean;
  /**
   * Stops the arm: `hold` (a trajectory to rest, control/stop_trajectory.ts) on the topic and as
   * the next goal on the action, or the end of the stream at the measured `positions`. Either is
   * null when no fresh joint state says where the arm is: the topic then sends nothing and the
   * running trajectory ends at rest by itself, rather than pulling the arm back to an old position,
   * and the action cancels its goal.
   */
  stop(hold: JointTrajectory | null, positions: ArrayLike<number> | null): void;
  /** Counters and last outcome for /diagnostics (flat key -> string | number | boolean; unprefixed, the node adds one). */
  readonly status: StatusValues;
  /** Joints streamed with every arm message (joint_state_command only), e.g. a gripper's. */
  setExtraJoints?(names: string[], positions: number[]): void;
  dispose(): void;
}

export type ArmInterface = 'joint_trajectory' | 'follow_joint_trajectory' | 'joint_state_command';

export interface ControllerOutputOptions {
  interface: ArmInterface;
  /** JointTrajectory topic (joint_trajectory). */
  topic: string;
  /** FollowJointTrajectory action name (follow_joint_trajectory). */
  action: string;
  /** JointState command topic (joint_state_command). */
  jointCommandTopic: string;
  /** Stream rate (joint_state_command). */
  rateHz: number;
  qos: rclnodejs.QoS;
  /** The node's clock, in seconds. */
  now: () => number;
  log: OutputLog;
}

/** Throws when the message or action package is missing (e.g. control_msgs not installed). */
export function createControllerOutput(rcl: Rcl, node: rclnodejs.Node, options: ControllerOutputOptions): ControllerOutput {
  switch (options.interface) {
    case 'joint_trajectory':
      return new TopicTrajectoryOutput(node, options);
    case 'follow_joint_trajectory':
      return new ActionTrajectoryOutput(rcl, node, options);
    case 'joint_state_command':
      return new JointStateStreamOutput(node, options);
    default:
      throw new Error(`unknown controller interface "${String(options.interface)}"`);
  }
}

// ---- arm: topic --------------------------------------------------------------------------

export class TopicTrajectoryOutput implements ControllerOutput {
  private readonly publish: (msg: JointTrajectory) => void;
  private sent = 0;

  constructor(node: rclnodejs.Node, options: Pick<ControllerOutputOptions, 'topic' | 'qos'>) {
    this.publish = publisher(node, 'trajectory_msgs/msg/JointTrajectory', options.topic, options.qos);
  }

  private jointNames: string[] = [];

  send(trajectory: JointTrajectory): boolean {
    this.publish(trajectory);
    this.jointNames = [...trajectory.joint_names];
    this.sent++;
    return true;
  }

  /**
   * joint_trajectory_controller has no cancel on its topic and rejects an empty trajectory, so the
   * arm is stopped by a trajectory to rest, which replaces the running one.
   */
  stop(hold: JointTrajectory | null): void {
    if (this.sent === 0 || !hold) return;
    const positions = hold.points.flatMap((p) => p.positions);
    if (hold.joint_names.join(',') !== this.jointNames.join(',') || !positions.every(Number.isFinite)) return;
    this.publish(hold);
    this.holds++;
  }

  private holds = 0;

  get status(): StatusValues {
    return { interface: 'joint_trajectory', trajectories_sent: this.sent, holds_sent: this.holds };
  }

  dispose(): void {}
}

// ---- arm: FollowJointTrajectory action ---------------------------------------------------

export class ActionTrajectoryOutput implements ControllerOutput {
  private readonly goals: ActionGoals;
  private lastErrorCode: number | null = null;
  private lastErrorString = '';
  private lastFeedbackMaxError: number | null = null;

  constructor(rcl: Rcl, node: rclnodejs.Node, options: Pick<ControllerOutputOptions, 'action' | 'log'>) {
    const client = actionClient(rcl, node, 'control_msgs/action/FollowJointTrajectory', options.action);
    this.goals = new ActionGoals(client, options.action, options.log, {
      onFeedback: (feedback) => {
        const errors = numbers(field(field(feedback, 'error'), 'positions'));
        if (errors.length > 0) this.lastFeedbackMaxError = Math.max(...errors.map(Math.abs));
      },
      onResult: (result) => {
        const code = field(result, 'error_code');
        if (typeof code === 'number') this.lastErrorCode = code;
        const text = field(result, 'error_string');
        if (typeof text === 'string') this.lastErrorString = text;
      },
    });
  }

  send(trajectory: JointTrajectory): boolean {
    // Only the fields every control_msgs release has; rclnodejs gives the others (the multi-DOF
    // trajectory and component tolerances of newer releases) their defaults. Empty tolerances
    // and a zero goal time tolerance leave the controller's configured ones in force.
    return this.goals.send({
      trajectory,
      path_tolerance: [],
      goal_tolerance: [],
      goal_time_tolerance: { sec: 0, nanosec: 0 },
    });
  }

  /**
   * The trajectory to rest as a new goal, which replaces the running one (the running goal is
   * cancelled once it is accepted, as for every new goal). Without one, the running goal is
   * cancelled, and joint_trajectory_controller holds the arm where it is at once.
   */
  stop(hold: JointTrajectory | null): void {
    if (hold && this.goals.running && this.send(hold)) return;
    this.goals.cancel();
  }

  get status(): StatusValues {
    const values: StatusValues = { interface: 'follow_joint_trajectory', ...this.goals.status() };
    if (this.lastErrorCode !== null) values.last_error_code = this.lastErrorCode;
    values.last_error_string = this.lastErrorString;
    if (this.lastFeedbackMaxError !== null) values.last_feedback_max_error = this.lastFeedbackMaxError;
    return values;
  }

  dispose(): void {
    this.goals.dispose();
  }
}

// ---- arm: JointState stream --------------------------------------------------------------

interface RunningTrajectory {
  trajectory: JointTrajectory;
  start: Float64Array;
  startVelocity: Float64Array | undefined;
  startSec: number;
  durationSec: number;
}

export class JointStateStreamOutput implements ControllerOutput {
  private readonly publish: (msg: JointState) => void;
  private readonly timer: rclnodejs.Timer;
  private readonly now: () => number;
  private readonly log: OutputLog;
  private running: RunningTrajectory | null = null;
  /** The arm's last streamed command, held (and sent with changed extra joints) between trajectories. */
  private hold: { names: string[]; positions: number[] } | null = null;
  private extra: { names: string[]; positions: number[] } = { names: [], positions: [] };
  private extraChanged = false;
  private sent = 0;
  private published = 0;
  private failures = 0;
  private lastFailure = '';

  constructor(node: rclnodejs.Node, options: Pick<ControllerOutputOptions, 'jointCommandTopic' | 'rateHz' | 'qos' | 'now' | 'log'>) {
    if (!(Number.isFinite(options.rateHz) && options.rateHz > 0)) {
      throw new Error(`joint command rate: expected a positive number of Hz, got ${options.rateHz}`);
    }
    this.now = options.now;
    this.log = options.log;
    this.publish = publisher(node, 'sensor_msgs/msg/JointState', options.jointCommandTopic, options.qos);
    const periodNs = BigInt(Math.round(1e9 / options.rateHz));
    this.timer = node.createTimer(periodNs, () => this.tick());
  }

  send(trajectory: JointTrajectory, start: ArrayLike<number>, startVelocity?: ArrayLike<number>): boolean {
    const startPositions = Float64Array.from(start);
    const startVelocities = startVelocity ? Float64Array.from(startVelocity) : undefined;
    // Checks the sizes now, so that a bad trajectory throws here and the running one goes on.
    sampleTrajectory(trajectory, startPositions, 0, { startVelocity: startVelocities });
    const stamp = trajectory.header.stamp;
    this.running = {
      trajectory,
      start: startPositions,
      // The streamed motion leaves the arm as the SafetyGuard checked it: at its measured velocity.
      startVelocity: startVelocities,
      startSec: stamp.sec === 0 && stamp.nanosec === 0 ? this.now() : toSeconds(stamp),
      durationSec: trajectoryDuration(trajectory),
    };
    this.sent++;
    return true;
  }

  /** Ends the stream; the next tick commands the measured positions once, so the arm stays there. */
  stop(_hold: JointTrajectory | null, positions: ArrayLike<number> | null): void {
    const names = this.running?.trajectory.joint_names ?? this.hold?.names;
    this.running = null;
    if (names && positions && positions.length === names.length && Array.from(positions).every(Number.isFinite)) {
      this.hold = { names: [...names], positions: Array.from(positions) };
      this.extraChanged = true;
    }
  }

  setExtraJoints(names: string[], positions: number[]): void {
    if (names.length !== positions.length) {
      throw new Error(`extra joints: ${names.length} names but ${positions.length} positions`);
    }
    this.extra = { names: [...names], positions: [...positions] };
    // Between trajectories nothing is streamed; the next tick sends the change once.
    this.extraChanged = true;
  }

  get status(): StatusValues {
    return {
      interface: 'joint_state_command',
      trajectories_sent: this.sent,
      commands_published: this.published,
      streaming: this.running !== null,
      failures: this.failures,
      last_failure: this.lastFailure,
    };
  }

  dispose(): void {
    this.running = null;
    this.timer.cancel();
  }

  private tick(): void {
    // A timer callback that throws would take the executor down.
    try {
      const nowSec = this.now();
      const running = this.running;
      if (running) {
        const elapsed = nowSec - running.startSec;
        const positions = Array.from(
          sampleTrajectory(running.trajectory, running.start, elapsed, { withinSegment: true, startVelocity: running.startVelocity }),
        );
        this.hold = { names: running.trajectory.joint_names, positions };
        // The tick at or after the end sends the last point (the sample is clamped there) and stops.
        if (elapsed >= running.durationSec) this.running = null;
      } else if (!this.extraChanged) {
        return;
      }
      this.extraChanged = false;
      this.publishCommand(nowSec);
    } catch (err) {
      this.failures++;
      const message = (err as Error).message;
      if (message !== this.lastFailure) this.log('warn', `joint command not streamed: ${message}`);
      this.lastFailure = message;
    }
  }

  private publishCommand(nowSec: number): void {
    const arm = this.hold ?? { names: [], positions: [] };
    // Plain arrays: rclnodejs copies them into the message's float64 sequence as they are.
    this.publish({
      header: makeHeader(timeFromSeconds(nowSec), ''),
      name: [...arm.names, ...this.extra.names],
      position: [...arm.positions, ...this.extra.positions],
      velocity: [],
      effort: [],
    });
    this.published++;
  }
}

// ---- gripper -----------------------------------------------------------------------------

export interface GripperOutput {
  /** Sends the gripper command when the open/closed state changed (or on the first command). */
  send(closed: boolean, position: number, jointPositions: { names: string[]; positions: number[] }): void;
  readonly status: StatusValues;
  dispose(): void;
}

export type GripperOutputInterface = 'none' | 'joint_trajectory' | 'gripper_command' | 'joint_state_command';

export interface GripperOutputOptions {
  interface: GripperOutputInterface;
  /** JointTrajectory topic (joint_trajectory). */
  topic: string;
  /** GripperCommand action name (gripper_command). */
  action: string;
  /** Time given to reach the target (joint_trajectory). */
  moveTimeSec: number;
  /** GripperCommand max_effort (gripper_command): the controller's effort limit for the command; 0 is no force. */
  maxEffort: number;
  qos: rclnodejs.QoS;
  /** The arm's stream output, which carries the gripper joints (joint_state_command). */
  stream?: ControllerOutput | null;
  log: OutputLog;
}

/** null for 'none'. Throws when the interface cannot work (a missing package, no arm stream). */
export function createGripperOutput(rcl: Rcl, node: rclnodejs.Node, options: GripperOutputOptions): GripperOutput | null {
  switch (options.interface) {
    case 'none':
      return null;
    case 'joint_trajectory':
      return new GripperTrajectoryOutput(node, options);
    case 'gripper_command':
      return new GripperActionOutput(rcl, node, options);
    case 'joint_state_command':
      return new GripperStreamOutput(options);
    default:
      throw new Error(`unknown gripper interface "${String(options.interface)}"`);
  }
}

/** Sends only state changes: re-sending the same target every chunk would restart the gripper's motion. */
abstract class ChangeOnlyGripper implements GripperOutput {
  private closed: boolean | null = null;
  protected commandsSent = 0;

  send(closed: boolean, position: number, joints: { names: string[]; positions: number[] }): void {
    if (closed === this.closed) return;
    if (joints.names.length !== joints.positions.length) {
      throw new Error(`gripper joints: ${joints.names.length} names but ${joints.positions.length} positions`);
    }
    // A command that could not go out (no server) is tried again with the next one.
    if (!this.deliver(position, joints)) return;
    this.closed = closed;
    this.commandsSent++;
  }

  get status(): StatusValues {
    return {
      commands_sent: this.commandsSent,
      state: this.closed === null ? 'unknown' : this.closed ? 'closed' : 'open',
      ...this.extraStatus(),
    };
  }

  dispose(): void {}

  protected abstract deliver(position: number, joints: { names: string[]; positions: number[] }): boolean;

  protected extraStatus(): StatusValues {
    return {};
  }
}

class GripperTrajectoryOutput extends ChangeOnlyGripper {
  private readonly publish: (msg: JointTrajectory) => void;
  private readonly moveTimeSec: number;

  constructor(node: rclnodejs.Node, options: GripperOutputOptions) {
    super();
    if (!(Number.isFinite(options.moveTimeSec) && options.moveTimeSec > 0)) {
      throw new Error(`gripper move time: expected a positive number of seconds, got ${options.moveTimeSec}`);
    }
    this.moveTimeSec = options.moveTimeSec;
    this.publish = publisher(node, 'trajectory_msgs/msg/JointTrajectory', options.topic, options.qos);
  }

  protected deliver(_position: number, joints: { names: string[]; positions: number[] }): boolean {
    this.publish({
      header: makeHeader({ sec: 0, nanosec: 0 }, ''),
      joint_names: [...joints.names],
      points: [
        {
          positions: [...joints.positions],
          velocities: [],
          accelerations: [],
          effort: [],
          time_from_start: durationFromSeconds(this.moveTimeSec),
        },
      ],
    });
    return true;
  }

  protected override extraStatus(): StatusValues {
    return { interface: 'joint_trajectory' };
  }
}

class GripperActionOutput extends ChangeOnlyGripper {
  private readonly goals: ActionGoals;
  private readonly maxEffort: number;
  private lastReachedGoal: boolean | null = null;
  private lastStalled: boolean | null = null;

  constructor(rcl: Rcl, node: rclnodejs.Node, options: GripperOutputOptions) {
    super();
    this.maxEffort = options.maxEffort;
    const client = actionClient(rcl, node, 'control_msgs/action/GripperCommand', options.action);
    this.goals = new ActionGoals(client, options.action, options.log, {
      onResult: (result) => {
        const reached = field(result, 'reached_goal');
        if (typeof reached === 'boolean') this.lastReachedGoal = reached;
        const stalled = field(result, 'stalled');
        if (typeof stalled === 'boolean') this.lastStalled = stalled;
      },
    });
  }

  protected deliver(position: number): boolean {
    return this.goals.send({ command: { position, max_effort: this.maxEffort } });
  }

  protected override extraStatus(): StatusValues {
    const values: StatusValues = { interface: 'gripper_command', ...this.goals.status() };
    if (this.lastReachedGoal !== null) values.last_reached_goal = this.lastReachedGoal;
    if (this.lastStalled !== null) values.last_stalled = this.lastStalled;
    return values;
  }

  override dispose(): void {
    this.goals.dispose();
  }
}

class GripperStreamOutput extends ChangeOnlyGripper {
  private readonly stream: ControllerOutput;

  constructor(options: GripperOutputOptions) {
    super();
    if (!options.stream?.setExtraJoints) {
      throw new Error('gripper_interface joint_state_command streams with the arm: it needs controller_interface joint_state_command');
    }
    this.stream = options.stream;
  }

  protected deliver(_position: number, joints: { names: string[]; positions: number[] }): boolean {
    this.stream.setExtraJoints!(joints.names, joints.positions);
    return true;
  }

  protected override extraStatus(): StatusValues {
    return { interface: 'joint_state_command' };
  }
}

// ---- action goals ------------------------------------------------------------------------

/** action_msgs/msg/GoalStatus values. */
const GoalStatus = { SUCCEEDED: 4, CANCELED: 5, ABORTED: 6 } as const;

/** The part of rclnodejs's ClientGoalHandle used here. */
interface GoalHandle {
  isAccepted(): boolean;
  readonly status: number;
  cancelGoal(): Promise<unknown>;
  getResult(): Promise<unknown>;
}

/** The part of rclnodejs's ActionClient used here, without the per-action typing. */
interface GoalClient {
  isActionServerAvailable(): boolean;
  sendGoal(goal: object, feedback: (feedback: unknown) => void): Promise<GoalHandle>;
  destroy(): void;
}

type AnyActionType = rclnodejs.TypeClass<rclnodejs.ActionTypeClassName>;

function actionClient(rcl: Rcl, node: rclnodejs.Node, type: string, name: string): GoalClient {
  // The generated declarations may not know the action (they list what the ROS install had when
  // they were generated), so the type name goes in untyped and goals are checked by rclnodejs.
  const client = new rcl.ActionClient<AnyActionType>(node, type as AnyActionType, name);
  return {
    isActionServerAvailable: () => client.isActionServerAvailable(),
    sendGoal: (goal, feedback) => client.sendGoal(goal, feedback),
    destroy: () => client.destroy(),
  };
}

interface GoalEntry {
  handle: GoalHandle | null;
  cancelRequested: boolean;
  done: boolean;
  /** The goal this one replaces: cancelled once this one is accepted. */
  replaces: GoalEntry | null;
}

/**
 * One goal at a time on an action: a new goal cancels the previous one. Every promise is
 * handled here, so a failing server shows up in the counters, never as an unhandled rejection.
 */
class ActionGoals {
  private active: GoalEntry | null = null;
  /** The goal sent last: only its outcome, result and feedback are reported (older ones were replaced). */
  private latest: GoalEntry | null = null;
  private serverMissing = false;
  private lastOutcome = 'none';
  private lastFailure = '';
  private readonly counts = {
    goals_sent: 0,
    goals_accepted: 0,
    goals_rejected: 0,
    goals_succeeded: 0,
    goals_aborted: 0,
    goals_canceled: 0,
    server_unavailable: 0,
    failures: 0,
  };

  constructor(
    private readonly client: GoalClient,
    private readonly name: string,
    private readonly log: OutputLog,
    private readonly hooks: { onFeedback?(feedback: unknown): void; onResult?(result: unknown): void },
  ) {}

  /** False when the goal could not be sent (no server, or sending threw). */
  send(goal: object): boolean {
    if (!this.client.isActionServerAvailable()) {
      this.counts.server_unavailable++;
      this.lastOutcome = 'server unavailable';
      if (!this.serverMissing) this.log('warn', `action server ${this.name} is not available: goals are not sent until it is`);
      this.serverMissing = true;
      return false;
    }
    if (this.serverMissing) this.log('info', `action server ${this.name} is available again`);
    this.serverMissing = false;
    // The previous goal is cancelled only once the new one is accepted: joint_trajectory_controller
    // holds the arm still when its active goal is cancelled, but a new goal takes over without a
    // stop, after which cancelling the old one changes nothing on the arm.
    const previous = this.active && !this.active.done ? this.active : null;

    const entry: GoalEntry = { handle: null, cancelRequested: false, done: false, replaces: previous };
    let response: Promise<GoalHandle>;
    try {
      response = this.client.sendGoal(goal, (feedback) => this.onFeedback(entry, feedback));
    } catch (err) {
      this.fail('sending the goal', err);
      return false;
    }
    this.active = entry;
    this.latest = entry;
    this.counts.goals_sent++;
    this.lastOutcome = 'sent';
    response.then(
      (handle) => this.onResponse(entry, handle),
      (err: unknown) => this.onEnded(entry, () => this.fail('sending the goal', err)),
    );
    return true;
  }

  /** Whether a goal sent here has not ended yet. */
  get running(): boolean {
    return this.active !== null && !this.active.done;
  }

  /** Asks the server to cancel the running goal (also one not yet accepted: it is cancelled when it is). */
  cancel(): void {
    const entry = this.active;
    this.active = null;
    if (entry && !entry.done) this.requestCancel(entry);
  }

  status(): StatusValues {
    return {
      ...this.counts,
      goal_active: this.running,
      last_outcome: this.lastOutcome,
      last_failure: this.lastFailure,
    };
  }

  dispose(): void {
    this.cancel();
    this.client.destroy();
  }

  private onResponse(entry: GoalEntry, handle: GoalHandle): void {
    if (!handle.isAccepted()) {
      this.counts.goals_rejected++;
      this.onEnded(entry, () => this.report(entry, 'rejected'));
      return;
    }
    this.counts.goals_accepted++;
    entry.handle = handle;
    this.report(entry, 'accepted');
    if (entry.cancelRequested) this.requestCancel(entry);
    if (entry.replaces && !entry.replaces.done) this.requestCancel(entry.replaces);
    entry.replaces = null;
    handle.getResult().then(
      (result) => this.onEnded(entry, () => this.onResult(entry, handle, result)),
      (err: unknown) => this.onEnded(entry, () => this.fail('getting the result', err)),
    );
  }

  private onResult(entry: GoalEntry, handle: GoalHandle, result: unknown): void {
    const status = handle.status;
    if (status === GoalStatus.SUCCEEDED) {
      this.counts.goals_succeeded++;
      this.report(entry, 'succeeded');
    } else if (status === GoalStatus.ABORTED) {
      this.counts.goals_aborted++;
      this.report(entry, 'aborted');
    } else if (status === GoalStatus.CANCELED) {
      this.counts.goals_canceled++;
      this.report(entry, 'canceled');
    } else {
      this.report(entry, `ended with status ${status}`);
    }
    if (entry === this.latest) this.hooks.onResult?.(plain(result));
  }

  private report(entry: GoalEntry, outcome: string): void {
    if (entry === this.latest) this.lastOutcome = outcome;
  }

  private onFeedback(entry: GoalEntry, feedback: unknown): void {
    // Feedback of a goal that was replaced says nothing about the current one.
    if (entry !== this.latest) return;
    try {
      this.hooks.onFeedback?.(plain(feedback));
    } catch (err) {
      this.fail('reading feedback', err);
    }
  }

  /** Marks the goal ended, then records how; the record never throws out of a promise callback. */
  private onEnded(entry: GoalEntry, record: () => void): void {
    entry.done = true;
    if (this.active === entry) this.active = null;
    try {
      record();
    } catch (err) {
      this.fail('reading the result', err);
    }
  }

  private requestCancel(entry: GoalEntry): void {
    entry.cancelRequested = true;
    if (!entry.handle) return;
    try {
      entry.handle.cancelGoal().catch((err: unknown) => this.fail('cancelling the goal', err));
    } catch (err) {
      this.fail('cancelling the goal', err);
    }
  }

  private fail(what: string, err: unknown): void {
    this.counts.failures++;
    const message = `${what} on ${this.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    if (message !== this.lastFailure) this.log('warn', message);
    this.lastFailure = message;
    this.lastOutcome = 'failed';
  }
}

// ---- helpers -----------------------------------------------------------------------------

function publisher<M>(node: rclnodejs.Node, type: string, topic: string, qos: rclnodejs.QoS): (msg: M) => void {
  const pub = node.createPublisher(type as never, topic, { qos });
  return (msg: M) => pub.publish(msg as never);
}

/** rclnodejs may hand over message objects or array wrappers instead of plain values. */
function plain(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toPlainObject?: unknown }).toPlainObject === 'function') {
    return (value as { toPlainObject(): unknown }).toPlainObject();
  }
  return value;
}

function field(value: unknown, name: string): unknown {
  const object = plain(value);
  return object !== null && typeof object === 'object' ? plain((object as Record<string, unknown>)[name]) : undefined;
}

/** The numbers of an array, a typed array, or an array wrapper with `data`; [] for anything else. */
function numbers(value: unknown): number[] {
  const v = plain(value);
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    return Array.from(v as ArrayLike<unknown>).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  }
  if (v !== null && typeof v === 'object' && 'data' in v) return numbers((v as { data: unknown }).data);
  return [];
}
