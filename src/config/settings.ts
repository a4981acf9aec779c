/**
 * The node's settings: the parameter values of the schema, typed and checked together.
 */
import type { ArmModelOptions, LimitConfig } from '../core/kinematics/arm_model.js';
import type { GripperConfig } from '../core/control/gripper.js';
import type { ExecutionPolicy } from '../core/control/execution.js';
import type { BackendOptions } from '../inference/backend.js';
import { resolvePackagePath } from './package_root.js';
import { ConfigError, type ParameterValue } from './schema.js';

export type ControllerInterface = 'joint_trajectory' | 'follow_joint_trajectory' | 'joint_state_command';
export type GripperInterface = 'none' | 'joint_trajectory' | 'gripper_command' | 'joint_state_command';
type Vec3 = [number, number, number];

export interface NodeSettings {
  modelDir: string;
  instruction: string;
  jointNames: string[];
  rgbTransport: 'raw' | 'compressed';
  autostart: boolean;
  syncSlopSec: number;
  maxFrameAgeSec: number;
  maxFrameFutureSec: number;
  openLoopJointTolerance: number;
  maxJointStateAgeSec: number;
  chunkStepSec: number;
  /** Joint deceleration of a stop through the trajectory topic (rad/s^2). */
  stopDeceleration: number;
  robot: {
    /** URDF file, or '' for the /robot_description topic. */
    descriptionFile: string;
    baseLink: string;
    tipLink: string;
    restPosture: number[];
  };
  limits: LimitConfig;
  ik: { positionTolerance: number; orientationTolerance: number };
  safety: { maxEeStep: number; maxEeRotationStep: number; workspace: { min: Vec3; max: Vec3 } };
  controller: {
    interface: ControllerInterface;
    topic: string;
    action: string;
    jointCommandTopic: string;
    rateHz: number;
  };
  execution: { policy: ExecutionPolicy; ensembleWeight: number };
  gripper: GripperConfig & { interface: GripperInterface; topic: string; action: string; maxEffort: number };
  publishTraceImage: boolean;
  publishDepthImage: boolean;
  /** Least time between two frames whose pictures are published (s); 0: every step's. */
  picturePeriodSec: number;
  inference: BackendOptions;
  /** Topics that replace the manifest's for further cameras, by camera name. */
  extraCameraTopics: Map<string, string>;
  diagnosticsPeriodSec: number;
}

/** Builds settings from parameter values (already checked one by one against the schema). */
export function settingsFromValues(values: ReadonlyMap<string, ParameterValue>): NodeSettings {
  const get = <T extends ParameterValue>(name: string): T => {
    if (!values.has(name)) throw new ConfigError(`parameter ${name} is missing`);
    return values.get(name) as T;
  };
  const jointNames = get<string[]>('joint_names');
  if (jointNames.length === 0) throw new ConfigError('joint_names is empty');
  const perJoint = (name: string): number[] => {
    const list = get<number[]>(name);
    if (list.length !== 0 && list.length !== jointNames.length) {
      throw new ConfigError(`${name} has ${list.length} values but joint_names has ${jointNames.length} (or leave it empty)`);
    }
    return list;
  };
  const vec3 = (name: string): Vec3 => {
    const list = get<number[]>(name);
    if (list.length !== 3) throw new ConfigError(`${name} needs 3 values (x, y, z), got ${list.length}`);
    return [list[0], list[1], list[2]];
  };
  const workspace = { min: vec3('workspace_min'), max: vec3('workspace_max') };
  if (!workspace.min.every((lo, i) => lo < workspace.max[i])) {
    throw new ConfigError(`workspace_min [${workspace.min.join(', ')}] must be below workspace_max [${workspace.max.join(', ')}] on every axis`);
  }
  const descriptionFile = get<string>('robot_description_file');
  return {
    modelDir: resolvePackagePath(get<string>('model_dir')),
    instruction: get<string>('instruction'),
    jointNames,
    rgbTransport: get<string>('rgb_transport') === 'compressed' ? 'compressed' : 'raw',
    autostart: get<boolean>('autostart'),
    syncSlopSec: get<number>('sync_slop_s'),
    maxFrameAgeSec: get<number>('max_frame_age_s'),
    maxFrameFutureSec: get<number>('max_frame_future_s'),
    openLoopJointTolerance: get<number>('open_loop_joint_tolerance_rad'),
    maxJointStateAgeSec: get<number>('max_joint_state_age_s'),
    chunkStepSec: get<number>('chunk_step_s'),
    stopDeceleration: get<number>('stop_deceleration'),
    robot: {
      descriptionFile: descriptionFile ? resolvePackagePath(descriptionFile) : '',
      baseLink: get<string>('base_link'),
      tipLink: get<string>('tip_link'),
      restPosture: perJoint('rest_posture'),
    },
    limits: {
      min: perJoint('joint_position_min'),
      max: perJoint('joint_position_max'),
      maxVelocity: perJoint('joint_velocity_max'),
      margin: get<number>('joint_limit_margin'),
    },
    ik: {
      positionTolerance: get<number>('ik_position_tolerance_m'),
      orientationTolerance: get<number>('ik_orientation_tolerance_rad'),
    },
    safety: {
      maxEeStep: get<number>('max_ee_step_m'),
      maxEeRotationStep: get<number>('max_ee_rotation_step_rad'),
      workspace,
    },
    controller: {
      interface: get<string>('controller_interface') as ControllerInterface,
      topic: get<string>('controller_topic'),
      action: get<string>('controller_action'),
      jointCommandTopic: get<string>('joint_command_topic'),
      rateHz: get<number>('command_rate_hz'),
    },
    execution: {
      policy: get<string>('execution_policy') as ExecutionPolicy,
      ensembleWeight: get<number>('ensemble_weight'),
    },
    gripper: {
      interface: get<string>('gripper_interface') as GripperInterface,
      joints: get<string[]>('gripper_joints'),
      topic: get<string>('gripper_topic'),
      action: get<string>('gripper_action'),
      openPosition: get<number>('gripper_open_position'),
      closedPosition: get<number>('gripper_closed_position'),
      threshold: get<number>('gripper_threshold'),
      invert: get<boolean>('gripper_invert'),
      maxEffort: get<number>('gripper_max_effort'),
    },
    publishTraceImage: get<boolean>('publish_trace_image'),
    publishDepthImage: get<boolean>('publish_depth_image'),
    picturePeriodSec: get<number>('picture_period_s'),
    inference: {
      intraOpThreads: get<number>('inference_threads'),
      spinWait: get<boolean>('inference_spin_wait'),
      remote: {
        server: get<string>('remote_server'),
        timeoutMs: get<number>('remote_timeout_s') * 1000,
        backoffMaxMs: get<number>('remote_backoff_max_s') * 1000,
      },
    },
    extraCameraTopics: cameraTopics(get<string[]>('extra_camera_topics')),
    diagnosticsPeriodSec: get<number>('diagnostics_period_s'),
  };
}

/** "name=topic" entries -> topic by camera name. */
function cameraTopics(entries: string[]): Map<string, string> {
  const topics = new Map<string, string>();
  for (const entry of entries) {
    const match = /^([a-z][a-z0-9_]*)=(\S+)$/.exec(entry);
    if (!match) throw new ConfigError(`extra_camera_topics: expected "name=topic", got ${JSON.stringify(entry)}`);
    if (topics.has(match[1])) throw new ConfigError(`extra_camera_topics: camera ${match[1]} is given twice`);
    topics.set(match[1], match[2]);
  }
  return topics;
}

/** What the arm model needs from the settings. */
export function armModelOptions(settings: NodeSettings): ArmModelOptions {
  return {
    jointNames: settings.jointNames,
    baseLink: settings.robot.baseLink,
    tipLink: settings.robot.tipLink,
    limits: settings.limits,
    restPosture: settings.robot.restPosture,
    ikPositionTolerance: settings.ik.positionTolerance,
    ikOrientationTolerance: settings.ik.orientationTolerance,
  };
}
