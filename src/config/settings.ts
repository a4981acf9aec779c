/**
 * The node's settings: the parameter values of the schema, typed and checked together.
 */
import { checkLimits, type JointLimits } from '../control/joint_limits.js';
import { resolvePackagePath } from './package_root.js';
import { ConfigError, type ParameterValue } from './schema.js';

export interface NodeSettings {
  modelDir: string;
  instruction: string;
  jointNames: string[];
  rgbTransport: 'raw' | 'compressed';
  controllerTopic: string;
  autostart: boolean;
  syncSlopSec: number;
  maxFrameAgeSec: number;
  chunkStepSec: number;
  limits: JointLimits;
  publishTraceImage: boolean;
  publishDepthImage: boolean;
  inferenceThreads: number;
  diagnosticsPeriodSec: number;
}

/** Builds settings from parameter values (already checked one by one against the schema). */
export function settingsFromValues(values: ReadonlyMap<string, ParameterValue>): NodeSettings {
  const get = <T extends ParameterValue>(name: string): T => {
    if (!values.has(name)) throw new ConfigError(`parameter ${name} is missing`);
    return values.get(name) as T;
  };
  const jointNames = get<string[]>('joint_names');
  let limits: JointLimits;
  try {
    limits = checkLimits({
      names: jointNames,
      min: get<number[]>('joint_position_min'),
      max: get<number[]>('joint_position_max'),
      maxVelocity: get<number[]>('joint_velocity_max'),
      margin: get<number>('joint_limit_margin'),
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    modelDir: resolvePackagePath(get<string>('model_dir')),
    instruction: get<string>('instruction'),
    jointNames,
    rgbTransport: get<string>('rgb_transport') === 'compressed' ? 'compressed' : 'raw',
    controllerTopic: get<string>('controller_topic'),
    autostart: get<boolean>('autostart'),
    syncSlopSec: get<number>('sync_slop_s'),
    maxFrameAgeSec: get<number>('max_frame_age_s'),
    chunkStepSec: get<number>('chunk_step_s'),
    limits,
    publishTraceImage: get<boolean>('publish_trace_image'),
    publishDepthImage: get<boolean>('publish_depth_image'),
    inferenceThreads: get<number>('inference_threads'),
    diagnosticsPeriodSec: get<number>('diagnostics_period_s'),
  };
}
