/**
 * `molmoact-ros bench`: where the time of a reasoning step goes, on a synthetic RGB + 16UC1 depth
 * frame (640x480 unless --size says otherwise), and how much the pipeline adds to the bare ONNX graphs.
 *
 * Phase 1 times each part in-process (sync, message decode, preprocess, each stage, output
 * decode, lifting, markers, trajectory, trace image) and the conversion of an 8-step
 * end-effector chunk through IK (ee_chunk_ms). Phase 2 runs whole steps through the node's own
 * pipeline (ReasoningSession: sync, worker, markers, planner, output), giving step_ms and the
 * worker transfer, and the same graphs bare (session.run on the same prepared inputs, bare_ms),
 * back to back, in alternating blocks. Phase 3 paces both at the camera's rate (--rate), each
 * after a frame has been made and the threads have idled until its tick, as they do between real
 * frames: the overhead at camera rate, where neither has warm caches. Phase 4 (--soak) runs many
 * steps and compares resident memory at the start and the end.
 */
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { markAsUntransferable, Worker } from 'node:worker_threads';
import type { WokenBareInit, WokenBareReply } from './woken_bare_worker.js';
import { loadParameterSchema, defaultValues } from '../../config/schema.js';
import { armModelOptions, settingsFromValues } from '../../config/settings.js';
import { resolvePackagePath } from '../../config/package_root.js';
import { CommandPlanner } from '../../core/control/command_planner.js';
import { toSeconds } from '../../core/messages/time.js';
import { FrameSync } from '../../core/sync/frame_sync.js';
import { onnxManifest } from '../../core/model/manifest.js';
import { loadManifest } from '../../inference/load_manifest.js';
import { OnnxBackend } from '../../inference/onnx/onnx_backend.js';
import { preprocessImage } from '../../media/preprocess.js';
import { decodeFrame, liftStep, reasonAboutFrame } from '../../inference/frame_step.js';
import { depthSampler } from '../../core/messages/image_codec.js';
import { BenchSession, type BenchMessages } from './bench_session.js';
import { proprioSource } from '../../core/model/proprioception.js';
import { summarizeModel } from '../../core/model/model_summary.js';
import { buildTraceMarkers } from '../../core/visualize/trace_markers.js';
import { renderTraceImage } from '../../media/trace_image.js';
import { buildReasoningMessage } from '../../core/report/reasoning_message.js';
import { SyntheticCamera, PANDA_READY } from '../sim/synthetic_camera.js';
import { seededRandom, uniform } from '../../core/util/random.js';
import type { ReasoningStep } from '../../core/model/types.js';
import { integerOption, parseOptions, UsageError } from '../../config/command_line.js';
import { Samples, printTable, round } from './bench_report.js';
import { loadArmModel } from '../../config/robot_files.js';
import { withImageThreads } from '../../media/image_file.js';

const HELP = `usage: molmoact-ros bench [options]

  --model DIR     model folder (default: the model_dir parameter's default); a remote model is
                  timed against a synthetic server that answers at once (the node's own cost)
  --size WxH      the camera frame's size (default 640x480; e.g. 1280x720)
  --steps N       timed steps per phase (default 200)
  --warmup N      untimed steps first (default 20)
  --rate HZ       camera rate of the paced phase (default 30; 0 skips it)
  --ros-buffers   whole steps get their images in buffers Node cannot move to the worker, as
                  rclnodejs delivers them (the node then copies each image once)
  --soak N        steps of the memory soak (default 10000; 0 skips it)
  --threads N     onnxruntime intra-op threads (default: inference_threads)
  --spin-wait     let onnxruntime's threads spin between calls (default: inference_spin_wait)
  --json          print the results as one JSON object on the last line
`;

const INSTRUCTION = 'pick up the red block';
/** Timed runs per block where bare graphs and whole steps alternate. */
const BLOCK = 20;
/** The default joint names are the Panda's: it is commanded through its bundled URDF. */
const PANDA_URDF = resolvePackagePath('config/robots/urdf/panda.urdf');

export async function runBench(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      model: { type: 'string' },
      size: { type: 'string', default: '640x480' },
      steps: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      rate: { type: 'string', default: '30' },
      'ros-buffers': { type: 'boolean', default: false },
      soak: { type: 'string', default: '10000' },
      threads: { type: 'string' },
      'spin-wait': { type: 'boolean' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const settings = settingsFromValues(defaultValues(loadParameterSchema()));
  const modelDir = values.model ? resolve(values.model) : settings.modelDir;
  const sizeMatch = /^(\d+)x(\d+)$/.exec(values.size.trim());
  if (!sizeMatch || Number(sizeMatch[1]) < 1 || Number(sizeMatch[2]) < 1) throw new UsageError(`--size: expected WxH, e.g. 1280x720, got "${values.size}"`);
  const [width, height] = [Number(sizeMatch[1]), Number(sizeMatch[2])];
  const steps = integerOption(values.steps, '--steps', 1);
  const warmup = integerOption(values.warmup, '--warmup', 0);
  const soak = integerOption(values.soak, '--soak', 0);
  const rateHz = Number(values.rate);
  if (!(rateHz >= 0 && rateHz <= 1000)) throw new UsageError(`--rate: expected a rate in Hz from 0 to 1000, got "${values.rate}"`);
  const inference = {
    intraOpThreads: values.threads ? integerOption(values.threads, '--threads', 1) : settings.inference.intraOpThreads,
    spinWait: values['spin-wait'] ?? settings.inference.spinWait,
  };
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };

  const loaded = await loadManifest(modelDir);
  if (loaded.backend === 'remote') {
    const { runRemoteBench } = await import('./bench_remote.js');
    return runRemoteBench(loaded, { steps, warmup, json: values.json, log });
  }
  const manifest = onnxManifest(loaded);
  // Joint states as a Panda publishes them: the arm, then the gripper's joints (open).
  const proprio = proprioSource(settings.jointNames, settings.gripper);
  const gripperJoints = settings.gripper.joints;
  const camera = new SyntheticCamera([...settings.jointNames, ...gripperJoints], {
    width,
    height,
    fx: (520 * width) / 640,
    jointPositions: [...PANDA_READY.slice(0, settings.jointNames.length), ...gripperJoints.map(() => settings.gripper.openPosition)],
  });
  if (!startedAsTheNode()) {
    log('bench: not started as the node is (its launcher sets --min-semi-space-size=16 and GLIBC_TUNABLES; `npm run bench` starts the bench through it): the figures include V8 growing its young generation and glibc unmapping freed frames');
  }
  log(`bench: model ${manifest.name}, ${width}x${height} rgb8 + 16UC1, ${steps} steps, ${inference.intraOpThreads} inference thread(s)${inference.spinWait ? ', spinning' : ''}`);

  // Phase 1: each part, in-process.
  const backend = await OnnxBackend.load(manifest, inference);
  const parts = new Samples();
  const arm = loadArmModel(PANDA_URDF, armModelOptions(settings));
  const planner = new CommandPlanner(settings, arm);
  const format = summarizeModel(manifest);
  const command = (step: ReasoningStep): void => {
    const now = toSeconds(step.stamp);
    planner.plan(step.actions, format, { enabled: true, now, imageStamp: now, jointStateStamp: now, current: step.jointPositions, currentVelocity: step.jointPositions.map(() => 0) });
  };
  let lastStep: ReasoningStep | null = null;
  for (let i = 0; i < warmup + steps; i++) {
    const record = i >= warmup;
    const messages = camera.next();
    const sync = new FrameSync({ slopSec: settings.syncSlopSec, maxAgeSec: 1e9, maxFutureSec: 1e9, now: () => messages.nowSec });
    let t = performance.now();
    sync.addCameraInfo(messages.cameraInfo);
    sync.addJointState(messages.joints);
    sync.addDepth(messages.depth);
    const frame = sync.addRgb(messages.rgb)!;
    const syncMs = performance.now() - t;

    t = performance.now();
    const decoded = await decodeFrame(frame, proprio, manifest.proprio.gripper);
    const decodeMs = performance.now() - t;

    const depth = depthSampler(frame.depth);
    const step = liftStep(await reasonAboutFrame(backend, frame, decoded, { instruction: INSTRUCTION }), depth, frame.cameraInfo);

    t = performance.now();
    buildTraceMarkers(step);
    buildReasoningMessage(step, summarizeModel(manifest), step.stamp);
    const markersMs = performance.now() - t;

    t = performance.now();
    command(step);
    const trajectoryMs = performance.now() - t;

    if (record) {
      parts.add('sync_ms', syncMs);
      parts.add('decode_ms', decodeMs);
      parts.add('step_preprocess_ms', step.timings.preprocess ?? 0);
      for (const stage of ['perceive', 'plan', 'act'] as const) parts.add(`${stage}_ms`, step.timings[stage] ?? 0);
      parts.add('decode_outputs_ms', step.timings.decode ?? 0);
      parts.add('lift_ms', step.timings.lift ?? 0);
      parts.add('markers_ms', markersMs);
      parts.add('trajectory_ms', trajectoryMs);
    }
    lastStep = step;
  }

  // Preprocessing alone, with libvips held to one thread: the "one core" figure.
  const sample = await decodeFrame(camera.nextFrame(), proprio, manifest.proprio.gripper);
  const rgb = sample.rgb;
  await withImageThreads(1, async () => {
    for (let i = 0; i < warmup + steps; i++) {
      const t = performance.now();
      await preprocessImage(rgb, manifest.input);
      if (i >= warmup) parts.add('preprocess_ms', performance.now() - t);
    }
  });

  // The trace image is drawn after the command has left (off the step's path); timed on its own,
  // on the worker's terms: drawn on the frame itself, which the worker no longer needs.
  const frame = { ...rgb, data: rgb.data.slice() };
  for (let i = 0; i < warmup + steps; i++) {
    frame.data.set(rgb.data);
    const t = performance.now();
    await renderTraceImage(frame, lastStep!.tracePixels, INSTRUCTION, { inPlace: true });
    if (i >= warmup) parts.add('trace_image_ms', performance.now() - t);
  }

  // The graphs' inputs for the bare runs of phases 2 and 3.
  const prepared = await backend.prepare({
    rgb,
    instruction: INSTRUCTION,
    proprio: sample.proprio,
  });

  // Phase 1b: an 8-step end-effector chunk (MolmoAct's action layout) to a checked trajectory:
  // IK for every step, timing, the SafetyGuard. Small random moves from the ready pose, seeded.
  const random = seededRandom(7);
  const eeFormat = { actionSpace: 'ee_delta', rotation: 'euler_xyz' as const, deltaFrame: 'base', gripperIndex: 6 };
  let eeRefused = 0;
  for (let i = 0; i < warmup + steps; i++) {
    const chunk = Array.from({ length: 8 }, () => [
      ...[0, 0, 0].map(() => uniform(random, -0.01, 0.01)),
      ...[0, 0, 0].map(() => uniform(random, -0.03, 0.03)),
      random() < 0.5 ? 0 : 1,
    ]);
    const t = performance.now();
    const decision = planner.plan(chunk, eeFormat, { enabled: true, now: 0, imageStamp: 0, jointStateStamp: 0, current: PANDA_READY, currentVelocity: PANDA_READY.map(() => 0) });
    if (i >= warmup) {
      parts.add('ee_chunk_ms', performance.now() - t);
      if (!decision.ok) eeRefused++;
    }
  }
  if (eeRefused > 0) log(`bench: ${eeRefused} of ${steps} end-effector chunks were refused`);

  // Phases 2 and 3: whole steps through the node's own pipeline (sync, worker, markers, planner,
  // output), and the same graphs bare (session.run on prepared inputs). They alternate in blocks,
  // so that both see the machine in the same state: its speed drifts from one minute to the next.
  const session = await BenchSession.start({ ...settings, modelDir, inference: { ...settings.inference, ...inference } }, PANDA_URDF, INSTRUCTION);
  // Each step's stamp lies far past the last chunk's end, so every frame is reasoned about.
  let stampSec = 1_700_000_000;
  const nextMessages = (): BenchMessages => {
    stampSec += 100;
    const messages = camera.next({ stampSec });
    if (values['ros-buffers']) for (const image of [messages.rgb, messages.depth]) markAsUntransferable(image.data.buffer);
    return messages;
  };
  const endToEnd = async (): Promise<{ stepMs: number; transferMs: number; graphsMs: number }> => {
    const { wallMs, timing, step } = await session.step(nextMessages());
    return { stepMs: wallMs, transferMs: timing.roundTripMs - timing.workerMs, graphsMs: graphsOf(step) };
  };
  const bareRun = async (): Promise<number> => {
    const t = performance.now();
    await backend.runBare(prepared);
    return performance.now() - t;
  };
  /** Runs each of `runs` `steps` times (after `warmup` untimed runs of each), in alternating blocks. */
  const alternate = async (...runs: ((record: boolean) => Promise<void>)[]): Promise<void> => {
    for (const run of runs) for (let i = 0; i < warmup; i++) await run(false);
    for (let done = 0; done < steps; done += BLOCK) {
      const count = Math.min(BLOCK, steps - done);
      for (const run of runs) for (let i = 0; i < count; i++) await run(true);
    }
  };
  // The same graphs in a thread that a small message wakes for each run (woken_bare_worker.ts).
  const woken = await WokenBare.start({ modelDir, inference, rgb, instruction: INSTRUCTION, proprio: sample.proprio });

  // Phase 2: back to back.
  await alternate(
    async (record) => {
      const ms = await bareRun();
      if (record) parts.add('bare_ms', ms);
    },
    async (record) => {
      const { roundTripMs, graphsMs } = await woken.run();
      if (!record) return;
      parts.add('woken_bare_ms', graphsMs);
      parts.add('woken_round_trip_ms', roundTripMs);
    },
    async (record) => {
      const { stepMs, transferMs, graphsMs } = await endToEnd();
      if (!record) return;
      parts.add('step_ms', stepMs);
      parts.add('step_pipeline_ms', stepMs - graphsMs);
      parts.add('worker_transfer_ms', transferMs);
    },
  );

  // Phase 3: at camera rate. Back to back, the threads never idle and the caches stay warm;
  // between real frames they idle for a frame period, and whatever runs first after that pays for
  // it. So bare graphs and whole steps are paced at the rate, each after a frame has been made as
  // at every tick; a whole step's own graphs are timed inside it too (the worker's perceive, plan
  // and act), giving what the pipeline adds in that very step.
  if (rateHz > 0) {
    const periodMs = 1000 / rateHz;
    let tick = performance.now();
    const atTick = async <T>(run: (messages: BenchMessages) => Promise<T>): Promise<{ ms: number; result: T }> => {
      const messages = nextMessages();
      tick = Math.max(tick + periodMs, performance.now());
      await delay(Math.max(0, tick - performance.now())); // the threads idle until the tick
      const t = performance.now();
      const result = await run(messages);
      return { ms: performance.now() - t, result };
    };
    await alternate(
      async (record) => {
        const { ms } = await atTick(() => backend.runBare(prepared));
        if (record) parts.add('bare_at_rate_ms', ms);
      },
      async (record) => {
        const { ms, result } = await atTick((messages) => session.step(messages));
        if (!record) return;
        parts.add('step_at_rate_ms', ms);
        parts.add('pipeline_at_rate_ms', ms - graphsOf(result.step));
      },
    );
  }
  await backend.dispose();
  await woken.close();

  // Phase 4: memory over a long run.
  let memory: Record<string, number> = {};
  if (soak > 0) {
    global.gc?.();
    const rssStart = process.memoryUsage().rss;
    const every = Math.max(1, Math.floor(soak / 10));
    for (let i = 1; i <= soak; i++) {
      await endToEnd();
      if (i % every === 0) log(`soak: ${i}/${soak} steps, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB`);
    }
    global.gc?.();
    const rssEnd = process.memoryUsage().rss;
    memory = {
      soak_steps: soak,
      rss_start_mib: round(rssStart / 2 ** 20),
      rss_end_mib: round(rssEnd / 2 ** 20),
      rss_growth_pct: round(((rssEnd - rssStart) / rssStart) * 100),
    };
  }
  await session.close();

  const medians = parts.medians();
  const result = {
    model: manifest.name,
    image: `${width}x${height} rgb8 + 16UC1${values['ros-buffers'] ? ' in buffers the middleware owns' : ''}`,
    steps,
    threads: inference.intraOpThreads,
    spin_wait: inference.spinWait,
    ...medians,
    step_ms_p90: round(parts.quantile('step_ms', 0.9)),
    ee_chunk_ms_p95: round(parts.quantile('ee_chunk_ms', 0.95)),
    overhead_ratio: round(medians.step_ms / medians.bare_ms, 3),
    overhead_ms: round(medians.step_ms - medians.bare_ms),
    ...(rateHz > 0
      ? {
          rate_hz: rateHz,
          step_at_rate_ms_p90: round(parts.quantile('step_at_rate_ms', 0.9)),
          overhead_at_rate_ms: round(medians.step_at_rate_ms - medians.bare_at_rate_ms),
        }
      : {}),
    ...memory,
  };
  printTable(result);
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

/** Whether this process has the Node.js flag and allocator settings the node's launcher gives the node. */
function startedAsTheNode(): boolean {
  return process.execArgv.some((flag) => flag.startsWith('--min-semi-space-size')) && process.env.GLIBC_TUNABLES !== undefined;
}

/** The bare graphs in a thread of their own, woken by a message for each run. */
class WokenBare {
  private constructor(private readonly worker: Worker) {}

  static async start(init: WokenBareInit): Promise<WokenBare> {
    const worker = new Worker(new URL('./woken_bare_worker.js', import.meta.url), { workerData: init });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the bench's graph worker exited (code ${code}) before loading the model`)));
    });
    return new WokenBare(worker);
  }

  /** One run: the round trip from posting the message to its answer, and the graphs' time inside it. */
  run(): Promise<{ roundTripMs: number; graphsMs: number }> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      this.worker.once('message', (reply: WokenBareReply) => {
        if (reply.type === 'ran') resolve({ roundTripMs: performance.now() - start, graphsMs: reply.graphsMs });
        else reject(new Error(`the bench's graph worker: ${reply.type === 'failed' ? reply.message : 'unexpected answer'}`));
      });
      this.worker.postMessage('run');
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await this.worker.terminate();
  }
}

/** The time of a step's three graphs, as the worker timed them inside the step. */
function graphsOf(step: ReasoningStep): number {
  return (['perceive', 'plan', 'act'] as const).reduce((sum, stage) => sum + (step.timings[stage] ?? 0), 0);
}
