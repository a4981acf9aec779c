/**
 * Demonstrations for training: the scripted expert solves seeded episodes in the tabletop world,
 * and every frame it reasons about is written with MolmoAct's labels.
 *
 * Each record holds the model's input image (resized from the 640x480 render with the runtime's own
 * resize, so training sees what the node will feed the model), a coarse metric depth map (for the
 * depth tokenizer), the joint positions, the instruction's token ids, the expert's trace (5 points
 * in [0, 256)) and its next 8 actions. While the expert is still reaching for the object, it also
 * records what it would do for another object of the scene (trace and actions): the act stage
 * learns from these that the actions follow the trace, not the instruction, which is what
 * steering needs. The executed actions get a little noise, so the data also shows how to recover.
 *
 * Files (little-endian, one row per record; shapes in meta.json): rgb.u8, depth.f32, proprio.f32,
 * instruction.i32, trace.f32, actions.f32, alt_trace.f32, alt_actions.f32, alt_valid.u8,
 * episode.i32.
 */
import { mkdirSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandPlanner } from '../../core/control/command_planner.js';
import { resizeAsPreprocessed } from '../../media/preprocess.js';
import { decodeColorImage, decodeDepthImage } from '../../core/messages/image_codec.js';
import type { Image } from '../../core/messages/types.js';
import { tokenizeInstruction } from '../../core/model/instruction.js';
import type { DepthImage } from '../../core/model/types.js';
import { seededRandom, type Random } from '../../core/util/random.js';
import { runDemonstration, type Observation, type Policy, type PolicyOutput } from './demonstration.js';
import type { SteppingReasoner } from '../../inference/stepping_reasoner.js';
import { expertGoal, expertPlan, stateOf, TRACE_STEPS, traceOfPath } from './expert.js';
import { makeTask, sampleTask, TASK_KINDS, VOCABULARY } from './tasks.js';
import { defaultSettings, PANDA_JOINTS, pandaProprioSource, TabletopWorld } from './world.js';
import { readProprioception } from '../../core/model/proprioception.js';

export interface DatasetOptions {
  out: string;
  episodes: number;
  seed: number;
  image: { width: number; height: number };
  /** Side of the square depth map written for the depth tokenizer. */
  depthSize: number;
  maxTokens: number;
  /** Control steps between recorded frames. */
  everySteps: number;
  /** Standard deviation of the noise added to executed moves (m). */
  noise: number;
  /**
   * DAgger: a model drives instead of the expert (at each reasoning step with probability
   * 1 - expertShare), and the expert labels the frames it visits, so the data covers the states the
   * model gets itself into.
   */
  driver?: { reasoner: SteppingReasoner; expertShare: number };
  onEpisode?: (done: number, frames: number) => void;
}

export const CHUNK = 8;
/** Proprioception recorded: the Panda's 7 joints and the gripper's opening (a model's manifest says `gripper: true`). */
const PROPRIO_DIM = PANDA_JOINTS.length + 1;

const FILES = ['rgb.u8', 'depth.f32', 'proprio.f32', 'instruction.i32', 'trace.f32', 'actions.f32', 'alt_trace.f32', 'alt_actions.f32', 'alt_valid.u8', 'episode.i32'] as const;

export async function writeDataset(options: DatasetOptions): Promise<{ frames: number; successes: number }> {
  mkdirSync(options.out, { recursive: true });
  const files = Object.fromEntries(FILES.map((name) => [name, openSync(join(options.out, name), 'w')])) as Record<(typeof FILES)[number], number>;
  const write = (name: (typeof FILES)[number], data: ArrayBufferView): void => {
    writeSync(files[name], new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  };
  const settings = defaultSettings();
  const proprioSource = pandaProprioSource(settings);
  let frames = 0;
  let successes = 0;
  try {
    for (let episode = 0; episode < options.episodes; episode++) {
      const seed = options.seed * 100_003 + episode;
      const world = TabletopWorld.create({ seed });
      const random = seededRandom(seed ^ 0x5eed);
      const task = sampleTask(world, random);
      const records: Array<() => Promise<void>> = [];
      const instruction = Int32Array.from(tokenizeInstruction(task.instruction, VOCABULARY, options.maxTokens), Number);
      const policy = new RecordingExpert(random, options.noise, options.driver ?? null, (observation, labels) => {
        // The frame as the camera saw it now (the world moves on before the records are written).
        const { rgb, depth } = observation.frame;
        const image = decodeColorImage(rgb as Image); // the world publishes raw rgb8
        image.data = image.data.slice();
        const metric = decodeDepthImage(depth);
        // The proprioception a model reads at run time: joints, then the gripper's opening.
        const { proprio } = readProprioception(observation.frame.joints, proprioSource, true);
        records.push(async () => {
          // Shrunk as the node shrinks it before the model (block means for the simulated 640x480).
          write('rgb.u8', await resizeAsPreprocessed(image, options.image.width, options.image.height));
          write('depth.f32', squareDepth(metric, options.depthSize));
          write('proprio.f32', proprio);
          write('instruction.i32', instruction);
          write('trace.f32', Float32Array.from(interleave(labels.trace)));
          write('actions.f32', Float32Array.from(labels.actions.flat()));
          write('alt_trace.f32', Float32Array.from(labels.alt ? interleave(labels.alt.trace) : new Array(TRACE_STEPS.length * 2).fill(0)));
          write('alt_actions.f32', Float32Array.from(labels.alt ? labels.alt.actions.flat() : new Array(CHUNK * 7).fill(0)));
          write('alt_valid.u8', Uint8Array.of(labels.alt ? 1 : 0));
          write('episode.i32', Int32Array.of(episode));
          frames++;
        });
      });
      const result = await runDemonstration({ world, task, policy, planner: new CommandPlanner(settings, world.arm), maxSteps: 150, executeSteps: options.everySteps });
      if (result.success) successes++;
      for (const record of records) await record();
      options.onEpisode?.(episode + 1, frames);
    }
  } finally {
    for (const fd of Object.values(files)) closeSync(fd);
  }
  const meta = {
    format: 1,
    seed: options.seed,
    episodes: options.episodes,
    successes,
    frames,
    driver: options.driver ? { model: options.driver.reasoner.model.name, expert_share: options.driver.expertShare } : 'expert',
    image: options.image,
    depth: { width: options.depthSize, height: options.depthSize, unit: 'm', missing: 0 },
    instruction: { max_tokens: options.maxTokens, vocabulary: VOCABULARY },
    proprio_dim: PROPRIO_DIM,
    proprio_gripper: true,
    proprio_layout: [...PANDA_JOINTS, 'gripper opening (1 open, 0 closed)'],
    trace_points: TRACE_STEPS.length,
    chunk: CHUNK,
    action_dim: 7,
    action_layout: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper (1 open, 0 closed)'],
    task_kinds: TASK_KINDS,
    files: Object.fromEntries(FILES.map((name) => [name, rowShape(name, options)])),
  };
  writeFileSync(join(options.out, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { frames, successes };
}

interface Labels {
  trace: { x: number[]; y: number[] };
  actions: number[][];
  alt: { trace: { x: number[]; y: number[] }; actions: number[][] } | null;
}

/** The expert as a policy that records its labels for each observation and acts with some noise. */
class RecordingExpert implements Policy {
  readonly name = 'expert';
  readonly format = { actionSpace: 'ee_delta', rotation: 'euler_xyz' as const, deltaFrame: 'base', gripperIndex: 6 };

  constructor(
    private readonly random: Random,
    private readonly noise: number,
    private readonly driver: DatasetOptions['driver'] | null,
    private readonly record: (observation: Observation, labels: Labels) => void,
  ) {}

  async act(observation: Observation): Promise<PolicyOutput> {
    const { world, task, start } = observation;
    const horizon = Math.max(CHUNK, TRACE_STEPS.at(-1)!);
    const state = stateOf(world, task, start);
    const plan = expertPlan(state, expertGoal(world, task, start), horizon);
    const trace = traceOfPath(world, plan.path);
    let alt: Labels['alt'] = null;
    if (!state.holding && !state.done && !world.gripperClosed) {
      // Reaching: what it would do for another object (a pick of it).
      const others = world.objects.filter((o) => o.index !== task.object && !o.held);
      if (others.length > 0) {
        const other = others[Math.floor(this.random() * others.length)];
        const otherTask = makeTask(world, 'pick', other.index);
        const otherStart = [...other.position] as [number, number, number];
        const otherPlan = expertPlan(stateOf(world, otherTask, otherStart), expertGoal(world, otherTask, otherStart), horizon);
        const otherTrace = traceOfPath(world, otherPlan.path);
        if (otherTrace) alt = { trace: otherTrace, actions: otherPlan.actions.slice(0, CHUNK) };
      }
    }
    const actions = plan.actions.slice(0, CHUNK);
    if (trace) this.record(observation, { trace, actions, alt });
    if (this.driver && this.random() >= this.driver.expertShare) {
      const { step } = await this.driver.reasoner.step(observation.frame, { instruction: task.instruction });
      return { actions: step.actions, trace: step.trace, stepMs: 0 };
    }
    // Executed moves get some noise; the labels stay the expert's.
    const noisy = actions.map((a) => a.map((v, i) => (i < 3 ? v + this.noise * gaussian(this.random) : v)));
    return { actions: noisy, trace, stepMs: 0 };
  }
}

/** Mean of the valid depths in each cell of a size x size grid over the image (0 where none). */
export function squareDepth(depth: DepthImage, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let r = 0; r < size; r++) {
    const v0 = Math.floor((r * depth.height) / size);
    const v1 = Math.floor(((r + 1) * depth.height) / size);
    for (let c = 0; c < size; c++) {
      const u0 = Math.floor((c * depth.width) / size);
      const u1 = Math.floor(((c + 1) * depth.width) / size);
      let sum = 0;
      let count = 0;
      for (let v = v0; v < v1; v++) {
        for (let u = u0; u < u1; u++) {
          const d = depth.data[v * depth.width + u];
          if (d > 0 && d < Infinity) {
            sum += d;
            count++;
          }
        }
      }
      out[r * size + c] = count > 0 ? sum / count : 0;
    }
  }
  return out;
}

function interleave(trace: { x: number[]; y: number[] }): number[] {
  return trace.x.flatMap((x, i) => [x, trace.y[i]]);
}

function gaussian(random: Random): number {
  // Box-Muller; 1 - random() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function rowShape(name: string, options: DatasetOptions): number[] {
  switch (name) {
    case 'rgb.u8':
      return [options.image.height, options.image.width, 3];
    case 'depth.f32':
      return [options.depthSize, options.depthSize];
    case 'proprio.f32':
      return [PROPRIO_DIM];
    case 'instruction.i32':
      return [options.maxTokens];
    case 'trace.f32':
    case 'alt_trace.f32':
      return [TRACE_STEPS.length, 2];
    case 'actions.f32':
    case 'alt_actions.f32':
      return [CHUNK, 7];
    default:
      return [];
  }
}
