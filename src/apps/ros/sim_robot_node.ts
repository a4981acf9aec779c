/**
 * `molmoact-ros sim-robot`: the tabletop world as a robot on a ROS 2 graph. It plays the arm and
 * its camera for the molmoact node, as a real Panda with ros2_control and a RealSense would:
 *
 * - publishes the camera (RGB, aligned depth, camera info) at `camera_hz`, /joint_states (arm
 *   and fingers, with velocities) at 100 Hz, /robot_description and /tf_static (latched), and
 *   /clock when it runs on simulated time (`--sim-time`);
 * - serves the controller interfaces of the robot preset: the arm's JointTrajectory topic and
 *   FollowJointTrajectory action, the gripper's GripperCommand action and JointTrajectory topic,
 *   and a JointState command topic, with joint_trajectory_controller's semantics
 *   (src/apps/sim/simulated_robot.ts);
 * - runs the episodes: before each it turns the node's actuation off (~/enable), resets the
 *   world, gives the instruction on ~/instruction (and for steered episodes a person's trace on
 *   ~/trace_override), turns actuation on, and judges success; at the end it prints one JSON
 *   line (the summary `molmoact-ros sim` prints) and exits.
 */
import { readFileSync } from 'node:fs';
import { settingsForModel, presetUrdfPath } from '../../config/robot_presets.js';
import type { NodeSettings } from '../../config/settings.js';
import { makeHeader } from '../../core/messages/builders.js';
import { rotationQuaternion } from '../../core/kinematics/transform.js';
import { timeFromSeconds, toSeconds } from '../../core/messages/time.js';
import type { JointState, JointTrajectory, VisualTrace } from '../../core/messages/types.js';
import { episodeGoal, planEpisode } from '../sim/episode_plan.js';
import { GoalStatus, interfacesOf, SimulatedRobot, type SimulatedGoal } from '../sim/simulated_robot.js';
import type { TaskKind } from '../sim/tasks.js';
import { CAMERA_FRAME, defaultSettings, TabletopWorld } from '../sim/world.js';
import { NODE_QOS } from './qos.js';
import type { QosProfile, RosApi, RosNodeApi, RosServerGoal } from './ros_api.js';

export interface SimRobotOptions {
  episodes: number;
  seed: number;
  steer: boolean;
  maxSec: number;
  kinds: TaskKind[];
  cameraHz: number;
  /** The robot preset whose controller interfaces are served (the molmoact node's must match). */
  robot: string;
  /** The molmoact node to drive: its ~/instruction, ~/trace_override and ~/enable. */
  molmoact: string;
  /** Publish /clock and stamp everything with the simulated time. */
  simTime: boolean;
}

export interface EpisodeOutcome {
  kind: string;
  success: boolean;
  seconds: number;
}

const JOINT_STATE_PERIOD_SEC = 0.01;
const TICK_SEC = 0.005;
/** Steering traces are redrawn this often (a person adjusting the trace as the arm moves). */
const STEERING_PERIOD_SEC = 0.2;
const EPISODE_GAP_SEC = 1;

type Publish = (msg: unknown) => void;

export class SimRobotNode {
  readonly node: RosNodeApi;
  private readonly robot: SimulatedRobot;
  private readonly settings: NodeSettings;
  private readonly publish: Record<'rgb' | 'depth' | 'info' | 'joints' | 'clock' | 'instruction' | 'trace', Publish>;
  private readonly timers: { cancel(): void }[] = [];
  private readonly wallStart = performance.now();
  private readonly clockStart: number;
  private nextCamera = 0;
  private nextJoints = 0;
  private readonly tickWaiters: (() => void)[] = [];

  private constructor(
    ros: RosApi,
    private readonly options: SimRobotOptions,
  ) {
    this.node = ros.createNode('sim_robot');
    this.settings = settingsForModel(defaultSettings().modelDir, options.robot);
    this.clockStart = options.simTime ? 1_000 : this.rosNow();
    this.robot = new SimulatedRobot(TabletopWorld.create({ seed: 0 }), interfacesOf(this.settings), this.clockStart);
    const qos = NODE_QOS;
    const publisher = (type: string, topic: string, profile: QosProfile): Publish => {
      const pub = this.node.createPublisher<unknown>(type, topic, profile);
      return (msg) => pub.publish(msg);
    };
    this.publish = {
      rgb: publisher('sensor_msgs/msg/Image', 'camera/color/image_raw', qos.output),
      depth: publisher('sensor_msgs/msg/Image', 'camera/aligned_depth_to_color/image_raw', qos.output),
      info: publisher('sensor_msgs/msg/CameraInfo', 'camera/color/camera_info', qos.output),
      joints: publisher('sensor_msgs/msg/JointState', 'joint_states', qos.output),
      clock: options.simTime ? publisher('rosgraph_msgs/msg/Clock', '/clock', qos.output) : () => {},
      instruction: publisher('std_msgs/msg/String', `${options.molmoact}/instruction`, qos.latched),
      trace: options.steer ? publisher('molmoact_ros/msg/VisualTrace', `${options.molmoact}/trace_override`, qos.command) : () => {},
    };
    this.publishDescription(publisher);
    this.serveControllers(qos.command);
  }

  static create(ros: RosApi, options: SimRobotOptions): SimRobotNode {
    return new SimRobotNode(ros, options);
  }

  /** Runs every episode; resolves with their outcomes. */
  async run(log: (line: string) => void): Promise<EpisodeOutcome[]> {
    this.timers.push(this.node.createTimer(TICK_SEC, () => this.tick()));
    const enable = this.node.createClient<{ data: boolean }, { success: boolean }>('std_srvs/srv/SetBool', `${this.options.molmoact}/enable`);
    if (!(await enable.waitForService(60_000))) throw new Error(`no ${this.options.molmoact}/enable service after 60 s: is the molmoact node running?`);
    const setEnabled = async (data: boolean): Promise<void> => {
      await enable.call({ data });
    };
    const outcomes: EpisodeOutcome[] = [];
    for (let e = 0; e < this.options.episodes; e++) {
      const episode = planEpisode(this.options.seed, e, this.options.kinds, this.options.steer);
      await setEnabled(false);
      this.robot.reset(episode.world);
      await this.sleep(EPISODE_GAP_SEC);
      const goal = episodeGoal(episode);
      this.publish.instruction({ data: episode.task.instruction });
      await setEnabled(true);
      const start = this.robot.now;
      let nextSteering = start;
      let success = false;
      while (this.robot.now - start < this.options.maxSec) {
        await this.nextTick();
        if (this.robot.now >= nextSteering) {
          nextSteering += STEERING_PERIOD_SEC;
          const trace = goal.steering(this.robot.now);
          if (trace) this.publish.trace(trace satisfies VisualTrace);
        }
        if (goal.done()) {
          success = true;
          break;
        }
      }
      outcomes.push({ kind: episode.task.kind, success, seconds: this.robot.now - start });
      log(`sim-robot: episode ${e + 1}/${this.options.episodes} "${episode.task.instruction}": ${success ? 'success' : 'failed'} (${(this.robot.now - start).toFixed(1)} s)`);
    }
    await setEnabled(false);
    return outcomes;
  }

  shutdown(): void {
    for (const timer of this.timers) timer.cancel();
    this.node.destroy();
  }

  // ---- time ----------------------------------------------------------------------------------

  /** The robot's clock: ROS time, or simulated time that runs as fast as the wall clock. */
  private clock(): number {
    return this.options.simTime ? this.clockStart + (performance.now() - this.wallStart) / 1000 : this.rosNow();
  }

  private rosNow(): number {
    return toSeconds(this.node.now());
  }

  private tick(): void {
    try {
      const now = this.clock();
      this.robot.advance(now);
      if (this.options.simTime) this.publish.clock({ clock: timeFromSeconds(now) });
      if (now >= this.nextJoints) {
        this.nextJoints = now + JOINT_STATE_PERIOD_SEC;
        this.publish.joints(this.robot.jointState());
      }
      if (now >= this.nextCamera) {
        this.nextCamera = now + 1 / this.options.cameraHz;
        const sensors = this.robot.sensors();
        this.publish.info(sensors.cameraInfo);
        this.publish.depth(sensors.depth);
        this.publish.rgb(sensors.rgb);
      }
    } catch (err) {
      // A timer callback that throws would take the executor down.
      this.node.logger().error(`sim-robot tick failed: ${(err as Error).message}`);
    }
    for (const resolve of this.tickWaiters.splice(0)) resolve();
  }

  private nextTick(): Promise<void> {
    return new Promise((resolve) => this.tickWaiters.push(resolve));
  }

  private async sleep(seconds: number): Promise<void> {
    const until = this.robot.now + seconds;
    while (this.robot.now < until) await this.nextTick();
  }

  // ---- what the robot serves -----------------------------------------------------------------

  private serveControllers(qos: QosProfile): void {
    const robot = this.robot;
    const { armTopic, gripperTopic, jointCommandTopic, armAction, gripperAction } = robot.interfaces;
    for (const topic of new Set([armTopic, gripperTopic])) {
      this.node.createSubscription<JointTrajectory>('trajectory_msgs/msg/JointTrajectory', topic, qos, (msg) => robot.trajectory(topic, msg));
    }
    this.node.createSubscription<JointState>('sensor_msgs/msg/JointState', jointCommandTopic, qos, (msg) => robot.jointCommand(jointCommandTopic, msg));
    for (const [type, name] of [
      ['control_msgs/action/FollowJointTrajectory', armAction],
      ['control_msgs/action/GripperCommand', gripperAction],
    ]) {
      this.serveAction(type, name);
    }
  }

  /** An action server whose goals the simulated robot executes. */
  private serveAction(type: string, name: string): void {
    const goals = new Map<RosServerGoal, SimulatedGoal>();
    this.node.createActionServer(type, name, {
      accepted: (handle) => {
        goals.set(handle, this.robot.goal(type, name, handle.request));
        handle.execute();
      },
      execute: async (handle) => {
        const { status, result } = await goals.get(handle)!.result;
        goals.delete(handle);
        if (status === GoalStatus.SUCCEEDED) handle.succeed();
        else if (status === GoalStatus.CANCELED) handle.canceled();
        else handle.abort();
        return result as object;
      },
      cancel: (handle) => goals.get(handle)?.cancel(),
    });
  }

  private publishDescription(publisher: (type: string, topic: string, profile: QosProfile) => Publish): void {
    const qos = NODE_QOS;
    const urdf = readFileSync(presetUrdfPath(this.options.robot, this.settings.robot.descriptionFile || undefined), 'utf8');
    publisher('std_msgs/msg/String', 'robot_description', qos.latched)({ data: urdf });
    // Where the camera is: its optical frame in the arm's base frame.
    const world = this.robot.tabletop;
    const m = world.worldFromCamera;
    publisher('tf2_msgs/msg/TFMessage', '/tf_static', qos.tfStatic)({
      transforms: [
        {
          header: makeHeader(timeFromSeconds(this.clockStart), this.settings.robot.baseLink),
          child_frame_id: CAMERA_FRAME,
          transform: { translation: { x: m[3], y: m[7], z: m[11] }, rotation: rotationQuaternion(m) },
        },
      ],
    });
  }
}
