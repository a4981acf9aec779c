/**
 * A simulated joint_trajectory_controller (ros2_controllers, Humble): what the arm (or the
 * gripper's fingers) does with the JointTrajectory messages it receives.
 *
 * - A trajectory starts at its header stamp, or on receipt when the stamp is zero; its points'
 *   time_from_start count from there.
 * - A new trajectory replaces the running one from its start time (until then the running one
 *   goes on).
 * - Between points the controller interpolates cubic segments through the points' positions and
 *   velocities (linear where a point has no velocities), the first segment from the state the
 *   joints are in when the trajectory starts.
 * - After the last point the joints hold its positions.
 * - A trajectory whose joints are not the controller's, or whose numbers are not finite, is
 *   rejected (the controller logs it and keeps what runs).
 */
import { sampleTrajectory, trajectoryDuration } from '../../core/control/trajectory_sampler.js';
import { toSeconds } from '../../core/messages/time.js';
import type { JointTrajectory } from '../../core/messages/types.js';

/** Time step of the finite difference that gives the commanded velocities. */
const VELOCITY_STEP_SEC = 1e-3;

interface Running {
  trajectory: JointTrajectory;
  startSec: number;
  durationSec: number;
  from: Float64Array;
  fromVelocity: Float64Array;
}

export class SimulatedTrajectoryController {
  /** Commanded positions and velocities of `joints`, in that order. */
  readonly positions: Float64Array;
  readonly velocities: Float64Array;
  private running: Running | null = null;
  private next: { trajectory: JointTrajectory; startSec: number } | null = null;
  private nowSec = 0;
  readonly counts = { received: 0, rejected: 0 };

  constructor(
    readonly joints: readonly string[],
    initial: ArrayLike<number>,
  ) {
    if (initial.length !== joints.length) throw new RangeError(`${joints.length} joints but ${initial.length} positions`);
    this.positions = Float64Array.from(initial);
    this.velocities = new Float64Array(joints.length);
  }

  /** Takes a trajectory at `nowSec`; returns why it was rejected, or null. */
  receive(message: JointTrajectory, nowSec: number): string | null {
    this.counts.received++;
    const trajectory = this.inOrder(message);
    if (typeof trajectory === 'string') {
      this.counts.rejected++;
      return trajectory;
    }
    const stamp = message.header.stamp;
    const startSec = stamp.sec === 0 && stamp.nanosec === 0 ? nowSec : toSeconds(stamp);
    this.next = { trajectory, startSec };
    this.update(nowSec);
    return null;
  }

  /** Holds the joints where they are now (a cancelled goal). */
  hold(): void {
    this.running = null;
    this.next = null;
    this.velocities.fill(0);
  }

  /** Whether a trajectory is running or waiting for its start at `nowSec`. */
  busy(nowSec: number): boolean {
    return this.next !== null || (this.running !== null && nowSec < this.running.startSec + this.running.durationSec);
  }

  /** Puts the joints at `positions`, at rest, with nothing running (a new episode). */
  reset(positions: ArrayLike<number>): void {
    this.hold();
    this.positions.set(positions);
  }

  /** Advances the commanded state to `nowSec`. */
  update(nowSec: number): void {
    this.nowSec = nowSec;
    if (this.next && nowSec >= this.next.startSec) {
      const { trajectory, startSec } = this.next;
      this.next = null;
      this.running = {
        trajectory,
        startSec,
        durationSec: trajectoryDuration(trajectory),
        from: Float64Array.from(this.positions),
        fromVelocity: Float64Array.from(this.velocities),
      };
    }
    const running = this.running;
    if (!running) {
      this.velocities.fill(0);
      return;
    }
    const t = nowSec - running.startSec;
    const sample = (at: number) => sampleTrajectory(running.trajectory, running.from, at, { startVelocity: running.fromVelocity });
    const here = sample(t);
    if (t >= running.durationSec) {
      this.positions.set(here);
      this.velocities.fill(0);
      this.running = null;
      return;
    }
    const before = sample(t - VELOCITY_STEP_SEC);
    for (let j = 0; j < here.length; j++) this.velocities[j] = (here[j] - before[j]) / VELOCITY_STEP_SEC;
    this.positions.set(here);
  }

  get time(): number {
    return this.nowSec;
  }

  /** The trajectory with its joints in the controller's order, or why it cannot be taken. */
  private inOrder(message: JointTrajectory): JointTrajectory | string {
    const names = message.joint_names;
    if (names.length !== this.joints.length || !this.joints.every((j) => names.includes(j))) {
      return `joints [${names.join(', ')}] are not the controller's [${this.joints.join(', ')}]`;
    }
    if (message.points.length === 0) return 'the trajectory has no points';
    const index = this.joints.map((j) => names.indexOf(j));
    let previous = 0;
    const points = [];
    for (const [i, point] of message.points.entries()) {
      const time = toSeconds(point.time_from_start);
      if (!(time > previous || (i === 0 && time >= 0))) return `points[${i}]: time_from_start must increase`;
      previous = time;
      if (point.positions.length !== names.length || !point.positions.every(Number.isFinite)) return `points[${i}]: positions are not ${names.length} finite numbers`;
      if (point.velocities.length !== 0 && (point.velocities.length !== names.length || !point.velocities.every(Number.isFinite))) {
        return `points[${i}]: velocities are not ${names.length} finite numbers`;
      }
      points.push({
        ...point,
        positions: index.map((k) => point.positions[k]),
        velocities: point.velocities.length ? index.map((k) => point.velocities[k]) : [],
      });
    }
    return { ...message, joint_names: [...this.joints], points };
  }
}
