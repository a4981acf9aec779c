/**
 * `molmoact-ros bench --model <remote model>`: the node's own cost per remote step, apart from
 * the server's. A synthetic server in the manifest's protocol answers at once on this machine;
 * the time it spends on each answer (request read to answer written, measured by the server) is
 * taken out, so what remains is the node's: decoding the messages, preparing and encoding the
 * images, the HTTP request and answer on the node's side, parsing and planning.
 *
 * Phase 1 runs the backend in-process and times each part; phase 2 runs whole steps through the
 * node's own pipeline (node_step_ms: first message in to trajectory out, less the server's time).
 */
import { armModelOptions } from '../../config/settings.js';
import { presetUrdfPath, settingsForModel } from '../../config/robot_presets.js';
import { CommandPlanner } from '../../core/control/command_planner.js';
import { FrameSync } from '../../core/sync/frame_sync.js';
import type { RemoteManifest } from '../../core/model/manifest.js';
import { RemoteBackend } from '../../inference/remote/remote_backend.js';
import { SyntheticServer } from '../../inference/remote/synthetic_server.js';
import { decodeFrame } from '../../inference/frame_step.js';
import { BenchSession, type BenchMessages } from './bench_session.js';
import { proprioSource } from '../../core/model/proprioception.js';
import { summarizeModel } from '../../core/model/model_summary.js';
import { SyntheticCamera, PANDA_READY } from '../sim/synthetic_camera.js';
import { toSeconds } from '../../core/messages/time.js';
import type { Frame, ReasoningStep } from '../../core/model/types.js';
import { Samples, printTable, round } from './bench_report.js';
import { loadArmModel } from '../../config/robot_files.js';

const INSTRUCTION = 'put the spoon on the towel';

export interface RemoteBenchOptions {
  steps: number;
  warmup: number;
  json: boolean;
  log(line: string): void;
}

export async function runRemoteBench(manifest: RemoteManifest, options: RemoteBenchOptions): Promise<number> {
  const { steps, warmup, log } = options;
  const robot = manifest.robot ?? 'panda';
  const server = await SyntheticServer.start({ manifest });
  const settings = settingsForModel(manifest.dir, robot, { remote_server: server.url });

  const gripperJoints = settings.gripper.joints;
  const rest = settings.robot.restPosture.length ? settings.robot.restPosture : PANDA_READY.slice(0, settings.jointNames.length);
  const jointPositions = [...rest, ...gripperJoints.map(() => settings.gripper.openPosition)];
  const names = [...settings.jointNames, ...gripperJoints];
  const main = new SyntheticCamera(names, { jointPositions });
  const others = manifest.cameras.slice(1).map(() => new SyntheticCamera(names, { jointPositions }));
  const proprio = proprioSource(settings.jointNames, settings.gripper);
  const urdfFile = presetUrdfPath(robot, settings.robot.descriptionFile || undefined);
  const arm = loadArmModel(urdfFile, armModelOptions(settings));
  const planner = new CommandPlanner(settings, arm);
  const format = summarizeModel(manifest);
  const extraCameras = manifest.cameras.slice(1).map((c) => c.name);
  /** A set of messages from every camera the model takes, stamped `stampSec` (default: the next frame). */
  const nextMessages = (stampSec?: number): BenchMessages & { nowSec: number } => {
    const m = main.next({ stampSec });
    const stamp = toSeconds(m.rgb.header.stamp);
    return { ...m, extraImages: extraCameras.map((camera, k) => ({ camera, image: others[k].next({ stampSec: stamp }).rgb })) };
  };
  const nextFrame = (): Frame => {
    const m = nextMessages();
    const sync = new FrameSync({ slopSec: settings.syncSlopSec, maxAgeSec: 1e9, maxFutureSec: 1e9, now: () => m.nowSec });
    sync.setExtraCameras(extraCameras);
    for (const extra of m.extraImages ?? []) sync.addExtraImage(extra.camera, extra.image);
    sync.addCameraInfo(m.cameraInfo);
    sync.addJointState(m.joints);
    sync.addDepth(m.depth);
    return sync.addRgb(m.rgb)!;
  };
  const command = (step: ReasoningStep): number => {
    const t = performance.now();
    const now = toSeconds(step.stamp);
    const decision = planner.plan(step.actions, format, {
      enabled: true,
      now,
      imageStamp: now,
      jointStateStamp: now,
      current: step.jointPositions,
      currentVelocity: step.jointPositions.map(() => 0),
    });
    if (!decision.ok) throw new Error(`the planner refused the synthetic chunk: ${decision.reason}`);
    return performance.now() - t;
  };
  log(`bench: remote model ${manifest.name} (${manifest.remote.protocol}) against a synthetic server at ${server.url}, 640x480 frames, ${steps} steps`);

  // Phase 1: the parts, in-process.
  const backend = new RemoteBackend(manifest, settings.inference.remote);
  const parts = new Samples();
  for (let i = 0; i < warmup + steps; i++) {
    const frame = nextFrame();
    let t = performance.now();
    const decoded = await decodeFrame(frame, proprio, manifest.proprio.gripper);
    const decodeMs = performance.now() - t;
    t = performance.now();
    const output = await backend.step({ rgb: decoded.rgb, extraImages: decoded.extraImages, instruction: INSTRUCTION, proprio: decoded.proprio });
    const stepMs = performance.now() - t;
    const serverMs = server.lastHandlingMs;
    const planMs = command({ ...output, stamp: frame.stamp, jointPositions: Array.from(decoded.joints) } as ReasoningStep);
    if (i < warmup) continue;
    const httpMs = (output.timings.server ?? 0) - serverMs;
    parts.add('decode_ms', decodeMs);
    parts.add('encode_ms', output.timings.encode ?? 0);
    parts.add('http_ms', httpMs);
    parts.add('parse_ms', output.timings.parse ?? 0);
    parts.add('plan_ms', planMs);
    parts.add('server_ms', serverMs);
    parts.add('node_ms', decodeMs + stepMs - serverMs + planMs);
  }

  // Phase 2: whole steps through the node's own pipeline (sync, worker, markers, planner, output).
  const session = await BenchSession.start(settings, urdfFile, INSTRUCTION);
  // Each step's stamp lies far past the last chunk's end, so every frame is reasoned about.
  let stampSec = 1_700_000_000;
  for (let i = 0; i < warmup + steps; i++) {
    stampSec += 100;
    const { wallMs, step, timing } = await session.step(nextMessages(stampSec));
    const serverMs = server.lastHandlingMs;
    if (i < warmup) continue;
    parts.add('node_step_ms', wallMs - serverMs);
    parts.add('worker_transfer_ms', timing.roundTripMs - timing.workerMs);
    for (const stage of ['decode_frame', 'encode', 'parse', 'lift'] as const) parts.add(`step_${stage}_ms`, step.timings[stage] ?? 0);
    parts.add('step_http_ms', (step.timings.server ?? 0) - serverMs);
  }
  await session.close();
  await server.close();

  const medians = parts.medians();
  const result = {
    model: manifest.name,
    protocol: manifest.remote.protocol,
    image: `640x480 rgb8, ${manifest.cameras.length} camera(s)`,
    steps,
    ...medians,
    node_ms_p90: round(parts.quantile('node_ms', 0.9)),
    node_step_ms_p90: round(parts.quantile('node_step_ms', 0.9)),
  };
  printTable(result);
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
