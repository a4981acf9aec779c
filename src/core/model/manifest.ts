/**
 * Model manifests: what the runtime needs to know about a model (its backend: ONNX graphs in the
 * folder, or a model server; input, output grids and bins, action space, bounds and statistics),
 * validated from the parsed YAML of a model folder's manifest.yaml (load_manifest.ts reads it).
 * See docs/model-format.md.
 */
import { FieldReader, ManifestError, has } from './manifest_fields.js';
import { DELTA_FRAMES, ROTATIONS, type RotationConvention } from '../control/ee_targets.js';

import { parseCameras, parseRemote, type CameraSpec, type RemoteSpec } from './manifest_remote.js';

export { ManifestError } from './manifest_fields.js';
export type { CameraSpec, RemoteSpec } from './manifest_remote.js';

export const MANIFEST_FORMAT = 1;

export const BACKENDS = ['onnx', 'remote'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export const ACTION_SPACES = ['joint_position', 'joint_delta', 'ee_delta'] as const;
export type ActionSpace = (typeof ACTION_SPACES)[number];

/** How a model reads the gripper's state: 1 means fully open (BridgeData), or fully closed (DROID). */
export const GRIPPER_CONVENTIONS = ['open_is_1', 'closed_is_1'] as const;
export type GripperConvention = (typeof GRIPPER_CONVENTIONS)[number];

/** The three stage graphs of an `onnx` model, as absolute paths. */
export interface StageGraphs {
  perceive: string;
  plan: string;
  act: string;
}

export interface InputSpec {
  width: number;
  height: number;
  /** Per-channel (r, g, b) mean and std on the [0, 1] scale: x = (v / 255 - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface InstructionSpec {
  /** Token id = index; index 0 is `<pad>` and index 1 is `<unk>`. */
  vocabulary: string[];
  maxTokens: number;
}

export interface DepthSpec {
  rows: number;
  cols: number;
  codebook: number;
}

/** MolmoAct traces are integer coordinates in [0, 256), so `bins` is always 256. */
export interface TraceSpec {
  points: number;
  bins: number;
}

export interface ActionSpec {
  space: ActionSpace;
  /** Values per step. */
  dim: number;
  /** Steps per chunk (a remote model may answer fewer, never more). */
  chunk: number;
  /** Bins over the normalised range [-1, 1]. */
  bins: number;
  /** `ee_delta` only: how the rotation part of a step is written. */
  rotation?: RotationConvention;
  /** Index of the gripper value within a step, if the model commands one. */
  gripper?: number;
  /** `ee_delta` only: the frame the deltas are expressed in ('base' unless the manifest says). */
  frame?: string;
  /** Smallest and largest value each dimension may take (before `scale`); a chunk outside is refused. */
  bounds?: { min: number[]; max: number[] };
  /** Robot units per unit of the model's value, per dimension (e.g. LIBERO's controller scaling). */
  scale?: number[];
}

/** Per-dimension statistics to un-normalise actions; `mask[i]` false leaves dimension i as is. */
export interface ActionStatistics {
  q01: number[];
  q99: number[];
  mask: boolean[];
}

/**
 * What the model takes as proprioception: the arm's joint positions (joint_names order), then,
 * when `gripper` is set, the gripper's state as the last value (see GripperConvention).
 */
export interface ProprioSpec {
  dim: number;
  gripper: boolean;
  /** Present when `gripper` is set and not the default open_is_1. */
  gripperConvention?: GripperConvention;
}

interface ManifestBase {
  /** Absolute path of the model folder and of its manifest file. */
  dir: string;
  file: string;
  name: string;
  description: string;
  /** The robot preset (config/robots/<robot>.yaml) the model fits, if the manifest names one. */
  robot?: string;
  proprio: ProprioSpec;
  action: ActionSpec;
}

/** Three ONNX graphs in the model folder, run by onnxruntime in the reasoning worker. */
export interface OnnxManifest extends ManifestBase {
  backend: 'onnx';
  graphs: StageGraphs;
  input: InputSpec;
  instruction: InstructionSpec;
  depth: DepthSpec;
  trace: TraceSpec;
  statistics: ActionStatistics;
}

/** A model behind a server (MolmoAct through vLLM, MolmoAct2 `/act` servers). */
export interface RemoteManifest extends ManifestBase {
  backend: 'remote';
  remote: RemoteSpec;
  /** The images the model takes, in the order it takes them; the first is the node's main camera. */
  cameras: CameraSpec[];
  /** Null: the model gives no depth perception tokens. */
  depth: DepthSpec | null;
  /** Null: the model gives no visual trace (and cannot be steered by one). */
  trace: TraceSpec | null;
  /** Null: the server's actions are already in robot units. */
  statistics: ActionStatistics | null;
}

export type ModelManifest = OnnxManifest | RemoteManifest;

/** The manifest as an ONNX model's, or an error saying it is not one. */
export function onnxManifest(manifest: ModelManifest): OnnxManifest {
  if (manifest.backend !== 'onnx') throw new ManifestError(manifest.file, 'backend', `expected onnx, got ${manifest.backend}`);
  return manifest;
}

/** The manifest as a remote model's, or an error saying it is not one. */
export function remoteManifest(manifest: ModelManifest): RemoteManifest {
  if (manifest.backend !== 'remote') throw new ManifestError(manifest.file, 'backend', `expected remote, got ${manifest.backend}`);
  return manifest;
}

/**
 * Validates a parsed manifest document. `resolveFile` turns a file name in it (relative to the
 * model folder, or absolute) into a path; the loader resolves against the folder.
 */
export function parseManifest(doc: unknown, dir: string, file: string, resolveFile: (name: string) => string = (name) => name): ModelManifest {
  const v = new FieldReader(file);
  const root = v.object(doc, '');

  const format = v.integer(root, 'format', 1);
  if (format !== MANIFEST_FORMAT) v.fail('format', `expected ${MANIFEST_FORMAT}, got ${format}`);
  const backend = v.oneOf(root, 'backend', BACKENDS);
  const action = parseAction(v, v.object(root.action, 'action'));
  const base = {
    dir,
    file,
    name: v.string(root, 'name'),
    description: has(root, 'description') ? v.string(root, 'description') : '',
    ...(has(root, 'robot') ? { robot: v.string(root, 'robot') } : {}),
    proprio: parseProprio(v, v.object(root.proprio, 'proprio')),
    action,
  };

  if (backend === 'onnx') {
    const g = v.object(root.graphs, 'graphs');
    const resolve = (stage: keyof StageGraphs) => resolveFile(v.string(g, stage, 'graphs'));
    const input = v.object(root.input, 'input');
    const instruction = v.object(root.instruction, 'instruction');
    return {
      ...base,
      backend,
      graphs: { perceive: resolve('perceive'), plan: resolve('plan'), act: resolve('act') },
      input: {
        width: v.integer(input, 'width', 1, 'input'),
        height: v.integer(input, 'height', 1, 'input'),
        mean: v.numberArray(input, 'mean', 3, 'input') as [number, number, number],
        std: v.positiveArray(input, 'std', 3, 'input') as [number, number, number],
      },
      instruction: parseInstruction(v, instruction),
      depth: parseDepth(v, v.object(root.depth, 'depth')),
      trace: parseTrace(v, v.object(root.trace, 'trace')),
      statistics: parseStatistics(v, v.object(root.statistics, 'statistics'), action.dim),
    };
  }

  const cameras = parseCameras(v, root.cameras);
  const remote = parseRemote(v, v.object(root.remote, 'remote'), cameras.length);
  if (!action.bounds) v.fail('action.bounds', 'missing (a remote model needs bounds: every value of a chunk is checked against them)');
  const depth = v.optionalObject(root, 'depth');
  const trace = v.optionalObject(root, 'trace');
  const stats = v.optionalObject(root, 'statistics');
  // MolmoAct's text answers are bins that only the statistics turn into robot units.
  if (remote.protocol === 'molmoact-text' && !stats) v.fail('statistics', 'missing (molmoact-text answers are bins; q01/q99/mask un-normalise them)');
  if (remote.protocol === 'act-json' && stats) v.fail('statistics', 'not used by act-json (its servers answer in robot units); remove it');
  return {
    ...base,
    backend,
    remote,
    cameras,
    depth: depth ? parseDepth(v, depth) : null,
    trace: trace ? parseTrace(v, trace) : null,
    statistics: stats ? parseStatistics(v, stats, action.dim) : null,
  };
}

function parseAction(v: FieldReader, action: Record<string, unknown>): ActionSpec {
  const space = v.oneOf(action, 'space', ACTION_SPACES, 'action');
  const dim = v.integer(action, 'dim', 1, 'action');
  const spec: ActionSpec = {
    space,
    dim,
    chunk: v.integer(action, 'chunk', 1, 'action'),
    bins: has(action, 'bins') ? v.integer(action, 'bins', 2, 'action') : 256,
  };
  if (space === 'ee_delta') {
    spec.rotation = v.oneOf(action, 'rotation', ROTATIONS, 'action');
    spec.frame = has(action, 'frame') ? v.oneOf(action, 'frame', DELTA_FRAMES, 'action') : 'base';
  } else {
    for (const key of ['rotation', 'frame']) {
      if (has(action, key)) v.fail(`action.${key}`, `only allowed with space ee_delta, not ${space}`);
    }
  }
  if (has(action, 'gripper')) {
    const gripper = v.integer(action, 'gripper', 0, 'action');
    if (gripper >= dim) v.fail('action.gripper', `expected an index below action.dim (${dim}), got ${gripper}`);
    spec.gripper = gripper;
  }
  const bounds = v.optionalObject(action, 'bounds', 'action');
  if (bounds) {
    const min = v.numberArray(bounds, 'min', dim, 'action.bounds');
    const max = v.numberArray(bounds, 'max', dim, 'action.bounds');
    min.forEach((low, i) => {
      if (low > max[i]) v.fail(`action.bounds.min[${i}]`, `expected <= action.bounds.max[${i}] (${max[i]}), got ${low}`);
    });
    spec.bounds = { min, max };
  }
  if (has(action, 'scale')) spec.scale = v.positiveArray(action, 'scale', dim, 'action');
  return spec;
}

function parseInstruction(v: FieldReader, instruction: Record<string, unknown>): InstructionSpec {
  const vocabulary = v.stringArray(instruction, 'vocabulary', 'instruction');
  if (vocabulary[0] !== '<pad>') v.fail('instruction.vocabulary[0]', `expected "<pad>", got ${JSON.stringify(vocabulary[0])}`);
  if (vocabulary[1] !== '<unk>') v.fail('instruction.vocabulary[1]', `expected "<unk>", got ${JSON.stringify(vocabulary[1])}`);
  const seen = new Set<string>();
  vocabulary.forEach((word, i) => {
    // Words must be what the tokenizer can produce: lowercase letters and digits.
    if (i >= 2 && !/^[a-z0-9]+$/.test(word)) {
      v.fail(`instruction.vocabulary[${i}]`, `expected a lowercase word of letters and digits, got ${JSON.stringify(word)}`);
    }
    if (seen.has(word)) v.fail(`instruction.vocabulary[${i}]`, `duplicate word ${JSON.stringify(word)}`);
    seen.add(word);
  });
  return { vocabulary, maxTokens: v.integer(instruction, 'max_tokens', 1, 'instruction') };
}

function parseDepth(v: FieldReader, depth: Record<string, unknown>): DepthSpec {
  return {
    rows: v.integer(depth, 'rows', 1, 'depth'),
    cols: v.integer(depth, 'cols', 1, 'depth'),
    codebook: v.integer(depth, 'codebook', 1, 'depth'),
  };
}

function parseTrace(v: FieldReader, trace: Record<string, unknown>): TraceSpec {
  const bins = v.integer(trace, 'bins', 1, 'trace');
  if (bins !== 256) v.fail('trace.bins', `expected 256 (trace points are integers in [0, 256)), got ${bins}`);
  return { points: v.integer(trace, 'points', 1, 'trace'), bins };
}

function parseStatistics(v: FieldReader, stats: Record<string, unknown>, dim: number): ActionStatistics {
  const q01 = v.numberArray(stats, 'q01', dim, 'statistics');
  const q99 = v.numberArray(stats, 'q99', dim, 'statistics');
  const mask = v.booleanArray(stats, 'mask', dim, 'statistics');
  q01.forEach((low, i) => {
    if (low > q99[i]) v.fail(`statistics.q01[${i}]`, `expected <= statistics.q99[${i}] (${q99[i]}), got ${low}`);
  });
  return { q01, q99, mask };
}

function parseProprio(v: FieldReader, proprio: Record<string, unknown>): ProprioSpec {
  const dim = v.integer(proprio, 'dim', 1, 'proprio');
  const gripper = has(proprio, 'gripper') ? v.boolean(proprio, 'gripper', 'proprio') : false;
  if (gripper && dim < 2) v.fail('proprio.dim', `expected at least 2 (joints and the gripper's state), got ${dim}`);
  const spec: ProprioSpec = { dim, gripper };
  if (has(proprio, 'gripper_convention')) {
    if (!gripper) v.fail('proprio.gripper_convention', 'only allowed with gripper: true');
    const convention = v.oneOf(proprio, 'gripper_convention', GRIPPER_CONVENTIONS, 'proprio');
    if (convention !== 'open_is_1') spec.gripperConvention = convention;
  }
  return spec;
}
