/**
 * The gripper's outputs: a JointTrajectory for the gripper joints (a gripper controller), a
 * control_msgs/action/GripperCommand goal, or the gripper joints streamed with the arm's
 * JointState commands.
 */
import { makeHeader } from '../../core/messages/builders.js';
import { durationFromSeconds } from '../../core/messages/time.js';
import type { JointTrajectory } from '../../core/messages/types.js';
import { ActionGoals, field } from './action_goals.js';
import type { ControllerOutput, GripperCommandStep, GripperOutput, GripperTuning } from './ports.js';
import type { CommandTransport, OutputLog, StatusValues } from './transport.js';

/**
 * What every gripper output keeps: the state the gripper was last commanded to, and the changes
 * of the running chunk still to come. Only changes are sent: re-sending the same target every
 * chunk would restart the gripper's motion. A change is another state (open, closed) or another
 * position for it (gripper_open_position or gripper_closed_position set at run time).
 */
abstract class GripperSchedule implements GripperOutput {
  /** The last command in force (sent, or its step started), null before the first. */
  protected current: GripperCommandStep | null = null;
  /** The running chunk's changes whose step has not started, with their start on the node's clock. */
  protected pending: { atSec: number; step: GripperCommandStep }[] = [];
  protected commandsSent = 0;
  protected tuning: GripperTuning;

  constructor(
    protected readonly now: () => number,
    tuning: GripperTuning,
  ) {
    this.tuning = checkedTuning(tuning);
  }

  configure(tuning: GripperTuning): void {
    this.tuning = checkedTuning(tuning);
  }

  send(steps: GripperCommandStep[]): void {
    for (const step of steps) {
      if (step.names.length !== step.positions.length) {
        throw new Error(`gripper joints: ${step.names.length} names but ${step.positions.length} positions`);
      }
    }
    const now = this.now();
    this.startDue(now);
    const replaced = this.pending.length > 0;
    const changes: GripperCommandStep[] = [];
    let state = this.current;
    for (const step of steps) {
      if (state !== null && sameTarget(step, state)) continue;
      changes.push(step);
      state = step;
    }
    this.pending = changes.map((step) => ({ atSec: now + step.startSec, step }));
    this.scheduled(now, replaced);
  }

  cancel(): void {
    const replaced = this.pending.length > 0;
    this.pending = [];
    this.cancelled(replaced);
  }

  get status(): StatusValues {
    return {
      commands_sent: this.commandsSent,
      state: this.current === null ? 'unknown' : this.current.closed ? 'closed' : 'open',
      pending_changes: this.pending.length,
      ...this.extraStatus(),
    };
  }

  dispose(): void {}

  /** The chunk's changes are in `pending`; `replaced`: changes of the previous chunk were dropped. */
  protected abstract scheduled(now: number, replaced: boolean): void;

  protected abstract cancelled(replaced: boolean): void;

  /** Marks the changes whose step has started as in force (outputs that sent them ahead). */
  protected startDue(now: number): void {
    while (this.pending.length > 0 && this.pending[0].atSec <= now) this.current = this.pending.shift()!.step;
  }

  protected extraStatus(): StatusValues {
    return {};
  }
}

/**
 * Outputs that send each change when its step starts (a GripperCommand goal, the stream's
 * gripper joints), from a timer on the node's executor.
 */
abstract class TimedGripper extends GripperSchedule {
  private readonly timer: { cancel(): void };
  private readonly log: OutputLog;

  constructor(transport: CommandTransport, tuning: GripperTuning) {
    super(() => transport.now(), tuning);
    this.log = transport.log;
    this.timer = transport.timer(DELIVERY_PERIOD_SEC, () => this.deliverDue());
  }

  /** Sends a command; false when it could not go out (no server): it is tried again with the next change. */
  protected abstract deliver(step: GripperCommandStep): boolean;

  protected scheduled(): void {
    this.deliverDue();
  }

  protected cancelled(): void {}

  override dispose(): void {
    this.timer.cancel();
  }

  // Overrides the ahead-of-time bookkeeping: here a change is in force once it went out.
  protected override startDue(): void {}

  private deliverDue(): void {
    const now = this.now();
    let due: GripperCommandStep | null = null;
    while (this.pending.length > 0 && this.pending[0].atSec <= now) due = this.pending.shift()!.step;
    if (!due) return;
    try {
      if (!this.deliver(due)) return;
    } catch (err) {
      // From a timer: a callback that throws would take the executor down.
      this.log('warn', `gripper command not sent: ${(err as Error).message}`);
      return;
    }
    this.current = due;
    this.commandsSent++;
  }
}

/** How often a timed gripper output looks for a change whose step has started. */
const DELIVERY_PERIOD_SEC = 0.01;

/**
 * A JointTrajectory for the gripper joints with the chunk's changes at their times: for each
 * change, the previous state held until its step starts, the new one reached when it ends. Sent
 * when the chunk brings a change, or when it drops changes an earlier trajectory still holds
 * (then the state in force is held).
 */
export class GripperTrajectoryOutput extends GripperSchedule {
  private readonly publish: (msg: JointTrajectory) => void;

  constructor(transport: CommandTransport, options: { topic: string } & GripperTuning) {
    super(() => transport.now(), options);
    this.publish = transport.publisher('trajectory_msgs/msg/JointTrajectory', options.topic);
  }

  protected scheduled(_now: number, replaced: boolean): void {
    if (this.pending.length > 0) this.publishPoints(this.pending.map((p) => p.step));
    else if (replaced && this.current) this.publishPoints([{ ...this.current, startSec: 0, endSec: this.tuning.moveTimeSec }]);
  }

  protected cancelled(replaced: boolean): void {
    if (replaced && this.current) this.publishPoints([{ ...this.current, startSec: 0, endSec: this.tuning.moveTimeSec }]);
  }

  private publishPoints(changes: GripperCommandStep[]): void {
    const names = changes[0].names;
    const points: JointTrajectory['points'] = [];
    let state = this.current;
    let time = 0;
    for (const change of changes) {
      if (change.names.join(',') !== names.join(',')) throw new Error(`gripper joints changed within a chunk: ${names.join(', ')} vs ${change.names.join(', ')}`);
      // Hold the state before the change until its step starts (a trajectory leads from where the
      // gripper is to its first point over the whole time before it).
      if (state && change.startSec > time) {
        points.push(point(state.positions, change.startSec));
        time = change.startSec;
      }
      const end = Math.max(change.endSec, time + 1e-3);
      points.push(point(change.positions, end));
      time = end;
      state = change;
    }
    this.publish({ header: makeHeader({ sec: 0, nanosec: 0 }, ''), joint_names: [...names], points });
    this.commandsSent++;
    // The trajectory is out: the first change is in force from now (the gripper moves towards it).
    if (this.pending.length > 0 && this.pending[0].step.startSec === 0) this.current = this.pending.shift()!.step;
  }

  protected override extraStatus(): StatusValues {
    return { interface: 'joint_trajectory' };
  }
}

function sameTarget(a: GripperCommandStep, b: GripperCommandStep): boolean {
  return a.closed === b.closed && a.position === b.position && a.positions.length === b.positions.length && a.positions.every((p, i) => p === b.positions[i]);
}

function checkedTuning(tuning: GripperTuning): GripperTuning {
  if (!(Number.isFinite(tuning.moveTimeSec) && tuning.moveTimeSec > 0)) {
    throw new Error(`gripper move time: expected a positive number of seconds, got ${tuning.moveTimeSec}`);
  }
  if (!(Number.isFinite(tuning.maxEffort) && tuning.maxEffort >= 0)) {
    throw new Error(`gripper max effort: expected a number >= 0, got ${tuning.maxEffort}`);
  }
  return { maxEffort: tuning.maxEffort, moveTimeSec: tuning.moveTimeSec };
}

function point(positions: number[], timeSec: number): JointTrajectory['points'][number] {
  return { positions: [...positions], velocities: [], accelerations: [], effort: [], time_from_start: durationFromSeconds(timeSec) };
}

/** A control_msgs/action/GripperCommand goal when each change's step starts, the previous goal cancelled. */
export class GripperActionOutput extends TimedGripper {
  private readonly goals: ActionGoals;
  private lastReachedGoal: boolean | null = null;
  private lastStalled: boolean | null = null;

  constructor(transport: CommandTransport, options: { action: string } & GripperTuning) {
    super(transport, options);
    const client = transport.actionClient('control_msgs/action/GripperCommand', options.action);
    this.goals = new ActionGoals(client, options.action, transport.log, {
      onResult: (result) => {
        const reached = field(result, 'reached_goal');
        if (typeof reached === 'boolean') this.lastReachedGoal = reached;
        const stalled = field(result, 'stalled');
        if (typeof stalled === 'boolean') this.lastStalled = stalled;
      },
    });
  }

  protected deliver(step: GripperCommandStep): boolean {
    return this.goals.send({ command: { position: step.position, max_effort: this.tuning.maxEffort } });
  }

  protected override extraStatus(): StatusValues {
    const values: StatusValues = { interface: 'gripper_command', ...this.goals.status() };
    if (this.lastReachedGoal !== null) values.last_reached_goal = this.lastReachedGoal;
    if (this.lastStalled !== null) values.last_stalled = this.lastStalled;
    return values;
  }

  override dispose(): void {
    super.dispose();
    this.goals.dispose();
  }
}

/** The gripper joints streamed with the arm's JointState commands, changed when each change's step starts. */
export class GripperStreamOutput extends TimedGripper {
  private readonly stream: ControllerOutput;

  constructor(transport: CommandTransport, stream: ControllerOutput | null, tuning: GripperTuning) {
    super(transport, tuning);
    if (!stream?.setExtraJoints) {
      throw new Error('gripper_interface joint_state_command streams with the arm: it needs controller_interface joint_state_command');
    }
    this.stream = stream;
  }

  protected deliver(step: GripperCommandStep): boolean {
    this.stream.setExtraJoints!(step.names, step.positions);
    return true;
  }

  protected override extraStatus(): StatusValues {
    return { interface: 'joint_state_command' };
  }
}
