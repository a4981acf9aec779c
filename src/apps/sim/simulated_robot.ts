/**
 * The tabletop world as a robot behind the controller interfaces a real arm has. It takes what a
 * ros2_control robot takes (JointTrajectory messages on the arm's and the gripper's controller
 * topics, FollowJointTrajectory and GripperCommand goals, a JointState command stream), moves
 * its joints as those controllers would on a simulated clock, grasps and releases as the
 * commanded fingers close and open, and publishes what its camera and joint_state_broadcaster
 * would. It knows nothing of how commands are made: the in-process simulation and the simulated
 * robot on a ROS graph deliver them through their own transports.
 */
import type { NodeSettings } from '../../config/settings.js';
import type { CameraInfo, Image, JointState, JointTrajectory } from '../../core/messages/types.js';
import { SimulatedTrajectoryController } from './trajectory_controller.js';
import { PANDA_FINGER_JOINTS, PANDA_JOINTS, type TabletopWorld } from './world.js';

/** action_msgs/msg/GoalStatus values. */
export const GoalStatus = { EXECUTING: 2, SUCCEEDED: 4, CANCELED: 5, ABORTED: 6 } as const;

/** How fast a GripperCommand moves the fingers (m/s), as a Franka hand roughly does. */
const FINGER_SPEED = 0.1;

/** A goal the simulated action servers execute; settled with a status and a result. */
export class SimulatedGoal {
  status: number = GoalStatus.EXECUTING;
  readonly result: Promise<{ status: number; result: Record<string, unknown> }>;
  private settle!: (outcome: { status: number; result: Record<string, unknown> }) => void;

  constructor(
    readonly accepted: boolean,
    readonly goal: Record<string, unknown>,
    private readonly onCancel: (goal: SimulatedGoal) => void,
  ) {
    this.result = new Promise((resolve) => (this.settle = resolve));
    if (!accepted) this.finish(GoalStatus.ABORTED, {});
  }

  get done(): boolean {
    return this.status !== GoalStatus.EXECUTING;
  }

  cancel(): void {
    if (this.done) return;
    this.onCancel(this);
  }

  finish(status: number, result: Record<string, unknown>): void {
    if (this.done && this.accepted) return;
    this.status = status;
    this.settle({ status, result });
  }
}

export interface RobotInterfaces {
  armTopic: string;
  armAction: string;
  jointCommandTopic: string;
  gripperTopic: string;
  gripperAction: string;
  /** The gripper joint the gripper controllers command, and its open and closed positions. */
  gripperJoint: string;
  fingerOpen: number;
  fingerClosed: number;
}

/** The controller names and the gripper of the node's settings: the robot serves what the node sends to. */
export function interfacesOf(settings: NodeSettings): RobotInterfaces {
  return {
    armTopic: settings.controller.topic,
    armAction: settings.controller.action,
    jointCommandTopic: settings.controller.jointCommandTopic,
    gripperTopic: settings.gripper.topic,
    gripperAction: settings.gripper.action,
    gripperJoint: settings.gripper.joints[0] ?? PANDA_FINGER_JOINTS[0],
    fingerOpen: settings.gripper.openPosition,
    fingerClosed: settings.gripper.closedPosition,
  };
}

export class SimulatedRobot {
  private clockSec: number;
  private world: TabletopWorld;
  readonly arm: SimulatedTrajectoryController;
  /** The gripper's joint_trajectory_controller (one finger joint; the other mimics it). */
  readonly fingers: SimulatedTrajectoryController;
  private fingerTarget: number;
  private armGoal: SimulatedGoal | null = null;
  private gripperGoal: SimulatedGoal | null = null;
  private readonly timers: { periodSec: number; nextSec: number; callback: () => void; cancelled: boolean }[] = [];
  /** Messages a controller did not take (wrong joints, malformed), with why. */
  readonly rejected: string[] = [];
  readonly counts = { trajectories: 0, armGoals: 0, gripperGoals: 0, jointCommands: 0 };

  constructor(
    world: TabletopWorld,
    readonly interfaces: RobotInterfaces,
    startSec: number,
  ) {
    this.world = world;
    this.clockSec = startSec;
    this.arm = new SimulatedTrajectoryController(PANDA_JOINTS, world.q);
    this.fingerTarget = world.gripperClosed ? interfaces.fingerClosed : interfaces.fingerOpen;
    this.fingers = new SimulatedTrajectoryController([interfaces.gripperJoint], [this.fingerTarget]);
  }

  get now(): number {
    return this.clockSec;
  }

  get tabletop(): TabletopWorld {
    return this.world;
  }

  /** A new episode: another world, the controllers at its joints with nothing running. */
  reset(world: TabletopWorld): void {
    this.world = world;
    this.arm.reset(world.q);
    this.fingerTarget = world.gripperClosed ? this.interfaces.fingerClosed : this.interfaces.fingerOpen;
    this.fingers.reset([this.fingerTarget]);
    this.armGoal?.finish(GoalStatus.ABORTED, { error_code: -5, error_string: 'reset' });
    this.gripperGoal?.finish(GoalStatus.ABORTED, {});
    this.armGoal = null;
    this.gripperGoal = null;
  }

  // ---- what the controllers take -----------------------------------------------------------

  /** A JointTrajectory on a topic: the arm's or the gripper's controller. */
  trajectory(topic: string, msg: JointTrajectory): void {
    this.counts.trajectories++;
    const controller = topic === this.interfaces.armTopic ? this.arm : topic === this.interfaces.gripperTopic ? this.fingers : null;
    if (!controller) return this.reject(`no controller listens on ${topic}`);
    const problem = controller.receive(msg, this.clockSec);
    if (problem) this.reject(`${topic}: ${problem}`);
  }

  /** A JointState command (Isaac Sim's convention): the named joints go where it says. */
  jointCommand(topic: string, msg: JointState): void {
    if (topic !== this.interfaces.jointCommandTopic) return this.reject(`no joint command interface on ${topic}`);
    this.counts.jointCommands++;
    const arm = Float64Array.from(this.arm.positions);
    msg.name.forEach((name, i) => {
      const position = msg.position[i];
      if (!Number.isFinite(position)) return;
      const j = PANDA_JOINTS.indexOf(name);
      if (j >= 0) arm[j] = position;
      else if (name === this.interfaces.gripperJoint) this.fingerTarget = position;
    });
    this.arm.reset(arm);
    this.fingers.reset([this.fingerTarget]);
    this.applyToWorld();
  }

  /** Whether an action server of this name and type runs here. */
  serves(type: string, name: string): boolean {
    return (
      (type === 'control_msgs/action/FollowJointTrajectory' && name === this.interfaces.armAction) ||
      (type === 'control_msgs/action/GripperCommand' && name === this.interfaces.gripperAction)
    );
  }

  /** A goal on one of the action servers. */
  goal(type: string, name: string, goal: Record<string, unknown>): SimulatedGoal {
    if (!this.serves(type, name)) return new SimulatedGoal(false, goal, () => {});
    if (type === 'control_msgs/action/FollowJointTrajectory') {
      this.counts.armGoals++;
      const problem = this.arm.receive(goal.trajectory as JointTrajectory, this.clockSec);
      if (problem) {
        this.reject(`${name}: ${problem}`);
        return new SimulatedGoal(false, goal, () => {});
      }
      // A new goal takes over from the running one.
      this.armGoal?.finish(GoalStatus.ABORTED, { error_code: 0, error_string: 'preempted by a new goal' });
      const handle = new SimulatedGoal(true, goal, (g) => {
        if (g === this.armGoal) this.arm.hold();
        g.finish(GoalStatus.CANCELED, { error_code: 0, error_string: '' });
      });
      this.armGoal = handle;
      return handle;
    }
    this.counts.gripperGoals++;
    const position = Number((goal.command as { position?: unknown } | undefined)?.position);
    if (!Number.isFinite(position)) return new SimulatedGoal(false, goal, () => {});
    this.gripperGoal?.finish(GoalStatus.ABORTED, { position: this.fingers.positions[0], effort: 0, stalled: false, reached_goal: false });
    this.fingerTarget = position;
    this.fingers.hold();
    const handle = new SimulatedGoal(true, goal, (g) => {
      this.fingerTarget = this.fingers.positions[0];
      g.finish(GoalStatus.CANCELED, { position: this.fingers.positions[0], effort: 0, stalled: false, reached_goal: false });
    });
    this.gripperGoal = handle;
    return handle;
  }

  // ---- time ----------------------------------------------------------------------------------

  /** A callback every `periodSec` of simulated time (the node's timers, in the simulation). */
  timer(periodSec: number, callback: () => void): { cancel(): void } {
    const entry = { periodSec, nextSec: this.clockSec + periodSec, callback, cancelled: false };
    this.timers.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  /** Runs the controllers and timers up to `toSec`, in steps of at most `stepSec`. */
  advance(toSec: number, stepSec = 0.005): void {
    while (this.clockSec < toSec - 1e-12) {
      const due = this.timers.filter((t) => !t.cancelled).reduce((soonest, t) => Math.min(soonest, t.nextSec), Infinity);
      const next = Math.min(toSec, this.clockSec + stepSec, due);
      this.clockSec = next;
      this.update();
      for (const timer of this.timers) {
        if (!timer.cancelled && timer.nextSec <= next + 1e-12) {
          timer.nextSec += timer.periodSec;
          timer.callback();
        }
      }
    }
    this.update();
  }

  private update(): void {
    const now = this.clockSec;
    this.arm.update(now);
    this.fingers.update(now);
    if (this.armGoal && !this.arm.busy(now)) {
      this.armGoal.finish(GoalStatus.SUCCEEDED, { error_code: 0, error_string: '' });
      this.armGoal = null;
    }
    this.moveFingersToTarget();
    this.applyToWorld();
  }

  /** A GripperCommand goal moves the fingers at FINGER_SPEED; the goal succeeds when they are there. */
  private moveFingersToTarget(): void {
    if (!this.gripperGoal) return;
    const position = this.fingers.positions[0];
    const step = FINGER_SPEED * 0.005;
    const next = Math.abs(this.fingerTarget - position) <= step ? this.fingerTarget : position + Math.sign(this.fingerTarget - position) * step;
    this.fingers.reset([next]);
    if (next === this.fingerTarget) {
      this.gripperGoal.finish(GoalStatus.SUCCEEDED, { position: next, effort: 0, stalled: false, reached_goal: true });
      this.gripperGoal = null;
    }
  }

  /** The world follows the commanded joints; the gripper holds once its fingers are commanded past half-way. */
  private applyToWorld(): void {
    this.world.setJoints(this.arm.positions);
    const { fingerOpen, fingerClosed } = this.interfaces;
    const finger = this.fingers.positions[0];
    this.world.setGripper(Math.abs(finger - fingerClosed) < Math.abs(finger - fingerOpen));
  }

  // ---- what the robot publishes --------------------------------------------------------------

  /** The camera and joint_state_broadcaster now: images, camera info, joints with velocities. */
  sensors(): { rgb: Image; depth: Image; cameraInfo: CameraInfo; joints: JointState; rendered: ReturnType<TabletopWorld['render']> } {
    const messages = this.world.messages(this.clockSec);
    return { ...messages, joints: this.jointState() };
  }

  /** joint_state_broadcaster now: the arm's positions and velocities, the fingers'. */
  jointState(): JointState {
    const joints = this.world.jointState(this.clockSec);
    joints.velocity = [...Array.from(this.arm.velocities), ...PANDA_FINGER_JOINTS.map(() => 0)];
    return joints;
  }

  private reject(reason: string): void {
    this.rejected.push(reason);
    if (this.rejected.length > 100) this.rejected.shift();
  }
}
