/**
 * Closed-loop episodes in the tabletop world, through the node's own path: the reasoning session
 * (src/pipeline/session.ts) with the node's parameters, sending its commands to the simulated
 * robot (simulated_robot.ts) as it sends them to an arm's controllers, on a simulated clock.
 *
 * The camera publishes at `cameraHz` and the joint states at JOINT_STATE_HZ, as drivers do. When
 * the session takes a frame, the robot runs on for `latencySec` of simulated time (the reasoning
 * step's duration) before the step's result is handled, so that the command leaves at that time,
 * whatever the step took on this machine: episodes are repeatable.
 */
import type { NodeSettings } from '../../config/settings.js';
import { resolvePackagePath } from '../../config/package_root.js';
import { timeFromSeconds, toSeconds } from '../../core/messages/time.js';
import type { Image, JointTrajectory, VisualTrace } from '../../core/messages/types.js';
import { makeHeader } from '../../core/messages/builders.js';
import { ReasoningSession } from '../../pipeline/session.js';
import { ReasonerInitError } from '../../inference/reasoner.js';
import type { Frame, ReasoningStep, RgbImage, TracePoints } from '../../core/model/types.js';
import { interfacesOf, SimulatedRobot } from './simulated_robot.js';
import { SimTransport } from './sim_transport.js';
import { episodeGoal, type PlannedEpisode } from './episode_plan.js';
import { TabletopWorld } from './world.js';

/** How often the simulated joint_state_broadcaster publishes. */
const JOINT_STATE_HZ = 100;
/** Pause between episodes (simulated), for the stop and the reset to settle. */
const EPISODE_GAP_SEC = 1;

export interface SimulationOptions {
  /** The node's parameters: model, execution policy, controller interfaces, limits. */
  settings: NodeSettings;
  cameraHz?: number;
  /** Simulated duration of a reasoning step. */
  latencySec?: number;
  /** Warnings of the session (refusals, failed steps); quiet by default. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface EpisodeOptions extends PlannedEpisode {
  /** Simulated seconds before the episode is given up. */
  maxSec: number;
  /** Called for frames the session reasoned about (at most every `recordPeriodSec`), for pictures and recordings. */
  onFrame?: (record: FrameRecord) => void;
  recordPeriodSec?: number;
}

export interface FrameRecord {
  /** Reasoning steps before this one in the episode. */
  step: number;
  stampSec: number;
  instruction: string;
  /** The camera frame and joint state as published (images copied). */
  frame: Frame;
  rgb: RgbImage;
  /** The trace the actions followed (a steering trace when there is one). */
  trace: TracePoints | null;
  traceOverridden: boolean;
  actions: number[][];
  /** The trajectory sent, or why none was. */
  trajectory: JointTrajectory | null;
  refusal: string | null;
}

export interface EpisodeResult {
  success: boolean;
  /** Simulated seconds the episode ran. */
  seconds: number;
  /** Reasoning steps the session completed. */
  reasoningSteps: number;
  /** Commands the session sent, and refused. */
  commands: number;
  refusals: number;
  stepMs: number[];
  /** Why the episode ended without success. */
  failure: string | null;
}

/** The session, the simulated robot and their clock, kept over many episodes (the model loads once). */
export class TabletopSimulation {
  private step: { step: ReasoningStep; roundTripMs: number } | null = null;
  private command: { trajectory: JointTrajectory | null; refusal: string | null } | null = null;
  private readonly stepMs: number[] = [];
  private commands = 0;
  private refusals = 0;
  private steps = 0;

  private constructor(
    readonly settings: NodeSettings,
    readonly robot: SimulatedRobot,
    readonly transport: SimTransport,
    private session: ReasoningSession | null,
    private readonly cameraHz: number,
    private readonly latencySec: number,
  ) {}

  static async start(options: SimulationOptions): Promise<TabletopSimulation> {
    const log = options.log ?? (() => {});
    const robot = new SimulatedRobot(TabletopWorld.create({ seed: 0 }), interfacesOf(options.settings), 1_700_000_000);
    const transport = new SimTransport(robot, (level, message) => log(level, message));
    const simulation = new TabletopSimulation(options.settings, robot, transport, null, options.cameraHz ?? 30, options.latencySec ?? 0.01);
    const session = await ReasoningSession.start(options.settings, {
      now: () => timeFromSeconds(robot.now),
      log: { info: (m) => log('info', m), warn: (m) => log('warn', m), error: (m) => log('error', m) },
      transport,
      markers: () => {},
      reasoning: null,
      traceImage: { publish: () => {}, wanted: () => false },
      depthImage: { publish: () => {}, wanted: () => false },
      observer: {
        onStep: (step, timing) => simulation.onStep(step, timing.roundTripMs),
        onCommand: (trajectory, refusal) => simulation.onCommand(trajectory, refusal),
      },
    });
    simulation.session = session;
    if (!session.modelSummary) {
      await simulation.close();
      throw new ReasonerInitError(session.modelLoadError ?? `the model in ${options.settings.modelDir} could not be loaded`);
    }
    // As robot_state_publisher would: the arm's URDF, which the simulated robot is.
    session.setRobotDescriptionFile(resolvePackagePath('config/robots/urdf/panda.urdf'));
    return simulation;
  }

  get model() {
    return this.session!.modelSummary!;
  }

  async close(): Promise<void> {
    await this.session?.shutdown();
  }

  async runEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
    const session = this.session!;
    const { world, task } = options;
    const robot = this.robot;
    // The end of the last episode: stop, then the new world with nothing running.
    session.setEnabled(false);
    robot.reset(world);
    robot.advance(robot.now + EPISODE_GAP_SEC);
    session.setTraceOverride(emptyTrace());
    session.setInstruction(task.instruction);
    session.setEnabled(true);

    const goal = episodeGoal(options);
    const counts = { steps: this.steps, commands: this.commands, refusals: this.refusals, stepMs: this.stepMs.length };
    const startSec = robot.now;
    const period = 1 / this.cameraHz;
    let nextFrame = robot.now;
    let nextJoints = robot.now;
    let lastRecord = -Infinity;
    let steps = 0;

    while (robot.now - startSec < options.maxSec) {
      const steering = goal.steering(robot.now);
      if (steering) session.setTraceOverride(steering);
      const sensors = robot.sensors();
      const record = options.onFrame && robot.now - lastRecord >= (options.recordPeriodSec ?? 0.25);
      const kept = record ? { frame: copyFrame(sensors), rgb: { ...sensors.rendered.rgb, data: sensors.rendered.rgb.data.slice() } } : null;
      this.step = null;
      this.command = null;
      session.addCameraInfo(sensors.cameraInfo);
      session.addJointState(sensors.joints);
      session.addDepth(sensors.depth);
      session.addRgb(sensors.rgb);
      if (session.busy) {
        robot.advance(robot.now + this.latencySec);
        await session.idle();
        steps++;
      }
      const reasoned = this.lastStep();
      if (kept && reasoned) {
        const command = this.lastCommand();
        lastRecord = toSeconds(kept.frame.stamp);
        options.onFrame!({
          step: steps - 1,
          stampSec: lastRecord,
          instruction: task.instruction,
          frame: kept.frame,
          rgb: kept.rgb,
          trace: reasoned.trace.x.length > 0 ? reasoned.trace : null,
          traceOverridden: reasoned.traceOverridden,
          actions: reasoned.actions,
          trajectory: command?.trajectory ?? null,
          refusal: command?.refusal ?? null,
        });
      }
      nextFrame = Math.max(nextFrame + period, robot.now);
      // Between frames: the controllers run, the joint states go out, success is judged.
      while (robot.now < nextFrame - 1e-9) {
        nextJoints = Math.max(nextJoints + 1 / JOINT_STATE_HZ, robot.now);
        robot.advance(Math.min(nextJoints, nextFrame));
        if (robot.now >= nextJoints - 1e-9) session.addJointState(robot.jointState());
      }
      if (goal.done()) return this.result(true, robot.now - startSec, counts, null);
    }
    return this.result(false, robot.now - startSec, counts, `not done after ${options.maxSec} s`);
  }

  private result(success: boolean, seconds: number, before: { steps: number; commands: number; refusals: number; stepMs: number }, failure: string | null): EpisodeResult {
    return {
      success,
      seconds,
      reasoningSteps: this.steps - before.steps,
      commands: this.commands - before.commands,
      refusals: this.refusals - before.refusals,
      stepMs: this.stepMs.slice(before.stepMs),
      failure,
    };
  }

  /** The step handled since the last frame was given (set by the session's observer). */
  private lastStep(): ReasoningStep | null {
    return this.step?.step ?? null;
  }

  private lastCommand(): { trajectory: JointTrajectory | null; refusal: string | null } | null {
    return this.command;
  }

  private onStep(step: ReasoningStep, roundTripMs: number): void {
    this.step = { step, roundTripMs };
    this.steps++;
    this.stepMs.push(roundTripMs);
    if (this.stepMs.length > 100_000) this.stepMs.splice(0, 50_000);
  }

  private onCommand(trajectory: JointTrajectory | null, refusal: string | null): void {
    this.command = { trajectory, refusal };
    if (trajectory) this.commands++;
    else this.refusals++;
  }
}

function emptyTrace(): VisualTrace {
  return { header: makeHeader(timeFromSeconds(0), ''), width: 0, height: 0, u: [], v: [] };
}

function copyFrame(sensors: ReturnType<SimulatedRobot['sensors']>): Frame {
  const image = (m: Image): Image => ({ ...m, data: m.data.slice() });
  return {
    stamp: sensors.rgb.header.stamp,
    frameId: sensors.rgb.header.frame_id,
    rgb: image(sensors.rgb),
    depth: image(sensors.depth),
    cameraInfo: sensors.cameraInfo,
    joints: { ...sensors.joints, position: Array.from(sensors.joints.position), velocity: Array.from(sensors.joints.velocity) },
  };
}

