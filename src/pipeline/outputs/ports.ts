/**
 * The outputs a command leaves the node through: the arm's controller and the gripper's. One
 * module per controller interface implements them (trajectory_topic, trajectory_action,
 * joint_state_stream, gripper_outputs); create_outputs.ts picks them from the settings.
 */
import type { JointTrajectory } from '../../core/messages/types.js';
import type { StatusValues } from './transport.js';

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

/** One step's gripper command, in seconds after the arm trajectory it goes with leaves. */
export interface GripperCommandStep {
  startSec: number;
  endSec: number;
  closed: boolean;
  /** Position of the configured gripper joint (a GripperCommand goal's position). */
  position: number;
  /** The gripper joints and their positions (with the mimic joints, for a stream of every joint). */
  names: string[];
  positions: number[];
}

/** What a gripper output takes from parameters that may change while it runs. */
export interface GripperTuning {
  /** A GripperCommand goal's max_effort. */
  maxEffort: number;
  /** Time a gripper trajectory gives the fingers to move (one chunk step). */
  moveTimeSec: number;
}

export interface GripperOutput {
  /**
   * The gripper commands of a chunk whose arm trajectory leaves now: each step's open or closed
   * state reaches the gripper within its step, and only changes are sent. Replaces what an
   * earlier chunk had scheduled and not yet sent (as its arm trajectory is replaced).
   */
  send(steps: GripperCommandStep[]): void;
  /** Drops the commands that have not reached the gripper yet (the arm was stopped). */
  cancel(): void;
  /** New tuning, used from the next command on. */
  configure(tuning: GripperTuning): void;
  readonly status: StatusValues;
  dispose(): void;
}
