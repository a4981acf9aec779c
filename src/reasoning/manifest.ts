/**
 * Model manifests: the YAML file in a model folder that says everything the runtime needs to know
 * about a model (its backend and graph files, input size and normalisation, instruction
 * vocabulary, output grids and bins, action space and statistics). See docs/model-format.md.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const MANIFEST_FILE = 'manifest.yaml';
export const MANIFEST_FORMAT = 1;

export const BACKENDS = ['onnx', 'remote'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export const ACTION_SPACES = ['joint_position', 'joint_delta', 'ee_delta'] as const;
export type ActionSpace = (typeof ACTION_SPACES)[number];

export const ROTATIONS = ['euler_xyz', 'axis_angle'] as const;
export type RotationConvention = (typeof ROTATIONS)[number];
/** Frame of end-effector deltas: the robot base, or the current end-effector (tool) frame. */
export const DELTA_FRAMES = ['base', 'tool'] as const;

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

export interface ActionSpec {
  space: ActionSpace;
  /** Values per step. */
  dim: number;
  /** Steps per chunk. */
  chunk: number;
  /** Bins over the normalised range [-1, 1]. */
  bins: number;
  /** `ee_delta` only: how the rotation part of a step is written. */
  rotation?: RotationConvention;
  /** `ee_delta` only: index of the gripper value within a step, if the model commands one. */
  gripper?: number;
  /** `ee_delta` only: the frame the deltas are expressed in ('base' unless the manifest says). */
  frame?: string;
}

/** Per-dimension statistics to un-normalise actions; `mask[i]` false leaves dimension i as is. */
export interface ActionStatistics {
  q01: number[];
  q99: number[];
  mask: boolean[];
}

/**
 * What the plan and act graphs take as proprioception: the arm's joint positions (joint_names
 * order), then, when `gripper` is set, the gripper's opening (1 open, 0 closed) as the last value.
 */
export interface ProprioSpec {
  dim: number;
  gripper: boolean;
}

export interface ModelManifest {
  /** Absolute path of the model folder and of its manifest file. */
  dir: string;
  file: string;
  name: string;
  description: string;
  backend: BackendKind;
  /** Present when backend is `onnx`. */
  graphs?: StageGraphs;
  input: InputSpec;
  instruction: InstructionSpec;
  proprio: ProprioSpec;
  depth: { rows: number; cols: number; codebook: number };
  /** MolmoAct traces are integer coordinates in [0, 256), so `bins` is always 256. */
  trace: { points: number; bins: number };
  action: ActionSpec;
  statistics: ActionStatistics;
}

/** A manifest that cannot be used; the message names the file, the field and what was expected. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'ManifestError';
  }
}

/** Reads and validates `<modelDir>/manifest.yaml`. */
export async function loadManifest(modelDir: string): Promise<ModelManifest> {
  const dir = path.resolve(modelDir);
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, '', `cannot read the manifest (${(err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ManifestError(file, '', `not valid YAML (${(err as Error).message})`);
  }
  const manifest = parseManifest(doc, dir, file);
  if (manifest.graphs) await checkGraphFiles(manifest.graphs, file);
  return manifest;
}

/** Validates a parsed manifest document; paths in it are relative to `dir`. */
export function parseManifest(doc: unknown, dir: string, file: string): ModelManifest {
  const v = new Validator(file);
  const root = v.object(doc, '');

  const format = v.integer(root, 'format', 1);
  if (format !== MANIFEST_FORMAT) v.fail('format', `expected ${MANIFEST_FORMAT}, got ${format}`);

  const backend = v.oneOf(root, 'backend', BACKENDS);
  let graphs: StageGraphs | undefined;
  if (backend === 'onnx') {
    const g = v.object(root.graphs, 'graphs');
    const resolve = (stage: keyof StageGraphs) => path.resolve(dir, v.string(g, stage, 'graphs'));
    graphs = { perceive: resolve('perceive'), plan: resolve('plan'), act: resolve('act') };
  }

  const input = v.object(root.input, 'input');
  const instruction = v.object(root.instruction, 'instruction');
  const proprio = v.object(root.proprio, 'proprio');
  const depth = v.object(root.depth, 'depth');
  const trace = v.object(root.trace, 'trace');
  const action = v.object(root.action, 'action');
  const stats = v.object(root.statistics, 'statistics');

  const vocabulary = v.stringArray(instruction, 'vocabulary', 'instruction');
  checkVocabulary(v, vocabulary);

  const traceBins = v.integer(trace, 'bins', 1, 'trace');
  if (traceBins !== 256) v.fail('trace.bins', `expected 256 (trace points are integers in [0, 256)), got ${traceBins}`);

  const space = v.oneOf(action, 'space', ACTION_SPACES, 'action');
  const dim = v.integer(action, 'dim', 1, 'action');
  const actionSpec: ActionSpec = {
    space,
    dim,
    chunk: v.integer(action, 'chunk', 1, 'action'),
    bins: v.integer(action, 'bins', 2, 'action'),
  };
  if (space === 'ee_delta') {
    actionSpec.rotation = v.oneOf(action, 'rotation', ROTATIONS, 'action');
    actionSpec.frame = action.frame === undefined ? 'base' : v.oneOf(action, 'frame', DELTA_FRAMES, 'action');
    if (action.gripper !== undefined) {
      const gripper = v.integer(action, 'gripper', 0, 'action');
      if (gripper >= dim) v.fail('action.gripper', `expected an index below action.dim (${dim}), got ${gripper}`);
      actionSpec.gripper = gripper;
    }
  } else {
    for (const key of ['rotation', 'gripper', 'frame']) {
      if (action[key] !== undefined) v.fail(`action.${key}`, `only allowed with space ee_delta, not ${space}`);
    }
  }

  return {
    dir,
    file,
    name: v.string(root, 'name'),
    description: root.description === undefined ? '' : v.string(root, 'description'),
    backend,
    graphs,
    input: {
      width: v.integer(input, 'width', 1, 'input'),
      height: v.integer(input, 'height', 1, 'input'),
      mean: v.numberArray(input, 'mean', 3, 'input') as [number, number, number],
      std: v.positiveArray(input, 'std', 3, 'input') as [number, number, number],
    },
    instruction: { vocabulary, maxTokens: v.integer(instruction, 'max_tokens', 1, 'instruction') },
    proprio: proprioSpec(v, proprio),
    depth: {
      rows: v.integer(depth, 'rows', 1, 'depth'),
      cols: v.integer(depth, 'cols', 1, 'depth'),
      codebook: v.integer(depth, 'codebook', 1, 'depth'),
    },
    trace: { points: v.integer(trace, 'points', 1, 'trace'), bins: traceBins },
    action: actionSpec,
    statistics: parseStatistics(v, stats, dim),
  };
}

function parseStatistics(v: Validator, stats: Record<string, unknown>, dim: number): ActionStatistics {
  const q01 = v.numberArray(stats, 'q01', dim, 'statistics');
  const q99 = v.numberArray(stats, 'q99', dim, 'statistics');
  const mask = v.booleanArray(stats, 'mask', dim, 'statistics');
  q01.forEach((low, i) => {
    if (low > q99[i]) v.fail(`statistics.q01[${i}]`, `expected <= statistics.q99[${i}] (${q99[i]}), got ${low}`);
  });
  return { q01, q99, mask };
}

function proprioSpec(v: Validator, proprio: Record<string, unknown>): ProprioSpec {
  const dim = v.integer(proprio, 'dim', 1, 'proprio');
  const gripper = proprio.gripper === undefined ? false : v.boolean(proprio, 'gripper', 'proprio');
  if (gripper && dim < 2) v.fail('proprio.dim', `expected at least 2 (joints and the gripper's opening), got ${dim}`);
  return { dim, gripper };
}

function checkVocabulary(v: Validator, vocabulary: string[]): void {
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
}

async function checkGraphFiles(graphs: StageGraphs, file: string): Promise<void> {
  for (const stage of ['perceive', 'plan', 'act'] as const) {
    try {
      await access(graphs[stage]);
    } catch {
      throw new ManifestError(file, `graphs.${stage}`, `graph file not found: ${graphs[stage]}`);
    }
  }
}

/** Typed field readers that throw a ManifestError naming the field path. */
class Validator {
  constructor(private readonly file: string) {}

  fail(field: string, detail: string): never {
    throw new ManifestError(this.file, field, detail);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === undefined || value === null) this.fail(field || '(document)', 'missing (expected a mapping)');
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(field || '(document)', `expected a mapping, got ${describe(value)}`);
    return value as Record<string, unknown>;
  }

  string(obj: Record<string, unknown>, key: string, parent = ''): string {
    const value = this.present(obj, key, parent, 'a string');
    if (typeof value !== 'string' || value === '') this.fail(join(parent, key), `expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  integer(obj: Record<string, unknown>, key: string, min: number, parent = ''): number {
    const value = this.present(obj, key, parent, 'an integer');
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(join(parent, key), `expected an integer, got ${describe(value)}`);
    if (value < min) this.fail(join(parent, key), `expected an integer >= ${min}, got ${value}`);
    return value;
  }

  boolean(obj: Record<string, unknown>, key: string, parent = ''): boolean {
    const value = this.present(obj, key, parent, 'true or false');
    if (typeof value !== 'boolean') this.fail(join(parent, key), `expected true or false, got ${describe(value)}`);
    return value;
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, allowed: readonly T[], parent = ''): T {
    const value = this.present(obj, key, parent, `one of ${allowed.join(', ')}`);
    if (!allowed.includes(value as T)) this.fail(join(parent, key), `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
    return value as T;
  }

  numberArray(obj: Record<string, unknown>, key: string, length: number, parent = ''): number[] {
    const items = this.array(obj, key, length, parent, 'numbers');
    items.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${join(parent, key)}[${i}]`, `expected a finite number, got ${describe(x)}`);
    });
    return items as number[];
  }

  positiveArray(obj: Record<string, unknown>, key: string, length: number, parent = ''): number[] {
    const items = this.numberArray(obj, key, length, parent);
    items.forEach((x, i) => {
      if (x <= 0) this.fail(`${join(parent, key)}[${i}]`, `expected a positive number, got ${x}`);
    });
    return items;
  }

  booleanArray(obj: Record<string, unknown>, key: string, length: number, parent = ''): boolean[] {
    const items = this.array(obj, key, length, parent, 'booleans');
    items.forEach((x, i) => {
      if (typeof x !== 'boolean') this.fail(`${join(parent, key)}[${i}]`, `expected true or false, got ${describe(x)}`);
    });
    return items as boolean[];
  }

  stringArray(obj: Record<string, unknown>, key: string, parent = ''): string[] {
    const items = this.array(obj, key, undefined, parent, 'strings');
    items.forEach((x, i) => {
      if (typeof x !== 'string') this.fail(`${join(parent, key)}[${i}]`, `expected a string, got ${describe(x)}`);
    });
    return items as string[];
  }

  private array(obj: Record<string, unknown>, key: string, length: number | undefined, parent: string, what: string): unknown[] {
    const value = this.present(obj, key, parent, `a list of ${what}`);
    if (!Array.isArray(value)) this.fail(join(parent, key), `expected a list of ${what}, got ${describe(value)}`);
    if (length !== undefined && value.length !== length) {
      this.fail(join(parent, key), `expected ${length} ${what}${parent === 'statistics' ? ' (one per action dimension)' : ''}, got ${value.length}`);
    }
    return value;
  }

  private present(obj: Record<string, unknown>, key: string, parent: string, what: string): unknown {
    const value = obj[key];
    if (value === undefined || value === null) this.fail(join(parent, key), `missing (expected ${what})`);
    return value;
  }
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
