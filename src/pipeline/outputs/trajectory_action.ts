/**
 * follow_joint_trajectory: control_msgs/action/FollowJointTrajectory goals, one per command, the
 * previous goal cancelled once the new one is accepted; outcomes and tracking error are counted
 * for /diagnostics.
 */
import type { JointTrajectory } from '../../core/messages/types.js';
import { ActionGoals, field, numbers } from './action_goals.js';
import type { ControllerOutput } from './ports.js';
import type { CommandTransport, StatusValues } from './transport.js';

export class ActionTrajectoryOutput implements ControllerOutput {
  private readonly goals: ActionGoals;
  private lastErrorCode: number | null = null;
  private lastErrorString = '';
  private lastFeedbackMaxError: number | null = null;

  constructor(transport: CommandTransport, action: string) {
    const client = transport.actionClient('control_msgs/action/FollowJointTrajectory', action);
    this.goals = new ActionGoals(client, action, transport.log, {
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
