/**
 * The molmoact ROS 2 node: the reasoning session (src/pipeline/session.ts) on a ROS graph.
 *
 * This module only connects: it declares the parameters, subscribes the input topics and hands
 * the messages to the session, publishes what the session produces, serves ~/enable and reports
 * on /diagnostics. The executor thread only matches messages and publishes results; decoding and
 * inference run in the session's reasoning worker, and the controller outputs send through the
 * node (ros_transport.ts). It is written against RosApi (ros_api.ts): rclnodejs on a robot, the
 * stand-in graph in the tests.
 */
import { loadParameterSchema, ConfigError, type ParameterSpec, type ParameterValue } from '../../config/schema.js';
import { settingsFromValues, type NodeSettings } from '../../config/settings.js';
import type { ModelSummary } from '../../core/model/model_summary.js';
import type { ArmModel } from '../../core/kinematics/arm_model.js';
import { toSeconds } from '../../core/messages/time.js';
import type {
  ActionReasoning,
  CameraInfo,
  CompressedImage,
  DiagnosticArray,
  Image,
  JointState,
  PointStamped,
  TFMessage,
  MarkerArray,
  StringMsg,
  Time,
  VisualTrace,
} from '../../core/messages/types.js';
import { buildDiagnostics } from '../../core/report/diagnostics.js';
import { ReasoningSession, type ImageSink, type SessionCounters } from '../../pipeline/session.js';
import { checkParameterChanges, declareParameters } from './parameters.js';
import { NODE_QOS, type NodeQos } from './qos.js';
import { rosTransport } from './ros_transport.js';
import type { ParameterChange, QosProfile, RosApi, RosNodeApi } from './ros_api.js';

/**
 * Default input topics (DESIGN.md); change them with ROS remapping (`-r from:=to`, or the launch
 * file's `camera` and `joint_states`). The sensor topics are relative, so a namespace moves them
 * with the node (two arms on one graph); tf, rviz's clicked points and /diagnostics are global.
 */
export const INPUT_TOPICS = {
  rgb: 'camera/color/image_raw',
  depth: 'camera/aligned_depth_to_color/image_raw',
  cameraInfo: 'camera/color/camera_info',
  jointStates: 'joint_states',
  robotDescription: 'robot_description',
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

export interface MolmoActNodeOptions {
  nodeName?: string;
  namespace?: string;
  schema?: ParameterSpec[];
}

type Publish<M> = (msg: M) => void;

export type NodeCounters = SessionCounters;

export class MolmoActNode {
  readonly node: RosNodeApi;
  private settings: NodeSettings;
  private values: Map<string, ParameterValue>;
  private readonly warnedOnce = new Set<string>();
  private readonly publishDiagnostics: Publish<DiagnosticArray>;
  private timer: { cancel(): void } | null = null;

  private constructor(
    private readonly schema: ParameterSpec[],
    readonly session: ReasoningSession,
    node: RosNodeApi,
    values: Map<string, ParameterValue>,
  ) {
    this.node = node;
    this.values = values;
    this.settings = settingsFromValues(values);
    this.node.onParametersSet((changes) => this.onParameterChange(changes));
    const qos = NODE_QOS;
    this.publishDiagnostics = this.publisher('diagnostic_msgs/msg/DiagnosticArray', OUTPUT_TOPICS.diagnostics, qos.output);
    this.subscribeInputs(qos);
    this.loadRobotModel(qos);
    this.node.createService<{ data: boolean }, { success: boolean; message: string }>('std_srvs/srv/SetBool', '~/enable', (request) => {
      const wanted = Boolean(request.data);
      const { enabled, message } = this.session.setEnabled(wanted);
      return { success: enabled === wanted, message };
    });
  }

  /** Creates the node and starts the reasoning worker; the node runs even if the model cannot load. */
  static async create(ros: RosApi, options: MolmoActNodeOptions = {}): Promise<MolmoActNode> {
    const schema = options.schema ?? loadParameterSchema();
    const node = ros.createNode(options.nodeName ?? 'molmoact', options.namespace ?? '');
    const values = declareParameters(node, schema);
    const settings = settingsFromValues(values);
    const qos = NODE_QOS;
    const now = (): Time => node.now();
    const log = node.logger();
    const customMessagesWarning: string[] = [];
    const output = <M>(type: string, topic: string): Publish<M> => {
      const publisher = node.createPublisher<M>(type, topic, qos.output);
      return (msg: M) => publisher.publish(msg);
    };
    let reasoning: Publish<ActionReasoning> | null = null;
    try {
      reasoning = output<ActionReasoning>('molmoact_ros/msg/ActionReasoning', OUTPUT_TOPICS.reasoning);
    } catch (err) {
      customMessagesWarning.push((err as Error).message.split('\n')[0]);
    }
    const session = await ReasoningSession.start(settings, {
      now,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) },
      transport: rosTransport(node, {
        qos: qos.command,
        now: () => toSeconds(now()),
        log: (level, m) => (level === 'info' ? log.info(m) : log.warn(m)),
      }),
      markers: output<MarkerArray>('visualization_msgs/msg/MarkerArray', OUTPUT_TOPICS.markers),
      reasoning,
      traceImage: imageSink(node, OUTPUT_TOPICS.traceImage, qos.output),
      depthImage: imageSink(node, OUTPUT_TOPICS.depthImage, qos.output),
    });
    const self = new MolmoActNode(schema, session, node, values);
    if (customMessagesWarning.length > 0) self.warnCustomMessages(customMessagesWarning[0]);
    self.subscribeExtraCameras(session.modelSummary, qos);
    self.startDiagnostics();
    return self;
  }

  get isEnabled(): boolean {
    return this.session.isEnabled;
  }

  get modelSummary(): ModelSummary | null {
    return this.session.modelSummary;
  }

  /** The arm's kinematics and limits, once a URDF has been loaded. */
  get armModel(): ArmModel | null {
    return this.session.armModel;
  }

  get counters(): NodeCounters {
    return this.session.counters;
  }

  async shutdown(): Promise<void> {
    this.timer?.cancel();
    await this.session.shutdown();
    this.node.destroy();
  }

  diagnostics(): DiagnosticArray {
    return buildDiagnostics(this.node.now(), this.node.fullyQualifiedName(), this.session.health());
  }

  // ---- wiring ------------------------------------------------------------------------------

  private subscribeInputs(qos: NodeQos): void {
    const s = this.session;
    if (this.settings.rgbTransport === 'compressed') {
      this.subscribe<CompressedImage>('sensor_msgs/msg/CompressedImage', `${INPUT_TOPICS.rgb}/compressed`, qos.sensors, (m) => s.addRgb(m));
    } else {
      this.subscribe<Image>('sensor_msgs/msg/Image', INPUT_TOPICS.rgb, qos.sensors, (m) => s.addRgb(m));
    }
    this.subscribe<Image>('sensor_msgs/msg/Image', INPUT_TOPICS.depth, qos.sensors, (m) => s.addDepth(m));
    this.subscribe<CameraInfo>('sensor_msgs/msg/CameraInfo', INPUT_TOPICS.cameraInfo, qos.sensors, (m) => s.addCameraInfo(m));
    this.subscribe<JointState>('sensor_msgs/msg/JointState', INPUT_TOPICS.jointStates, qos.sensors, (m) => s.addJointState(m));
    // Two subscriptions on the instruction topic: a transient-local one receives a latched task
    // published before the node started; a volatile one accepts publishers that are not latched.
    for (const profile of [qos.latched, qos.command]) {
      this.subscribe<StringMsg>('std_msgs/msg/String', INPUT_TOPICS.instruction, profile, (m) => s.setInstruction(m.data));
    }
    try {
      this.subscribe<VisualTrace>('molmoact_ros/msg/VisualTrace', INPUT_TOPICS.traceOverride, qos.command, (m) => s.setTraceOverride(m));
    } catch (err) {
      this.warnCustomMessages((err as Error).message.split('\n')[0]);
    }
    // rviz "Publish Point": waypoints of a steering trace, mapped into the camera through tf.
    this.subscribe<PointStamped>('geometry_msgs/msg/PointStamped', INPUT_TOPICS.clickedPoint, qos.command, (m) => s.addClickedPoint(m));
    this.subscribe<TFMessage>('tf2_msgs/msg/TFMessage', INPUT_TOPICS.tfStatic, qos.tfStatic, (m) => s.addTransforms(m.transforms, true));
    this.subscribe<TFMessage>('tf2_msgs/msg/TFMessage', INPUT_TOPICS.tf, qos.tf, (m) => s.addTransforms(m.transforms, false));
  }

  /** Models that take several views: one subscription per further camera, matched by the session's sync. */
  private subscribeExtraCameras(model: ModelSummary | null, qos: NodeQos): void {
    if (!model || model.extraCameras.length === 0) return;
    const known = new Set(model.extraCameras.map((c) => c.name));
    for (const name of this.settings.extraCameraTopics.keys()) {
      if (!known.has(name)) this.warnOnce(`camera:${name}`, `extra_camera_topics names camera '${name}', which model ${model.name} does not take (it takes ${[...known].join(', ')})`);
    }
    for (const camera of model.extraCameras) {
      const topic = this.settings.extraCameraTopics.get(camera.name) ?? camera.topic;
      if (this.settings.rgbTransport === 'compressed') {
        this.subscribe<CompressedImage>('sensor_msgs/msg/CompressedImage', `${topic}/compressed`, qos.sensors, (m) => this.session.addExtraImage(camera.name, m));
      } else {
        this.subscribe<Image>('sensor_msgs/msg/Image', topic, qos.sensors, (m) => this.session.addExtraImage(camera.name, m));
      }
      this.node.logger().info(`camera '${camera.name}' of model ${model.name} from ${topic}`);
    }
  }

  /** URDF from robot_description_file, or from /robot_description (latched, as robot_state_publisher sends it). */
  private loadRobotModel(qos: NodeQos): void {
    const file = this.settings.robot.descriptionFile;
    if (file) {
      this.session.setRobotDescriptionFile(file);
      return;
    }
    this.subscribe<StringMsg>('std_msgs/msg/String', INPUT_TOPICS.robotDescription, qos.latched, (m) => this.session.setRobotDescription(m.data, this.node.resolveTopicName(INPUT_TOPICS.robotDescription)));
  }

  private startDiagnostics(): void {
    this.timer = this.node.createTimer(this.settings.diagnosticsPeriodSec, () => {
      // A timer callback that throws would take the executor down.
      try {
        this.publishDiagnostics(this.diagnostics());
      } catch (err) {
        this.session.warnThrottled('diagnostics', `diagnostics not published: ${(err as Error).message}`);
      }
    });
  }

  private onParameterChange(parameters: ParameterChange[]): { successful: boolean; reason: string } {
    try {
      const next = checkParameterChanges(this.schema, this.values, parameters);
      this.settings = settingsFromValues(next);
      this.values = next;
      this.session.updateSettings(this.settings);
      if (parameters.some((p) => p.name === 'instruction')) this.session.setInstruction(this.settings.instruction);
      return { successful: true, reason: '' };
    } catch (err) {
      return { successful: false, reason: err instanceof ConfigError ? err.message : String(err) };
    }
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private publisher<M>(type: string, topic: string, qos: QosProfile): Publish<M> {
    const publisher = this.node.createPublisher<M>(type, topic, qos);
    return (msg: M) => publisher.publish(msg);
  }

  private subscribe<M>(type: string, topic: string, qos: QosProfile, handle: (msg: M) => void): void {
    this.node.createSubscription<M>(type, topic, qos, (msg) => {
      // A malformed message must never take the executor down.
      try {
        handle(msg);
      } catch (err) {
        this.session.warnThrottled(`input:${topic}`, `message on ${topic} ignored: ${(err as Error).message}`);
      }
    });
  }

  /** Our own message types exist only once colcon has built the package; without them the node still runs. */
  private warnCustomMessages(reason: string): void {
    this.warnOnce(
      'custom-messages',
      `molmoact_ros messages are not available (${reason}): ~/reasoning and ~/trace_override are off; build the package with colcon and source install/setup.bash`,
    );
  }

  private warnOnce(key: string, message: string): void {
    if (this.warnedOnce.has(key)) return;
    this.warnedOnce.add(key);
    this.node.logger().warn(message);
  }
}

/** A picture topic, drawn only while someone listens. */
function imageSink(node: RosNodeApi, topic: string, qos: QosProfile): ImageSink {
  const publisher = node.createPublisher<Image>('sensor_msgs/msg/Image', topic, qos);
  return {
    publish: (msg) => publisher.publish(msg),
    // Asked of the publisher, not of the node by topic name: counting by name does not apply
    // remappings, so a remapped image topic would never seem to have a listener.
    wanted: () => publisher.subscriptionCount() > 0,
  };
}
