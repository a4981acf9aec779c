/**
 * The gripper's outputs: a JointTrajectory for the gripper joints (a gripper controller), a
 * control_msgs/action/GripperCommand goal, or the gripper joints streamed with the arm's
 * JointState commands.
 */
import { makeHeader } from '../../messages/builders.js';
import { durationFromSeconds } from '../../messages/time.js';
import type { JointTrajectory } from '../../messages/types.js';
import { ActionGoals, field } from './action_goals.js';
import type { ControllerOutput, GripperOutput } from './ports.js';
import type { CommandTransport, StatusValues } from './transport.js';

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

export class GripperTrajectoryOutput extends ChangeOnlyGripper {
  private readonly publish: (msg: JointTrajectory) => void;
  private readonly moveTimeSec: number;

  constructor(transport: CommandTransport, options: { topic: string; moveTimeSec: number }) {
    super();
    if (!(Number.isFinite(options.moveTimeSec) && options.moveTimeSec > 0)) {
      throw new Error(`gripper move time: expected a positive number of seconds, got ${options.moveTimeSec}`);
    }
    this.moveTimeSec = options.moveTimeSec;
    this.publish = transport.publisher('trajectory_msgs/msg/JointTrajectory', options.topic);
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

export class GripperActionOutput extends ChangeOnlyGripper {
  private readonly goals: ActionGoals;
  private readonly maxEffort: number;
  private lastReachedGoal: boolean | null = null;
  private lastStalled: boolean | null = null;

  constructor(transport: CommandTransport, options: { action: string; maxEffort: number }) {
    super();
    this.maxEffort = options.maxEffort;
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

export class GripperStreamOutput extends ChangeOnlyGripper {
  private readonly stream: ControllerOutput;

  constructor(stream: ControllerOutput | null) {
    super();
    if (!stream?.setExtraJoints) {
      throw new Error('gripper_interface joint_state_command streams with the arm: it needs controller_interface joint_state_command');
    }
    this.stream = stream;
  }

  protected deliver(_position: number, joints: { names: string[]; positions: number[] }): boolean {
    this.stream.setExtraJoints!(joints.names, joints.positions);
    return true;
  }

  protected override extraStatus(): StatusValues {
    return { interface: 'joint_state_command' };
  }
}
