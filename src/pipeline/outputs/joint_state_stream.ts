/**
 * joint_state_command: sensor_msgs/JointState positions sampled from the trajectory along the
 * controller's cubic segments and streamed at a fixed rate (simulators such as Isaac Sim's ROS 2
 * bridge take these).
 */
import { sampleTrajectory, trajectoryDuration } from '../../core/control/trajectory_sampler.js';
import { makeHeader } from '../../core/messages/builders.js';
import { timeFromSeconds, toSeconds } from '../../core/messages/time.js';
import type { JointState, JointTrajectory } from '../../core/messages/types.js';
import type { ControllerOutput } from './ports.js';
import type { CommandTransport, OutputLog, StatusValues } from './transport.js';

interface RunningTrajectory {
  trajectory: JointTrajectory;
  start: Float64Array;
  startVelocity: Float64Array | undefined;
  startSec: number;
  durationSec: number;
}

export class JointStateStreamOutput implements ControllerOutput {
  private readonly publish: (msg: JointState) => void;
  private readonly timer: { cancel(): void };
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

  constructor(transport: CommandTransport, options: { topic: string; rateHz: number }) {
    if (!(Number.isFinite(options.rateHz) && options.rateHz > 0)) {
      throw new Error(`joint command rate: expected a positive number of Hz, got ${options.rateHz}`);
    }
    this.now = () => transport.now();
    this.log = transport.log;
    this.publish = transport.publisher('sensor_msgs/msg/JointState', options.topic);
    this.timer = transport.timer(1 / options.rateHz, () => this.tick());
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
