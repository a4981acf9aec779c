/**
 * The staged ONNX backend: three graphs (perceive -> plan -> act) run with onnxruntime-node.
 * The tensor contract between them is in docs/model-format.md; CONTRACT below is its code form.
 */
import ort from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { BackendOptions, ReasoningBackend } from '../backend.js';
import { argmaxRows, checkTrace, decodeActionLogits, decodeDepth, decodeTrace, toRobotUnits } from '../../core/model/decode.js';
import { tokenizeInstruction } from '../../core/model/instruction.js';
import { onnxManifest, type ModelManifest, type OnnxManifest, type StageGraphs } from '../../core/model/manifest.js';
import { preprocessImage } from '../../media/preprocess.js';
import type { BackendInput, BackendOutput, TracePoints } from '../../core/model/types.js';

type Stage = keyof StageGraphs;
type Dim = number | 'features';

/** Input and output names of each graph, with their types and shapes in terms of the manifest. */
function contract(m: OnnxManifest) {
  const image: Dim[] = [1, 3, m.input.height, m.input.width];
  const features: Dim[] = [1, 'features'];
  const proprio: Dim[] = [1, m.proprio.dim];
  return {
    perceive: {
      inputs: { image: ['float32', image] },
      outputs: { features: ['float32', features], depth_logits: ['float32', [1, m.depth.rows * m.depth.cols, m.depth.codebook]] },
    },
    plan: {
      inputs: { features: ['float32', features], instruction: ['int64', [1, m.instruction.maxTokens]], proprio: ['float32', proprio] },
      outputs: { trace_logits: ['float32', [1, m.trace.points, 2, m.trace.bins]] },
    },
    act: {
      inputs: { features: ['float32', features], trace: ['float32', [1, m.trace.points, 2]], proprio: ['float32', proprio] },
      outputs: { action_logits: ['float32', [1, m.action.chunk, m.action.dim, m.action.bins]] },
    },
  } satisfies Record<Stage, Record<'inputs' | 'outputs', Record<string, [string, Dim[]]>>>;
}

/** A graph that cannot be loaded or does not follow the contract; the message names the file. */
export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ModelLoadError';
  }
}

/** The graphs' inputs for one step, ready to feed (see prepare()). */
export interface PreparedInput {
  /** [1, 3, height, width], normalised. */
  image: Float32Array;
  /** [1, max_tokens] token ids. */
  instruction: BigInt64Array;
  /** [1, proprio dim]. */
  proprio: Float32Array;
  /** [1, points, 2] trace for the act stage (coordinates / 255); absent: the planned trace. */
  trace?: Float32Array;
}

/** Raw graph outputs of runBare(). */
export interface BareOutputs {
  features: Float32Array;
  depthLogits: Float32Array;
  /** Absent when the plan stage was skipped because a trace was given. */
  traceLogits?: Float32Array;
  actionLogits: Float32Array;
}

export class OnnxBackend implements ReasoningBackend {
  /**
   * The image tensor's memory, reused from step to step: a fresh array each step (230 kB for the
   * bundled model) costs page faults that, on a virtual machine, take longer than filling it. A
   * step takes it and gives it back, so steps that overlap never share it.
   */
  private spareImage: Float32Array | undefined;

  private constructor(
    readonly manifest: OnnxManifest,
    private readonly sessions: Record<Stage, InferenceSession>,
  ) {}

  /** Opens the three graphs and checks them against the contract. */
  static async load(model: ModelManifest, options: BackendOptions = {}): Promise<OnnxBackend> {
    const manifest = onnxManifest(model);
    const sessionOptions: InferenceSession.SessionOptions = {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      // A session configuration entry (onnxruntime_session_options_config_keys.h); see BackendOptions.
      extra: { session: { intra_op: { allow_spinning: options.spinWait ? '1' : '0' } } },
    };
    const spec = contract(manifest);
    const sessions: Partial<Record<Stage, InferenceSession>> = {};
    try {
      for (const stage of ['perceive', 'plan', 'act'] as const) {
        sessions[stage] = await openSession(manifest.graphs[stage], sessionOptions);
      }
      const s = sessions as Record<Stage, InferenceSession>;
      // The feature width is whatever perceive produces; plan and act must take the same.
      const featureDim = s.perceive.outputMetadata.find((o) => o.name === 'features');
      const width = featureDim?.isTensor ? featureDim.shape[1] : undefined;
      for (const stage of ['perceive', 'plan', 'act'] as const) {
        checkGraph(manifest.graphs[stage], s[stage], spec[stage], typeof width === 'number' ? width : undefined);
      }
      return new OnnxBackend(manifest, s);
    } catch (err) {
      await Promise.all(Object.values(sessions).map((session) => session.release()));
      throw err;
    }
  }

  async step(input: BackendInput): Promise<BackendOutput> {
    const m = this.manifest;
    if (input.traceOverride) checkTrace(input.traceOverride, m.trace.points);
    const timings: Record<string, number> = {};
    let decodeMs = 0;

    let t = performance.now();
    const spare = this.spareImage;
    this.spareImage = undefined;
    const prepared = await this.prepare(input, spare);
    timings.preprocess = lap();
    try {
      const perceived = await this.sessions.perceive.run(this.perceiveFeeds(prepared));
      timings.perceive = lap();

      // With an override the planned trace would be thrown away, so the plan stage is skipped.
      let trace: TracePoints;
      if (input.traceOverride) {
        trace = { x: [...input.traceOverride.x], y: [...input.traceOverride.y] };
      } else {
        const planned = await this.sessions.plan.run(this.planFeeds(perceived.features, prepared));
        timings.plan = lap();
        trace = decodeTrace(floats(planned.trace_logits), planned.trace_logits.dims, m.trace);
        decodeMs += lap();
      }

      const acted = await this.sessions.act.run(this.actFeeds(perceived.features, prepared.trace ?? traceToInput(trace), prepared));
      timings.act = lap();

      const depthTokens = decodeDepth(floats(perceived.depth_logits), perceived.depth_logits.dims, m.depth);
      const actions = toRobotUnits(decodeActionLogits(floats(acted.action_logits), acted.action_logits.dims, m.action, m.statistics), m.action);
      timings.decode = decodeMs + lap();

      return { depthTokens, trace, traceOverridden: input.traceOverride !== undefined, actions, timings };
    } finally {
      this.spareImage = prepared.image;
    }

    function lap(): number {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return ms;
    }
  }

  /** The graphs' inputs for `input`: the image preprocessed (into `image` if given), the instruction tokenized. */
  async prepare(input: BackendInput, image?: Float32Array): Promise<PreparedInput> {
    const m = this.manifest;
    if (input.proprio.length !== m.proprio.dim) {
      throw new Error(`proprio has ${input.proprio.length} values, the model expects ${m.proprio.dim}`);
    }
    return {
      image: await preprocessImage(input.rgb, m.input, image),
      instruction: tokenizeInstruction(input.instruction, m.instruction.vocabulary, m.instruction.maxTokens),
      proprio: input.proprio,
      trace: input.traceOverride ? traceToInput(input.traceOverride) : undefined,
    };
  }

  /**
   * Runs the three sessions on prepared tensors with nothing else around them (no validation,
   * no decoding) except the argmax that turns the plan's logits into the act stage's trace.
   * For measuring the backend's own overhead against plain session.run.
   */
  async runBare(prepared: PreparedInput): Promise<BareOutputs> {
    const perceived = await this.sessions.perceive.run(this.perceiveFeeds(prepared));
    let trace = prepared.trace;
    let traceLogits: Float32Array | undefined;
    if (!trace) {
      const planned = await this.sessions.plan.run(this.planFeeds(perceived.features, prepared));
      traceLogits = floats(planned.trace_logits);
      trace = Float32Array.from(argmaxRows(traceLogits, this.manifest.trace.bins), (c) => c / 255);
    }
    const acted = await this.sessions.act.run(this.actFeeds(perceived.features, trace, prepared));
    return {
      features: floats(perceived.features),
      depthLogits: floats(perceived.depth_logits),
      traceLogits,
      actionLogits: floats(acted.action_logits),
    };
  }

  async dispose(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((session) => session.release()));
  }

  private perceiveFeeds(p: PreparedInput): InferenceSession.FeedsType {
    const { width, height } = this.manifest.input;
    return { image: new ort.Tensor('float32', p.image, [1, 3, height, width]) };
  }

  private planFeeds(features: Tensor, p: PreparedInput): InferenceSession.FeedsType {
    return {
      features,
      instruction: new ort.Tensor('int64', p.instruction, [1, p.instruction.length]),
      proprio: new ort.Tensor('float32', p.proprio, [1, p.proprio.length]),
    };
  }

  private actFeeds(features: Tensor, trace: Float32Array, p: PreparedInput): InferenceSession.FeedsType {
    return {
      features,
      trace: new ort.Tensor('float32', trace, [1, trace.length / 2, 2]),
      proprio: new ort.Tensor('float32', p.proprio, [1, p.proprio.length]),
    };
  }
}

/** Trace points in [0, 255] -> the act stage's input: x0, y0, x1, y1, ... each divided by 255. */
export function traceToInput(trace: TracePoints): Float32Array {
  const out = new Float32Array(trace.x.length * 2);
  trace.x.forEach((x, i) => {
    out[2 * i] = x / 255;
    out[2 * i + 1] = trace.y[i] / 255;
  });
  return out;
}

async function openSession(file: string, options: InferenceSession.SessionOptions): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, options);
  } catch (err) {
    throw new ModelLoadError(file, `cannot load the ONNX graph (${(err as Error).message})`);
  }
}

/** Checks names, element types and static dimensions of a graph's inputs and outputs. */
function checkGraph(
  file: string,
  session: InferenceSession,
  spec: Record<'inputs' | 'outputs', Record<string, [string, Dim[]]>>,
  featureWidth: number | undefined,
): void {
  const sides = [
    ['inputs', session.inputMetadata],
    ['outputs', session.outputMetadata],
  ] as const;
  for (const [side, metadata] of sides) {
    const expected = Object.keys(spec[side]).sort();
    const actual = metadata.map((v) => v.name).sort();
    if (expected.join() !== actual.join()) {
      throw new ModelLoadError(file, `graph ${side} are [${actual.join(', ')}], expected [${expected.join(', ')}]`);
    }
    for (const value of metadata) {
      const [type, dims] = spec[side][value.name];
      if (!value.isTensor || value.type !== type) {
        throw new ModelLoadError(file, `${value.name} must be a ${type} tensor${value.isTensor ? `, got ${value.type}` : ''}`);
      }
      const want = dims.map((d) => (d === 'features' ? featureWidth : d));
      const mismatch =
        value.shape.length !== want.length ||
        value.shape.some((d, i) => typeof d === 'number' && want[i] !== undefined && d !== want[i]);
      if (mismatch) {
        const shown = want.map((d) => d ?? 'F');
        throw new ModelLoadError(file, `${value.name} has shape [${value.shape.join(', ')}], the manifest implies [${shown.join(', ')}]`);
      }
    }
  }
}

function floats(tensor: Tensor): Float32Array {
  if (tensor.type !== 'float32') throw new Error(`expected a float32 tensor, got ${tensor.type}`);
  return tensor.data as Float32Array;
}
