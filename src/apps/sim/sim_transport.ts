/**
 * The controller outputs' transport in the in-process simulation: what the session publishes
 * and the goals it sends reach the simulated robot's controllers directly, and its timers run on
 * the simulated clock. The same output code sends through rclnodejs on a robot.
 */
import type { JointState, JointTrajectory } from '../../core/messages/types.js';
import type { CommandTransport, GoalClient, GoalHandle, OutputLog } from '../../pipeline/outputs/transport.js';
import type { SimulatedGoal, SimulatedRobot } from './simulated_robot.js';

/** Everything the session sent, for recordings and tests. */
export interface SentCommand {
  topic: string;
  type: string;
  atSec: number;
  msg: unknown;
}

export class SimTransport implements CommandTransport {
  /** The last commands sent (newest last; the last 200). */
  readonly sent: SentCommand[] = [];

  constructor(
    private readonly robot: SimulatedRobot,
    readonly log: OutputLog,
  ) {}

  now(): number {
    return this.robot.now;
  }

  publisher<M>(type: string, topic: string): (msg: M) => void {
    return (msg: M) => {
      this.record(topic, type, msg);
      if (type === 'trajectory_msgs/msg/JointTrajectory') this.robot.trajectory(topic, msg as JointTrajectory);
      else if (type === 'sensor_msgs/msg/JointState') this.robot.jointCommand(topic, msg as JointState);
      else throw new Error(`the simulated robot takes no ${type}`);
    };
  }

  actionClient(type: string, name: string): GoalClient {
    return {
      isActionServerAvailable: () => this.robot.serves(type, name),
      sendGoal: (goal: object) => {
        this.record(name, type, goal);
        return Promise.resolve(goalHandle(this.robot.goal(type, name, goal as Record<string, unknown>)));
      },
      destroy: () => {},
    };
  }

  timer(periodSec: number, callback: () => void): { cancel(): void } {
    return this.robot.timer(periodSec, callback);
  }

  private record(topic: string, type: string, msg: unknown): void {
    this.sent.push({ topic, type, atSec: this.robot.now, msg });
    if (this.sent.length > 200) this.sent.shift();
  }
}

function goalHandle(goal: SimulatedGoal): GoalHandle {
  return {
    isAccepted: () => goal.accepted,
    get status() {
      return goal.status;
    },
    cancelGoal: () => {
      goal.cancel();
      return Promise.resolve({});
    },
    getResult: () => goal.result.then((outcome) => outcome.result),
  };
}
