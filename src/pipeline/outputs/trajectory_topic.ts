/**
 * joint_trajectory: trajectory_msgs/JointTrajectory on a topic (ros2_control's
 * joint_trajectory_controller); fire and forget.
 */
import type { JointTrajectory } from '../../core/messages/types.js';
import type { ControllerOutput } from './ports.js';
import type { CommandTransport, StatusValues } from './transport.js';

export class TopicTrajectoryOutput implements ControllerOutput {
  private readonly publish: (msg: JointTrajectory) => void;
  private sent = 0;

  constructor(transport: CommandTransport, topic: string) {
    this.publish = transport.publisher('trajectory_msgs/msg/JointTrajectory', topic);
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
