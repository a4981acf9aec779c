/**
 * The molmoact ROS 2 node: topics in, the Reasoner in its worker, markers, images, reasoning
 * and (when enabled) joint trajectories out.
 *
 * The executor thread only matches messages and publishes results; decoding and inference run in
 * the reasoning worker. Nothing is commanded until ~/enable is called (or autostart is set), and
 * every trajectory passes the limit check right before it is published.
 */
import type * as rclnodejs from 'rclnodejs';
import { loadParameterSchema, ConfigError, type ParameterSpec, type ParameterValue } from '../config/schema.js';
import { settingsFromValues, type NodeSettings } from '../config/settings.js';
import { FrameSync } from '../sync/frame_sync.js';
import { Reasoner, type StepImages } from '../reasoning/reasoner.js';
import { proprioSource } from '../reasoning/proprioception.js';
import type { ModelSummary, WorkerError } from '../reasoning/worker_protocol.js';
import type { ReasoningStep, TracePoints } from '../reasoning/types.js';
import { traceFromMessage } from '../reasoning/trace_override.js';
import { ClickedWaypoints } from '../reasoning/clicked_trace.js';
import { TfTree } from '../kinematics/tf_tree.js';
import { applyToPoint } from '../kinematics/transform.js';
import { PinholeCamera } from '../messages/camera_model.js';
import { CommandPlanner } from '../control/command_planner.js';
import { stopTrajectory } from '../control/stop_trajectory.js';
import { trajectoryDuration } from '../control/trajectory_sampler.js';
import { ArmModel } from '../kinematics/arm_model.js';
import { armModelOptions } from '../config/settings.js';
import { buildTraceMarkers } from '../visualize/trace_markers.js';
import { encodeRgbImage } from '../messages/image_codec.js';
import { jointMotion } from '../messages/joint_state.js';
import { toSeconds } from '../messages/time.js';
import { makeHeader } from '../messages/builders.js';
import type {
  ActionReasoning,
  CameraInfo,
  CompressedImage,
  DiagnosticArray,
  Image,
  JointState,
  JointTrajectory,
  PointStamped,
  TFMessage,
  MarkerArray,
  StringMsg,
  Time,
  VisualTrace,
} from '../messages/types.js';
import { buildReasoningMessage } from '../report/reasoning_message.js';
import { ThrottledLog } from '../report/throttled_log.js';
import { buildDiagnostics, DiagnosticLevel, type HealthReport } from '../report/diagnostics.js';
import { checkParameterChanges, declareParameters } from './parameters.js';
import { nodeQos, type NodeQos } from './qos.js';
import { createControllerOutput, createGripperOutput, type ControllerOutput, type GripperOutput } from './controller_output.js';
import type { Rcl } from './rcl.js';

/** Default input topics (DESIGN.md); change them with ROS remapping (`-r from:=to`). */
export const INPUT_TOPICS = {
  rgb: '/camera/color/image_raw',
  depth: '/camera/aligned_depth_to_color/image_raw',
  cameraInfo: '/camera/color/camera_info',
  jointStates: '/joint_states',
  instruction: '~/instruction',
  traceOverride: '~/trace_override',
  clickedPoint: '/clicked_point',
  tf: '/tf',
  tfStatic: '/tf_static',
} as const;

export const OUTPUT_TOPICS = {
  markers: '~/trace_markers',
  traceImage: '~/trace_image',
  depthImage: '~/depth_image',
  reasoning: '~/reasoning',
  diagnostics: '/diagnostics',
} as const;

/** Least time between two warnings of the same kind that can repeat at the frame rate. */
const WARNING_PERIOD_SEC = 10;

export interface MolmoActNodeOptions {
  nodeName?: string;
  namespace?: string;
  schema?: ParameterSpec[];
}

type Publish<M> = (msg: M) => void;

/** A publisher whose pictures are drawn only while someone listens. */
interface ImageOutput {
  publish: Publish<Image>;
  hasSubscribers(): boolean;
}

/** What the node has done, for diagnostics and tests. */
export interface NodeCounters {
  steps: number;
  commandsSent: number;
  commandsRefused: number;
  framesWithoutInstruction: number;
  badOverrides: number;
  framesWhileChunkRuns: number;
}

export class MolmoActNode {
  readonly node: rclnodejs.Node;
  private settings: NodeSettings;
  private values: Map<string, ParameterValue>;
  private readonly sync: FrameSync;
  private reasoner: Reasoner | null = null;
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
  private lastRefusal = '';
  private lastStepMs = 0;
  /** A remote model's server time in the last step (request sent to answer read). */
  private lastServerMs: number | null = null;
  /** Failed steps by kind: a RemoteError's code (timeout, connection, http, ...) or the error's name. */
  private readonly stepFailures = new Map<string, number>();
  private lastProblem: { level: 1 | 2; message: string } | null = null;
  private readonly warnedOnce = new Set<string>();
  /** Warnings that can repeat at the frame rate (failed steps, bad messages): one per kind per period (wall clock: the log is read by people, also while sim time stands still). */
  private readonly throttled = new ThrottledLog((m) => this.node.getLogger().warn(m), WARNING_PERIOD_SEC, () => Date.now() / 1000);
  readonly counters: NodeCounters = {
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

  private readonly publishMarkers: Publish<MarkerArray>;
  private readonly traceImageOutput: ImageOutput;
  private readonly depthImageOutput: ImageOutput;
  private readonly publishReasoning: Publish<ActionReasoning> | null;
  private readonly publishDiagnostics: Publish<DiagnosticArray>;
  private readonly timer: rclnodejs.Timer;

  private constructor(
    private readonly rcl: Rcl,
    private readonly schema: ParameterSpec[],
    options: MolmoActNodeOptions,
  ) {
    this.node = new rcl.Node(options.nodeName ?? 'molmoact', options.namespace ?? '');
    this.values = declareParameters(rcl, this.node, schema);
    this.settings = settingsFromValues(this.values);
    this.enabled = this.settings.autostart;
    this.instruction = this.settings.instruction;
    this.sync = new FrameSync({
      slopSec: this.settings.syncSlopSec,
      maxAgeSec: this.settings.maxFrameAgeSec,
      now: () => this.nowSeconds(),
    });
    this.node.addOnSetParametersCallback((parameters) => this.onParameterChange(parameters));

    const qos = nodeQos(rcl);
    this.publishMarkers = this.publisher('visualization_msgs/msg/MarkerArray', OUTPUT_TOPICS.markers, qos.output);
    this.traceImageOutput = this.imageOutput(OUTPUT_TOPICS.traceImage, qos.output);
    this.depthImageOutput = this.imageOutput(OUTPUT_TOPICS.depthImage, qos.output);
    this.publishDiagnostics = this.publisher('diagnostic_msgs/msg/DiagnosticArray', OUTPUT_TOPICS.diagnostics, qos.output);
    this.planner = new CommandPlanner(this.settings, null);
    const log = (level: 'info' | 'warn', message: string): void => {
      if (level === 'info') this.node.getLogger().info(message);
      else this.node.getLogger().warn(message);
    };
    const controller = this.settings.controller;
    this.output = createControllerOutput(rcl, this.node, {
      interface: controller.interface,
      topic: controller.topic,
      action: controller.action,
      jointCommandTopic: controller.jointCommandTopic,
      rateHz: controller.rateHz,
      qos: qos.command,
      now: () => this.nowSeconds(),
      log,
    });
    const gripper = this.settings.gripper;
    this.gripperOutput = createGripperOutput(rcl, this.node, {
      interface: gripper.interface,
      topic: gripper.topic,
      action: gripper.action,
      maxEffort: gripper.maxEffort,
      moveTimeSec: this.settings.chunkStepSec,
      qos: qos.command,
      stream: this.output,
      log,
    });
    this.loadRobotModel(qos);
    this.publishReasoning = this.customMessages(() =>
      this.publisher<ActionReasoning>('molmoact_ros/msg/ActionReasoning', OUTPUT_TOPICS.reasoning, qos.output),
    );

    if (this.settings.rgbTransport === 'compressed') {
      this.subscribe<CompressedImage>('sensor_msgs/msg/CompressedImage', `${INPUT_TOPICS.rgb}/compressed`, qos.sensors, (m) =>
        this.onFrame(this.sync.addRgb(m)),
      );
    } else {
      this.subscribe<Image>('sensor_msgs/msg/Image', INPUT_TOPICS.rgb, qos.sensors, (m) => this.onFrame(this.sync.addRgb(m)));
    }
    this.subscribe<Image>('sensor_msgs/msg/Image', INPUT_TOPICS.depth, qos.sensors, (m) => this.onFrame(this.sync.addDepth(m)));
    this.subscribe<CameraInfo>('sensor_msgs/msg/CameraInfo', INPUT_TOPICS.cameraInfo, qos.sensors, (m) => {
      this.latestCameraInfo = m;
      this.onFrame(this.sync.addCameraInfo(m));
    });
    this.subscribe<JointState>('sensor_msgs/msg/JointState', INPUT_TOPICS.jointStates, qos.sensors, (m) => {
      this.latestJoints = m;
      this.onFrame(this.sync.addJointState(m));
    });
    // Two subscriptions on the instruction topic: a transient-local one receives a latched task
    // published before the node started; a volatile one accepts publishers that are not latched.
    for (const profile of [qos.latched, qos.command]) {
      this.subscribe<StringMsg>('std_msgs/msg/String', INPUT_TOPICS.instruction, profile, (m) => this.setInstruction(m.data));
    }
    this.customMessages(() =>
      this.subscribe<VisualTrace>('molmoact_ros/msg/VisualTrace', INPUT_TOPICS.traceOverride, qos.command, (m) =>
        this.onTraceOverride(m),
      ),
    );
    // rviz "Publish Point": waypoints of a steering trace, mapped into the camera through tf.
    this.subscribe<PointStamped>('geometry_msgs/msg/PointStamped', INPUT_TOPICS.clickedPoint, qos.command, (m) => this.onClickedPoint(m));
    this.subscribe<TFMessage>('tf2_msgs/msg/TFMessage', INPUT_TOPICS.tfStatic, qos.tfStatic, (m) => this.tf.add(m.transforms, true));
    this.subscribe<TFMessage>('tf2_msgs/msg/TFMessage', INPUT_TOPICS.tf, qos.tf, (m) => this.tf.add(m.transforms, false));
    this.node.createService('std_srvs/srv/SetBool', '~/enable', (request, response) => {
      const wanted = Boolean((request as { data: boolean }).data);
      const message = this.setEnabled(wanted);
      response.send({ success: this.enabled === wanted, message } as never);
    });

    const periodNs = BigInt(Math.round(this.settings.diagnosticsPeriodSec * 1e9));
    this.timer = this.node.createTimer(periodNs, () => {
      // A timer callback that throws would take the executor down.
      try {
        this.publishDiagnostics(this.diagnostics());
      } catch (err) {
        this.throttled.warn('diagnostics', `diagnostics not published: ${(err as Error).message}`);
      }
    });
  }

  /** Creates the node and starts the reasoning worker; the node runs even if the model cannot load. */
  static async create(rcl: Rcl, options: MolmoActNodeOptions = {}): Promise<MolmoActNode> {
    const schema = options.schema ?? loadParameterSchema();
    const self = new MolmoActNode(rcl, schema, options);
    await self.startReasoner();
    return self;
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  get modelSummary(): ModelSummary | null {
    return this.model;
  }

  /** The arm's kinematics and limits, once a URDF has been loaded. */
  get armModel(): ArmModel | null {
    return this.planner.armModel;
  }

  async shutdown(): Promise<void> {
    this.timer.cancel();
    this.output.dispose();
    this.gripperOutput?.dispose();
    await this.reasoner?.close();
    this.node.destroy();
  }

  // ---- inputs ----------------------------------------------------------------------------

  private onFrame(frame: ReturnType<FrameSync['addRgb']>): void {
    if (!frame || !this.reasoner) return;
    if (this.instruction.trim().length === 0) {
      this.counters.framesWithoutInstruction++;
      return;
    }
    if (this.enabled && !this.planner.acceptsFrame(this.nowSeconds())) {
      this.counters.framesWhileChunkRuns++; // open_loop: the running chunk finishes first
      return;
    }
    this.reasoner.submit(
      frame,
      { instruction: this.instruction, traceOverride: this.traceOverride ?? undefined },
      {
        traceImage: this.settings.publishTraceImage && this.traceImageOutput.hasSubscribers(),
        depthImage: this.settings.publishDepthImage && this.depthImageOutput.hasSubscribers(),
      },
    );
  }

  private setInstruction(text: string): void {
    if (text === this.instruction) return; // the latched and the volatile subscription both deliver it
    this.instruction = text;
    this.node.getLogger().info(text.trim() ? `instruction: "${text}"` : 'instruction cleared: reasoning paused');
  }

  private onTraceOverride(msg: VisualTrace): void {
    if (msg.u.length === 0) {
      this.traceOverride = null;
      this.clicks.clear();
      this.node.getLogger().info('trace override cleared: the model plans its own trace again');
      return;
    }
    if (!this.model) return;
    if (this.model.steeringUnavailable) {
      this.counters.badOverrides++;
      this.node.getLogger().warn(`trace override ignored: ${this.model.steeringUnavailable}`);
      return;
    }
    try {
      this.traceOverride = traceFromMessage(msg, this.model.tracePoints);
      this.node.getLogger().info(`trace override set (${msg.u.length} points drawn)`);
    } catch (err) {
      this.counters.badOverrides++;
      this.node.getLogger().warn(`trace override ignored: ${(err as Error).message}`);
    }
  }

  private onClickedPoint(msg: PointStamped): void {
    const info = this.latestCameraInfo;
    try {
      if (!info) throw new Error('no camera_info received yet');
      const camera = PinholeCamera.fromCameraInfo(info);
      const toCamera = this.tf.lookup(info.header.frame_id, msg.header.frame_id, this.nowSeconds());
      const trace = this.clicks.add(applyToPoint(toCamera, msg.point), camera, this.plannedStart, makeHeader(this.nowTime(), info.header.frame_id));
      this.node.getLogger().info(`waypoint ${this.clicks.count} clicked in ${msg.header.frame_id || '(no frame)'}`);
      this.onTraceOverride(trace);
    } catch (err) {
      this.counters.badOverrides++;
      this.node.getLogger().warn(`clicked point ignored: ${(err as Error).message}`);
    }
  }

  private setEnabled(wanted: boolean): string {
    if (wanted && !this.model) return 'no model loaded: nothing to command';
    const wasEnabled = this.enabled;
    this.enabled = wanted;
    if (!wanted && wasEnabled) this.stopArm();
    let message = wanted ? 'actuation enabled' : 'actuation disabled: dry run';
    if (wanted && !this.planner.armModel) message += `, but nothing is commanded: ${this.robotError ?? this.waitingForRobotModel()}`;
    this.node.getLogger().info(message);
    return message;
  }

  private onParameterChange(parameters: rclnodejs.Parameter[]): { successful: boolean; reason: string } {
    try {
      const next = checkParameterChanges(
        this.schema,
        this.values,
        parameters.map((p) => ({ name: p.name, value: p.value })),
      );
      this.settings = settingsFromValues(next);
      this.values = next;
      this.planner.updateSettings(this.settings);
      if (parameters.some((p) => p.name === 'instruction')) this.setInstruction(this.settings.instruction);
      return { successful: true, reason: '' };
    } catch (err) {
      return { successful: false, reason: err instanceof ConfigError ? err.message : String(err) };
    }
  }

  // ---- reasoning results -----------------------------------------------------------------

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
        onStep: (step, timing) => this.onStep(step, timing.roundTripMs),
        onImages: (images) => this.onImages(images),
        onError: (kind, error) => this.onReasonerError(kind, error),
        onRestart: (restarts) => this.node.getLogger().warn(`reasoning worker restarted (${restarts} so far)`),
      },
    });
    try {
      this.model = await reasoner.start();
      this.reasoner = reasoner;
      this.checkModelFitsArm(this.model);
      this.subscribeExtraCameras(this.model);
      this.node.getLogger().info(
        `model ${this.model.name} loaded (${this.model.actionSpace}, chunk ${this.model.chunkLength}x${this.model.actionDim}); ` +
          (this.enabled ? 'actuation ENABLED (autostart)' : 'dry run until ~/enable is called with true'),
      );
    } catch (err) {
      await reasoner.close();
      this.modelError = (err as Error).message;
      this.lastProblem = { level: DiagnosticLevel.ERROR, message: this.modelError };
      this.node.getLogger().error(`${this.modelError}; the node runs without reasoning and commands nothing`);
    }
  }

  /** Models that take several views: one subscription per further camera, matched by FrameSync. */
  private subscribeExtraCameras(model: ModelSummary): void {
    if (model.extraCameras.length === 0) return;
    const qos = nodeQos(this.rcl);
    const known = new Set(model.extraCameras.map((c) => c.name));
    for (const name of this.settings.extraCameraTopics.keys()) {
      if (!known.has(name)) this.warnOnce(`camera:${name}`, `extra_camera_topics names camera '${name}', which model ${model.name} does not take (it takes ${[...known].join(', ')})`);
    }
    this.sync.setExtraCameras(model.extraCameras.map((c) => c.name));
    for (const camera of model.extraCameras) {
      const topic = this.settings.extraCameraTopics.get(camera.name) ?? camera.topic;
      if (this.settings.rgbTransport === 'compressed') {
        this.subscribe<CompressedImage>('sensor_msgs/msg/CompressedImage', `${topic}/compressed`, qos.sensors, (m) =>
          this.onFrame(this.sync.addExtraImage(camera.name, m)),
        );
      } else {
        this.subscribe<Image>('sensor_msgs/msg/Image', topic, qos.sensors, (m) => this.onFrame(this.sync.addExtraImage(camera.name, m)));
      }
      this.node.getLogger().info(`camera '${camera.name}' of model ${model.name} from ${topic}`);
    }
  }

  private checkModelFitsArm(model: ModelSummary): void {
    const joints = this.settings.jointNames.length;
    if (model.actionSpace === 'ee_delta') {
      if (model.gripperIndex !== undefined && this.settings.gripper.interface === 'none') {
        this.warnOnce('gripper', `model ${model.name} commands a gripper but gripper_interface is none: the gripper is not driven`);
      }
    } else if (model.gripperIndex !== undefined) {
      if (this.settings.gripper.interface === 'none') {
        this.warnOnce('gripper', `model ${model.name} commands a gripper but gripper_interface is none: the gripper is not driven`);
      }
      if (model.actionDim > joints + 1) {
        this.warnOnce('extra-dims', `model actions have ${model.actionDim} values for ${joints} joints and a gripper: the extra values are not driven`);
      }
    } else if (model.actionDim > joints) {
      this.warnOnce('extra-dims', `model actions have ${model.actionDim} values for ${joints} joints: the extra values (e.g. a gripper) are not driven`);
    }
  }

  private onStep(step: ReasoningStep, roundTripMs: number): void {
    this.counters.steps++;
    this.lastStepMs = roundTripMs;
    this.lastServerMs = step.timings.server ?? null;
    const model = this.model!;
    if (!step.traceOverridden && step.tracePixels.length > 0) this.plannedStart = step.tracePixels[0];
    this.publishMarkers(buildTraceMarkers(step));
    this.publishReasoning?.(buildReasoningMessage(step, model, this.nowTime()));
    this.command(step, model);
  }

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
        this.node.getLogger().warn('stopping without a fresh joint state: the running trajectory is left to end at rest');
      }
    } catch (err) {
      this.node.getLogger().warn(`stopping without the measured state (${(err as Error).message}): the running trajectory is left to end at rest`);
    }
    // What runs on the arm from now on: the stop, or without one the trajectory that was running.
    this.planner.reset(hold ? now + trajectoryDuration(hold) : this.planner.runningUntilSec);
    try {
      this.output.stop(hold, positions);
    } catch (err) {
      this.node.getLogger().error(`stopping the arm failed: ${(err as Error).message}`);
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
    if (decision.gripper && this.gripperOutput) {
      const { closed, position } = decision.gripper;
      // A gripper controller takes its own joints; a stream of every joint (Isaac Sim) needs the mimics too.
      const streamed = this.settings.gripper.interface === 'joint_state_command';
      const names = streamed ? decision.gripper.allNames : decision.gripper.names;
      const positions = streamed ? decision.gripper.allPositions : decision.gripper.positions;
      this.gripperOutput.send(closed, position, { names, positions });
    }
    this.counters.commandsSent++;
    this.lastRefusal = '';
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
    if (reason !== this.lastRefusal) this.node.getLogger().warn(`no command: ${reason}`);
    this.lastRefusal = reason;
  }

  // ---- robot model ------------------------------------------------------------------------

  /** URDF from robot_description_file, or from /robot_description (latched, as robot_state_publisher sends it). */
  private loadRobotModel(qos: NodeQos): void {
    const file = this.settings.robot.descriptionFile;
    if (file) {
      this.setRobotModel(() => ArmModel.fromFile(file, armModelOptions(this.settings)), file);
      return;
    }
    this.subscribe<StringMsg>('std_msgs/msg/String', '/robot_description', qos.latched, (m) =>
      this.setRobotModel(() => ArmModel.fromUrdf(m.data, armModelOptions(this.settings)), '/robot_description'),
    );
  }

  private setRobotModel(build: () => ArmModel, source: string): void {
    try {
      const arm = build();
      this.planner.setArm(arm);
      this.robotError = null;
      const unknownGripperJoints = this.settings.gripper.joints.filter((name) => !arm.robot.joints.has(name));
      if (this.settings.gripper.interface !== 'none' && unknownGripperJoints.length > 0) {
        this.node.getLogger().warn(`gripper_joints not in the URDF are not commanded: ${unknownGripperJoints.join(', ')}`);
      }
      this.node.getLogger().info(
        `robot model '${arm.robot.name}' from ${source}: ${arm.chain.baseLink} -> ${arm.chain.tipLink}, ${arm.chain.dof} joints`,
      );
    } catch (err) {
      // A broken URDF never stops the node; it only means no command until a good one arrives.
      this.planner.setArm(null);
      this.robotError = `robot model from ${source} rejected: ${(err as Error).message}`;
      this.lastProblem = { level: DiagnosticLevel.ERROR, message: this.robotError };
      this.node.getLogger().error(`${this.robotError}; nothing is commanded`);
    }
  }

  private onImages(images: StepImages): void {
    const header = makeHeader(images.stamp, images.frameId);
    if (images.traceImage) this.traceImageOutput.publish(encodeRgbImage(header, images.traceImage));
    if (images.depthImage) this.depthImageOutput.publish(encodeRgbImage(header, images.depthImage));
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

  // ---- reporting -------------------------------------------------------------------------

  diagnostics(): DiagnosticArray {
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
    // A problem is reported once per period, then cleared unless it happens again.
    this.lastProblem = null;
    return buildDiagnostics(this.nowTime(), this.node.name(), report);
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

  // ---- rclnodejs plumbing ----------------------------------------------------------------

  private publisher<M>(type: string, topic: string, qos: rclnodejs.QoS): Publish<M> {
    const publisher = this.node.createPublisher(type as never, topic, { qos });
    return (msg: M) => publisher.publish(msg as never);
  }

  private imageOutput(topic: string, qos: rclnodejs.QoS): ImageOutput {
    const publisher = this.node.createPublisher('sensor_msgs/msg/Image', topic, { qos });
    return {
      publish: (msg: Image) => publisher.publish(msg as never),
      // Asked of the publisher, not of the node by topic name: node.countSubscribers does not
      // apply remappings, so a remapped image topic would never seem to have a listener.
      hasSubscribers: () => subscriptionCount(publisher) > 0,
    };
  }

  private subscribe<M>(type: string, topic: string, qos: rclnodejs.QoS, handle: (msg: M) => void): void {
    this.node.createSubscription(type as never, topic, { qos }, (msg: unknown) => {
      // A malformed message must never take the executor down.
      try {
        handle(msg as M);
      } catch (err) {
        this.throttled.warn(`input:${topic}`, `message on ${topic} ignored: ${(err as Error).message}`);
      }
    });
  }

  /** Our own message types exist only once colcon has built the package; without them the node still runs. */
  private customMessages<T>(create: () => T): T | null {
    try {
      return create();
    } catch (err) {
      this.warnOnce(
        'custom-messages',
        `molmoact_ros messages are not available (${(err as Error).message.split('\n')[0]}): ~/reasoning and ~/trace_override are off; build the package with colcon and source install/setup.bash`,
      );
      return null;
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.node.getLogger().warn(message);
  }

  private nowTime(): Time {
    return this.node.now().toMsg() as Time;
  }

  private nowSeconds(): number {
    return toSeconds(this.nowTime());
  }
}

function prefixed(prefix: string, values: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [prefix + key, value]));
}

/** Subscriptions matched to `publisher`. */
function subscriptionCount(publisher: rclnodejs.Publisher<never>): number {
  // rclnodejs 2.2.0 implements subscriptionCount as a getter, while its .d.ts declares a method.
  const count = (publisher as unknown as { subscriptionCount: number | (() => number) }).subscriptionCount;
  return typeof count === 'function' ? count.call(publisher) : count;
}
