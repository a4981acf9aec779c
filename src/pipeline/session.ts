/**
 * The reasoning session: the one path from sensor messages to commands that every front end
 * drives (the ROS node, the tabletop simulation, the benchmark).
 *
 *   messages -> FrameSync -> Reasoner (worker) -> markers, reasoning, pictures
 *                                               -> CommandPlanner (SafetyGuard) -> controller outputs
 *
 * What differs between front ends comes in through PipelinePorts: the clock, the log, where
 * results are published, and the transport the controller outputs send through. Nothing here
 * knows rclnodejs.
 */
import type { NodeSettings } from '../config/settings.js';
import { armModelOptions } from '../config/settings.js';
import { FrameSync, imageLoss, LOSS_WINDOW, type FrameSyncLimits } from '../core/sync/frame_sync.js';
import { Reasoner, type StepImages } from '../inference/reasoner.js';
import { proprioSource } from '../core/model/proprioception.js';
import type { WorkerError } from '../inference/worker_protocol.js';
import type { ModelSummary } from '../core/model/model_summary.js';
import type { Frame, ReasoningStep, TracePoints } from '../core/model/types.js';
import { traceFromMessage } from '../core/model/trace_override.js';
import { ClickedWaypoints } from '../core/model/clicked_trace.js';
import { TfTree } from '../core/kinematics/tf_tree.js';
import { applyToPoint } from '../core/kinematics/transform.js';
import { ArmModel } from '../core/kinematics/arm_model.js';
import { PinholeCamera } from '../core/messages/camera_model.js';
import { CommandPlanner } from '../core/control/command_planner.js';
import { stopTrajectory } from '../core/control/stop_trajectory.js';
import { trajectoryDuration } from '../core/control/trajectory_sampler.js';
import { buildTraceMarkers } from '../core/visualize/trace_markers.js';
import { encodeRgbImage } from '../core/messages/image_codec.js';
import { jointMotion } from '../core/messages/joint_state.js';
import { toSeconds } from '../core/messages/time.js';
import { makeHeader } from '../core/messages/builders.js';
import type {
  ActionReasoning,
  CameraInfo,
  CompressedImage,
  Image,
  JointState,
  JointTrajectory,
  MarkerArray,
  PointStamped,
  Time,
  TransformStamped,
  VisualTrace,
} from '../core/messages/types.js';
import { buildReasoningMessage } from '../core/report/reasoning_message.js';
import { ThrottledLog } from '../core/report/throttled_log.js';
import { DiagnosticLevel, type HealthReport } from '../core/report/diagnostics.js';
import { createArmOutput, createGripperOutput } from './outputs/create_outputs.js';
import type { ControllerOutput, GripperOutput, GripperTuning } from './outputs/ports.js';
import type { CommandTransport } from './outputs/transport.js';
import { loadArmModel } from '../config/robot_files.js';

function gripperTuning(settings: NodeSettings): GripperTuning {
  return { maxEffort: settings.gripper.maxEffort, moveTimeSec: settings.chunkStepSec };
}

function syncLimits(settings: NodeSettings): FrameSyncLimits {
  return { slopSec: settings.syncSlopSec, maxAgeSec: settings.maxFrameAgeSec, maxFutureSec: settings.maxFrameFutureSec };
}

/** Least time between two warnings of the same kind that can repeat at the frame rate. */
const WARNING_PERIOD_SEC = 10;

export interface PipelineLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A picture output: published only while someone wants it. */
export interface ImageSink {
  publish(msg: Image): void;
  wanted(): boolean;
}

/** What a front end gives the session. */
export interface PipelinePorts {
  /** The node's clock (ROS time: simulated time under use_sim_time). */
  now(): Time;
  log: PipelineLog;
  /** How commands leave: rclnodejs on a robot, the simulated controllers in the simulation. */
  transport: CommandTransport;
  markers(msg: MarkerArray): void;
  /** null where the package's own messages are not available. */
  reasoning: ((msg: ActionReasoning) => void) | null;
  traceImage: ImageSink;
  depthImage: ImageSink;
  /** Told of every completed step and of every command sent or refused (the simulation keeps score with it). */
  observer?: SessionObserver;
}

/** A step's time in the worker and its round trip from the main thread (frame sent to step received). */
export interface StepTiming {
  workerMs: number;
  roundTripMs: number;
}

export interface SessionObserver {
  onStep?(step: ReasoningStep, timing: StepTiming): void;
  /** A trajectory that went out, or why none did (only while actuation is enabled). */
  onCommand?(trajectory: JointTrajectory | null, refusal: string | null): void;
}

/** What the session has done, for diagnostics and tests. */
export interface SessionCounters {
  steps: number;
  commandsSent: number;
  commandsRefused: number;
  framesWithoutInstruction: number;
  badOverrides: number;
  framesWhileChunkRuns: number;
}

export class ReasoningSession {
  private settings: NodeSettings;
  private readonly sync: FrameSync;
  private reasoner: Reasoner | null = null;
  /** When the newest frame whose pictures were asked for was handed over (node clock, s). */
  private lastPicturesSec = -Infinity;
  private model: ModelSummary | null = null;
  private modelError: string | null = null;
  private enabled: boolean;
  private instruction: string;
  private traceOverride: TracePoints | null = null;
  private readonly clicks = new ClickedWaypoints();
  private readonly tf = new TfTree();
  private latestCameraInfo: CameraInfo | null = null;
  /** Where the latest planned trace starts in the image: the first point of a clicked trace. */
  private plannedStart: { u: number; v: number } | null = null;
  private latestJoints: JointState | null = null;
  /** The sync's received counts when image loss was last looked at. */
  private lossCheckedAt = { rgb: 0, depth: 0, cameraInfo: 0, joints: 0 };
  private lastRefusal = '';
  private lastStepMs = 0;
  /** A remote model's server time in the last step (request sent to answer read). */
  private lastServerMs: number | null = null;
  /** Failed steps by kind: a RemoteError's code (timeout, connection, http, ...) or the error's name. */
  private readonly stepFailures = new Map<string, number>();
  private lastProblem: { level: 1 | 2; message: string } | null = null;
  private readonly warnedOnce = new Set<string>();
  /** Warnings that can repeat at the frame rate (failed steps, bad messages): one per kind per period (wall clock: the log is read by people, also while sim time stands still). */
  private readonly throttled: ThrottledLog;
  readonly counters: SessionCounters = {
    steps: 0,
    commandsSent: 0,
    commandsRefused: 0,
    framesWithoutInstruction: 0,
    badOverrides: 0,
    framesWhileChunkRuns: 0,
  };
  private readonly planner: CommandPlanner;
  private robotError: string | null = null;
  private readonly output: ControllerOutput;
  private readonly gripperOutput: GripperOutput | null;
  /** Resolves waiters once no step is in flight or waiting. */
  private idleWaiters: (() => void)[] = [];

  private constructor(
    settings: NodeSettings,
    private readonly ports: PipelinePorts,
  ) {
    this.settings = settings;
    this.enabled = settings.autostart;
    this.instruction = settings.instruction;
    this.throttled = new ThrottledLog((m) => ports.log.warn(m), WARNING_PERIOD_SEC, () => Date.now() / 1000);
    this.sync = new FrameSync({
      ...syncLimits(settings),
      now: () => this.nowSeconds(),
      onClockJump: (backSec) => this.onClockJump(backSec),
      onFutureStamp: (aheadSec) =>
        this.warnThrottled(
          'future-stamp',
          `a message stamped ${aheadSec.toFixed(3)} s ahead of the node clock was refused (max_frame_future_s ${this.settings.maxFrameFutureSec}): are the sender's clock and use_sim_time right?`,
        ),
    });
    this.planner = new CommandPlanner(settings, null);
    const controller = settings.controller;
    this.output = createArmOutput(ports.transport, {
      interface: controller.interface,
      topic: controller.topic,
      action: controller.action,
      jointCommandTopic: controller.jointCommandTopic,
      rateHz: controller.rateHz,
    });
    const gripper = settings.gripper;
    this.gripperOutput = createGripperOutput(ports.transport, {
      interface: gripper.interface,
      topic: gripper.topic,
      action: gripper.action,
      ...gripperTuning(settings),
      stream: this.output,
    });
  }

  /** Creates the session and starts its reasoning worker; a model that cannot load leaves it running without reasoning. */
  static async start(settings: NodeSettings, ports: PipelinePorts): Promise<ReasoningSession> {
    const session = new ReasoningSession(settings, ports);
    await session.startReasoner();
    return session;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  get modelSummary(): ModelSummary | null {
    return this.model;
  }

  /** Why the model could not be loaded, or null. */
  get modelLoadError(): string | null {
    return this.modelError;
  }

  /** The arm's kinematics and limits, once a URDF has been loaded. */
  get armModel(): ArmModel | null {
    return this.planner.armModel;
  }

  get currentInstruction(): string {
    return this.instruction;
  }

  /** A reasoning step in flight, or a frame waiting for one. */
  get busy(): boolean {
    return this.reasoner?.hasWork ?? false;
  }

  /** Resolves once no reasoning step is in flight or waiting (the simulation steps time on that). */
  idle(): Promise<void> {
    if (!this.reasoner?.hasWork) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    this.output.dispose();
    this.gripperOutput?.dispose();
    await this.reasoner?.close();
    this.reasoner = null;
    this.settleIdle();
  }

  // ---- inputs ----------------------------------------------------------------------------

  addRgb(msg: Image | CompressedImage): void {
    this.onFrame(this.sync.addRgb(msg));
  }

  addDepth(msg: Image): void {
    this.onFrame(this.sync.addDepth(msg));
  }

  addCameraInfo(msg: CameraInfo): void {
    this.latestCameraInfo = msg;
    this.checkImageLoss();
    this.onFrame(this.sync.addCameraInfo(msg));
  }

  addJointState(msg: JointState): void {
    this.latestJoints = msg;
    this.onFrame(this.sync.addJointState(msg));
  }

  /** An image of a further camera the model takes (see ModelSummary.extraCameras). */
  addExtraImage(camera: string, msg: Image | CompressedImage): void {
    this.onFrame(this.sync.addExtraImage(camera, msg));
  }

  addTransforms(transforms: TransformStamped[], isStatic: boolean): void {
    this.tf.add(transforms, isStatic);
  }

  setInstruction(text: string): void {
    if (text === this.instruction) return; // the latched and the volatile subscription both deliver it
    this.instruction = text;
    this.ports.log.info(text.trim() ? `instruction: "${text}"` : 'instruction cleared: reasoning paused');
  }

  setTraceOverride(msg: VisualTrace): void {
    if (msg.u.length === 0) {
      this.traceOverride = null;
      this.clicks.clear();
      this.ports.log.info('trace override cleared: the model plans its own trace again');
      return;
    }
    if (!this.model) return;
    if (this.model.steeringUnavailable) {
      this.counters.badOverrides++;
      this.ports.log.warn(`trace override ignored: ${this.model.steeringUnavailable}`);
      return;
    }
    try {
      this.traceOverride = traceFromMessage(msg, this.model.tracePoints);
      this.ports.log.info(`trace override set (${msg.u.length} points drawn)`);
    } catch (err) {
      this.counters.badOverrides++;
      this.ports.log.warn(`trace override ignored: ${(err as Error).message}`);
    }
  }

  /** A point clicked in rviz: the next waypoint of a steering trace, mapped into the camera through tf. */
  addClickedPoint(msg: PointStamped): void {
    const info = this.latestCameraInfo;
    try {
      if (!info) throw new Error('no camera_info received yet');
      const camera = PinholeCamera.fromCameraInfo(info);
      const toCamera = this.tf.lookup(info.header.frame_id, msg.header.frame_id, this.nowSeconds());
      const trace = this.clicks.add(applyToPoint(toCamera, msg.point), camera, this.plannedStart, makeHeader(this.ports.now(), info.header.frame_id));
      this.ports.log.info(`waypoint ${this.clicks.count} clicked in ${msg.header.frame_id || '(no frame)'}`);
      this.setTraceOverride(trace);
    } catch (err) {
      this.counters.badOverrides++;
      this.ports.log.warn(`clicked point ignored: ${(err as Error).message}`);
    }
  }

  /** The actuation interlock; returns what happened, for the caller to report. */
  setEnabled(wanted: boolean): { enabled: boolean; message: string } {
    if (wanted && !this.model) return { enabled: this.enabled, message: 'no model loaded: nothing to command' };
    const wasEnabled = this.enabled;
    this.enabled = wanted;
    if (!wanted && wasEnabled) this.stopArm();
    let message = wanted ? 'actuation enabled' : 'actuation disabled: dry run';
    if (wanted && !this.planner.armModel) message += `, but nothing is commanded: ${this.robotError ?? this.waitingForRobotModel()}`;
    this.ports.log.info(message);
    return { enabled: this.enabled, message };
  }

  /** New settings at run time (parameter changes the node accepted). */
  updateSettings(settings: NodeSettings): void {
    this.settings = settings;
    this.sync.configure(syncLimits(settings));
    this.planner.updateSettings(settings);
    this.gripperOutput?.configure(gripperTuning(settings));
    this.reasoner?.configure(proprioSource(settings.jointNames, settings.gripper));
  }

  /** The robot model from a URDF (robot_description); a broken one means no command until a good one arrives. */
  setRobotDescription(urdf: string, source: string): void {
    this.setRobotModel(() => ArmModel.fromUrdf(urdf, armModelOptions(this.settings)), source);
  }

  setRobotDescriptionFile(file: string): void {
    this.setRobotModel(() => loadArmModel(file, armModelOptions(this.settings)), file);
  }

  // ---- reasoning -------------------------------------------------------------------------

  private onFrame(frame: Frame | null): void {
    if (!frame || !this.reasoner) return;
    if (this.instruction.trim().length === 0) {
      this.counters.framesWithoutInstruction++;
      return;
    }
    if (this.enabled && !this.planner.acceptsFrame(this.nowSeconds())) {
      this.counters.framesWhileChunkRuns++; // open_loop: the running chunk finishes first
      return;
    }
    const traceImage = this.settings.publishTraceImage && this.ports.traceImage.wanted();
    const depthImage = this.settings.publishDepthImage && this.ports.depthImage.wanted();
    const pictures = (traceImage || depthImage) && this.picturesDue();
    this.reasoner.submit(
      frame,
      { instruction: this.instruction, traceOverride: this.traceOverride ?? undefined },
      { traceImage: pictures && traceImage, depthImage: pictures && depthImage },
    );
  }

  /**
   * Whether this frame's pictures are to be published: at most one frame's per picture_period_s.
   * The worker draws them off the command's path, but sending each 1280x720 picture takes the
   * executor milliseconds that the next sets would otherwise wait for.
   */
  private picturesDue(): boolean {
    const now = this.nowSeconds();
    // A tenth of the period early still counts, so a camera at exactly the picture rate, with its
    // jitter, keeps every frame's pictures. A clock that went back (a looping bag) starts afresh.
    const since = now - this.lastPicturesSec;
    if (since >= 0 && since < 0.9 * this.settings.picturePeriodSec) return false;
    this.lastPicturesSec = now;
    return true;
  }

  private async startReasoner(): Promise<void> {
    const remoteTimeoutMs = this.settings.inference.remote?.timeoutMs ?? 0;
    const reasoner = new Reasoner({
      init: {
        modelDir: this.settings.modelDir,
        proprio: proprioSource(this.settings.jointNames, this.settings.gripper),
        backend: this.settings.inference,
      },
      // A step is hung (the worker is replaced) only well after a remote request would have timed out.
      stepTimeoutMs: Math.max(30_000, remoteTimeoutMs + 10_000),
      handlers: {
        onStep: (step, timing) => this.afterStep(() => this.onStep(step, timing)),
        onImages: (images) => this.onImages(images),
        onError: (kind, error) => this.afterStep(() => this.onReasonerError(kind, error)),
        onRestart: (restarts) => this.ports.log.warn(`reasoning worker restarted (${restarts} so far)`),
      },
    });
    try {
      this.model = await reasoner.start();
      this.reasoner = reasoner;
      this.checkModelFitsArm(this.model);
      if (this.model.extraCameras.length > 0) this.sync.setExtraCameras(this.model.extraCameras.map((c) => c.name));
      this.ports.log.info(
        `model ${this.model.name} loaded (${this.model.actionSpace}, chunk ${this.model.chunkLength}x${this.model.actionDim}); ` +
          (this.enabled ? 'actuation ENABLED (autostart)' : 'dry run until ~/enable is called with true'),
      );
    } catch (err) {
      await reasoner.close();
      this.modelError = (err as Error).message;
      this.lastProblem = { level: DiagnosticLevel.ERROR, message: this.modelError };
      this.ports.log.error(`${this.modelError}; the node runs without reasoning and commands nothing`);
    }
  }

  /** Runs a step's handling, then wakes whoever waits for the session to be idle. */
  private afterStep(handle: () => void): void {
    try {
      handle();
    } finally {
      if (!this.reasoner?.hasWork) this.settleIdle();
    }
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Says when images go missing between the camera and the node (see imageLoss). */
  private checkImageLoss(): void {
    const received = this.sync.stats.received;
    if (received.cameraInfo - this.lossCheckedAt.cameraInfo < LOSS_WINDOW) return;
    const problem = imageLoss(this.lossCheckedAt, received);
    this.lossCheckedAt = received;
    if (problem) this.warnThrottled('image-loss', problem);
  }

  /**
   * The clock went back (a looping bag, a restarted simulator): the sync has started afresh, and
   * what was running or scheduled by the old clock is forgotten, so that it holds nothing back.
   */
  private onClockJump(backSec: number): void {
    this.planner.reset();
    this.gripperOutput?.cancel();
    this.ports.log.warn(`the clock jumped back ${backSec.toFixed(3)} s: synchronisation starts afresh and the running chunk is forgotten`);
  }

  private checkModelFitsArm(model: ModelSummary): void {
    const joints = this.settings.jointNames.length;
    if (model.gripperIndex !== undefined && this.settings.gripper.interface === 'none') {
      this.warnOnce('gripper', `model ${model.name} commands a gripper but gripper_interface is none: the gripper is not driven`);
    }
    if (model.actionSpace === 'ee_delta') return; // IK drives every joint from the pose
    if (model.gripperIndex !== undefined) {
      if (model.actionDim > joints + 1) {
        this.warnOnce('extra-dims', `model actions have ${model.actionDim} values for ${joints} joints and a gripper: the extra values are not driven`);
      }
    } else if (model.actionDim > joints) {
      this.warnOnce('extra-dims', `model actions have ${model.actionDim} values for ${joints} joints: the extra values (e.g. a gripper) are not driven`);
    }
  }

  private onStep(step: ReasoningStep, timing: StepTiming): void {
    this.counters.steps++;
    this.lastStepMs = timing.roundTripMs;
    this.lastServerMs = step.timings.server ?? null;
    const model = this.model!;
    if (!step.traceOverridden && step.tracePixels.length > 0) this.plannedStart = step.tracePixels[0];
    // The command first: it is what the arm waits for; the pictures for people come after it.
    this.command(step, model);
    this.ports.markers(buildTraceMarkers(step));
    this.ports.reasoning?.(buildReasoningMessage(step, model, this.ports.now()));
    this.ports.observer?.onStep?.(step, timing);
  }

  private onImages(images: StepImages): void {
    const header = makeHeader(images.stamp, images.frameId);
    if (images.traceImage) this.ports.traceImage.publish(encodeRgbImage(header, images.traceImage));
    if (images.depthImage) this.ports.depthImage.publish(encodeRgbImage(header, images.depthImage));
  }

  private onReasonerError(kind: 'step' | 'render' | 'worker', error: WorkerError): void {
    if (kind === 'step') {
      const failure = error.code ?? error.name;
      this.stepFailures.set(failure, (this.stepFailures.get(failure) ?? 0) + 1);
    }
    const message = `${kind === 'step' ? 'step failed' : kind === 'render' ? 'image not drawn' : 'worker'}: ${error.message}`;
    this.lastProblem = { level: kind === 'worker' ? DiagnosticLevel.ERROR : DiagnosticLevel.WARN, message };
    this.throttled.warn(`${kind}:${error.name}:${error.code ?? ''}`, message);
  }

  // ---- commands --------------------------------------------------------------------------

  /** Stops the arm (after ~/enable false) and forgets the running chunk. */
  private stopArm(): void {
    const now = this.nowSeconds();
    let positions: Float64Array | null = null;
    let hold: JointTrajectory | null = null;
    try {
      const joints = this.latestJoints;
      const age = joints ? now - toSeconds(joints.header.stamp) : Infinity;
      if (joints && age <= this.settings.maxJointStateAgeSec) {
        const measured = jointMotion(joints, this.settings.jointNames);
        positions = measured.positions;
        const limits = this.planner.jointLimits;
        if (limits) {
          hold = stopTrajectory({
            positions,
            velocities: measured.velocities,
            ageSec: Math.max(0, age),
            limits,
            minDurationSec: this.settings.chunkStepSec,
            deceleration: this.settings.stopDeceleration,
          });
        }
      } else {
        this.ports.log.warn('stopping without a fresh joint state: the running trajectory is left to end at rest');
      }
    } catch (err) {
      this.ports.log.warn(`stopping without the measured state (${(err as Error).message}): the running trajectory is left to end at rest`);
    }
    // What runs on the arm from now on: the stop, or without one the trajectory that was running.
    this.planner.reset(hold ? now + trajectoryDuration(hold) : this.planner.runningUntilSec);
    try {
      this.output.stop(hold, positions);
      // What the chunk had still to do with the gripper is dropped with it.
      this.gripperOutput?.cancel();
    } catch (err) {
      this.ports.log.error(`stopping the arm failed: ${(err as Error).message}`);
    }
  }

  /** Turns the step's action chunk into a command and sends it, if the SafetyGuard allows it. */
  private command(step: ReasoningStep, model: ModelSummary): void {
    try {
      this.commandUnchecked(step, model);
    } catch (err) {
      // Whatever goes wrong while commanding, the executor goes on and nothing more is sent.
      this.refuse(`commanding failed: ${(err as Error).message}`);
    }
  }

  private commandUnchecked(step: ReasoningStep, model: ModelSummary): void {
    if (!this.enabled) return; // dry run: reasoning and markers only
    if (!this.planner.armModel) return this.refuse(this.robotError ?? this.waitingForRobotModel());
    // A slow model may answer for a task that a person has since replaced: that chunk is not theirs.
    if (step.instruction !== this.instruction) return this.refuse(`the instruction changed while the model thought (it answered "${step.instruction}")`);
    const joints = this.latestJoints;
    let current: Float64Array = new Float64Array(0);
    let currentVelocity: Float64Array | null = null;
    if (joints) {
      try {
        ({ positions: current, velocities: currentVelocity } = jointMotion(joints, this.settings.jointNames));
      } catch (err) {
        return this.refuse((err as Error).message);
      }
    }
    const now = this.nowSeconds();
    const decision = this.planner.plan(step.actions, model, {
      enabled: this.enabled,
      now,
      imageStamp: toSeconds(step.stamp),
      jointStateStamp: joints ? toSeconds(joints.header.stamp) : null,
      current,
      currentVelocity,
      frameJoints: step.jointPositions,
    });
    if (!decision.ok) return this.refuse(decision.reason);
    if (!this.output.send(decision.trajectory, current, currentVelocity ?? undefined)) return this.refuse('the controller did not take the trajectory (see controller_last_outcome)');
    this.planner.sent(decision, now);
    if (decision.gripper.length > 0 && this.gripperOutput) {
      // A gripper controller takes its own joints; a stream of every joint (Isaac Sim) needs the mimics too.
      const streamed = this.settings.gripper.interface === 'joint_state_command';
      this.gripperOutput.send(
        decision.gripper.map(({ startSec, endSec, target }) => ({
          startSec,
          endSec,
          closed: target.closed,
          position: target.position,
          names: streamed ? target.allNames : target.names,
          positions: streamed ? target.allPositions : target.positions,
        })),
      );
    }
    this.counters.commandsSent++;
    this.lastRefusal = '';
    this.ports.observer?.onCommand?.(decision.trajectory, null);
  }

  /** Why nothing moves yet; a robot_description_file is loaded at start, so only the topic is awaited. */
  private waitingForRobotModel(): string {
    return (
      'no robot model yet: waiting for the URDF on /robot_description (robot_state_publisher ' +
      'publishes it), or set robot_description_file (config/robots/urdf/panda.urdf for the default Panda)'
    );
  }

  private refuse(reason: string): void {
    this.counters.commandsRefused++;
    this.ports.observer?.onCommand?.(null, reason);
    if (reason !== this.lastRefusal) this.ports.log.warn(`no command: ${reason}`);
    this.lastRefusal = reason;
  }

  private setRobotModel(build: () => ArmModel, source: string): void {
    try {
      const arm = build();
      this.planner.setArm(arm);
      this.robotError = null;
      const unknownGripperJoints = this.settings.gripper.joints.filter((name) => !arm.robot.joints.has(name));
      if (this.settings.gripper.interface !== 'none' && unknownGripperJoints.length > 0) {
        this.ports.log.warn(`gripper_joints not in the URDF are not commanded: ${unknownGripperJoints.join(', ')}`);
      }
      this.ports.log.info(`robot model '${arm.robot.name}' from ${source}: ${arm.chain.baseLink} -> ${arm.chain.tipLink}, ${arm.chain.dof} joints`);
    } catch (err) {
      // A broken URDF never stops the node; it only means no command until a good one arrives.
      this.planner.setArm(null);
      this.robotError = `robot model from ${source} rejected: ${(err as Error).message}`;
      this.lastProblem = { level: DiagnosticLevel.ERROR, message: this.robotError };
      this.ports.log.error(`${this.robotError}; nothing is commanded`);
    }
  }

  // ---- reporting -------------------------------------------------------------------------

  /** The state of the session for /diagnostics; a passing problem is reported once, then cleared. */
  health(): HealthReport {
    const sync = this.sync.stats;
    const reasoner = this.reasoner?.stats;
    let problem = this.lastProblem;
    if (this.modelError) problem = { level: DiagnosticLevel.ERROR, message: this.modelError };
    else if (this.robotError) problem = { level: DiagnosticLevel.ERROR, message: this.robotError };
    else if (this.instruction.trim().length === 0) problem = { level: DiagnosticLevel.WARN, message: 'waiting for an instruction on ~/instruction' };
    const report: HealthReport = {
      problem,
      values: {
        model: this.model?.name ?? 'none',
        action_space: this.model?.actionSpace ?? 'none',
        actuation: this.enabled ? 'enabled' : 'dry run',
        instruction: this.instruction,
        trace_override: this.traceOverride !== null,
        frames_matched: sync.matched,
        frames_stale: sync.stale,
        frames_unmatched: sync.unmatched,
        frames_from_future: sync.future,
        received_rgb: sync.received.rgb,
        received_depth: sync.received.depth,
        received_camera_info: sync.received.cameraInfo,
        clock_jumps: sync.clockJumps,
        frames_without_instruction: this.counters.framesWithoutInstruction,
        steps_completed: reasoner?.completed ?? 0,
        steps_failed: reasoner?.failed ?? 0,
        frames_dropped_while_busy: reasoner?.dropped ?? 0,
        worker_restarts: reasoner?.restarts ?? 0,
        last_step_ms: this.lastStepMs.toFixed(1),
        commands_sent: this.counters.commandsSent,
        commands_refused: this.counters.commandsRefused,
        last_refusal: this.lastRefusal,
        robot_model: this.planner.armModel ? this.planner.armModel.robot.name : (this.robotError ?? 'waiting for robot_description'),
        execution_policy: this.settings.execution.policy,
        frames_while_chunk_runs: this.counters.framesWhileChunkRuns,
        ...this.remoteValues(),
        ...prefixed('controller_', this.output.status),
        ...prefixed('gripper_', this.gripperOutput?.status ?? {}),
      },
    };
    this.lastProblem = null;
    return report;
  }

  /** A remote model's server, and how its requests went. */
  private remoteValues(): Record<string, string | number> {
    const remote = this.model?.remote;
    if (!remote) return {};
    const count = (code: string) => this.stepFailures.get(code) ?? 0;
    return {
      remote_server: remote.url,
      remote_protocol: remote.protocol,
      remote_timeouts: count('timeout'),
      remote_connection_failures: count('connection'),
      remote_http_errors: count('http'),
      remote_broken_answers: count('disconnected') + count('protocol'),
      remote_refused_answers: count('rejected') + count('OutputRejected'),
      remote_skipped_in_backoff: count('backoff'),
      remote_last_server_ms: this.lastServerMs === null ? '' : this.lastServerMs.toFixed(0),
    };
  }

  /** Logs a warning the first time its key comes up. */
  warnOnce(key: string, message: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.ports.log.warn(message);
  }

  /** A warning that may repeat at the frame rate: at most one per key per period. */
  warnThrottled(key: string, message: string): void {
    this.throttled.warn(key, message);
  }

  private nowSeconds(): number {
    return toSeconds(this.ports.now());
  }
}

function prefixed(prefix: string, values: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [prefix + key, value]));
}
