/**
 * `molmoact-ros check-model`: what a model answers for one frame, before it drives an arm.
 *
 * Sets the node's parameters up as the launch file would (defaults, the robot preset the manifest
 * names, the model folder's params.yaml, then --server), sends one frame (an image file, or a
 * synthetic one) through the model's backend, prints the parsed reasoning (depth tokens, trace,
 * action chunk), the time of the round trip split into the node's part and the server's, and what
 * the CommandPlanner would command from the robot's rest posture. Exit status 0 when all of that
 * worked, 1 when the model, the server or the planner failed, 2 for a usage error.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../../config/schema.js';
import { armModelOptions, type NodeSettings } from '../../config/settings.js';
import { ArmModel } from '../../core/kinematics/arm_model.js';
import { CommandPlanner } from '../../core/control/command_planner.js';
import { createBackend } from '../../inference/create_backend.js';
import { ManifestError, type ModelManifest } from '../../core/model/manifest.js';
import { loadManifest } from '../../inference/load_manifest.js';
import { summarizeModel } from '../../core/model/model_summary.js';
import { SyntheticCamera } from '../sim/synthetic_camera.js';
import { decodeColorImage } from '../../core/messages/image_codec.js';
import { toSeconds } from '../../core/messages/time.js';
import type { BackendOutput, RgbImage } from '../../core/model/types.js';
import type { Image } from '../../core/messages/types.js';
import { listRobotPresets, presetUrdfPath, settingsForModel } from '../../config/robot_presets.js';
import { parseOptions, UsageError } from '../../config/command_line.js';
import { loadArmModel } from '../../config/robot_files.js';
import { readRgbFile } from '../../media/image_file.js';

const HELP = `usage: molmoact-ros check-model --model DIR [options]

Sends one frame to a model and shows what it reasons and what the arm would be sent.

  --model DIR        model folder (manifest.yaml)
  --server URL       remote models: the server as scheme://host:port (default: the manifest's)
  --image FILE       a PNG or JPEG to send (default: a synthetic 640x480 frame); models with
                     several cameras get it for each
  --instruction TEXT the task (default: "pick up the red block")
  --robot NAME       robot preset (${listRobotPresets().join(', ')}); default: the manifest's robot
  --json             also print the results as one JSON object on the last line
  --help             this text

Exit status: 0 when the model answered and the planner would command it, 1 when the model, the
server or the planner failed, 2 for a usage error.
`;

export interface CheckModelResult {
  ok: boolean;
  model: string;
  backend: string;
  server?: string;
  error?: string;
  depth_tokens: number[];
  trace: { x: number[]; y: number[] };
  /** Un-normalised, one row per step. */
  actions: number[][];
  answer?: string;
  round_trip_ms: number;
  node_ms: number;
  server_ms: number;
  plan_ms: number;
  command?: { ok: boolean; reason?: string; points?: number; duration_s?: number; gripper?: string; first?: number[]; last?: number[] };
}

export async function runCheckModel(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      model: { type: 'string' },
      server: { type: 'string' },
      image: { type: 'string' },
      instruction: { type: 'string', default: 'pick up the red block' },
      robot: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('give --model DIR');
  let manifest: ModelManifest;
  try {
    manifest = await loadManifest(resolve(values.model));
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message);
    throw err;
  }
  const robot = values.robot ?? manifest.robot;
  if (!robot) throw new UsageError(`${manifest.file} names no robot: give --robot NAME`);
  const settings = nodeSettings(manifest, robot, values.server);
  const image = values.image ? await readImage(values.image) : decodeColorImage(new SyntheticCamera(settings.jointNames).nextFrame().rgb as Image);
  const arm = loadArmModel(presetUrdfPath(robot, settings.robot.descriptionFile || undefined), armModelOptions(settings));
  const result = await checkModel(manifest, settings, arm, image, values.instruction);
  printReport(result, settings);
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.ok ? 0 : 1;
}

/** The node's settings as launch would give them for this model and robot. */
function nodeSettings(manifest: ModelManifest, robot: string, server: string | undefined): NodeSettings {
  try {
    return settingsForModel(manifest.dir, robot, server === undefined ? {} : { remote_server: server });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

async function readImage(file: string): Promise<RgbImage> {
  try {
    return await readRgbFile(file);
  } catch (err) {
    throw new UsageError(`--image ${file}: ${(err as Error).message}`);
  }
}

/** One frame through the backend and the planner. */
export async function checkModel(
  manifest: ModelManifest,
  settings: NodeSettings,
  arm: ArmModel,
  rgb: RgbImage,
  instruction: string,
): Promise<CheckModelResult> {
  const summary = summarizeModel(manifest, settings.inference.remote?.server);
  const result: CheckModelResult = {
    ok: false,
    model: manifest.name,
    backend: manifest.backend,
    server: summary.remote?.url,
    depth_tokens: [],
    trace: { x: [], y: [] },
    actions: [],
    round_trip_ms: 0,
    node_ms: 0,
    server_ms: 0,
    plan_ms: 0,
  };
  const rest = Float64Array.from(settings.robot.restPosture.length ? settings.robot.restPosture : arm.limits.min.map((lo, j) => (lo + arm.limits.max[j]) / 2));
  // The gripper open, as a robot at rest would report it.
  const proprio = Float32Array.from(manifest.proprio.gripper ? [...rest, 1] : rest);
  const extraImages = manifest.backend === 'remote' ? manifest.cameras.slice(1).map(() => rgb) : [];
  const backend = await createBackend(manifest, settings.inference);
  let output: BackendOutput;
  const started = performance.now();
  try {
    output = await backend.step({ rgb, extraImages, instruction, proprio });
  } catch (err) {
    result.round_trip_ms = performance.now() - started;
    result.error = `${(err as Error).name}: ${(err as Error).message}`;
    return result;
  } finally {
    await backend.dispose();
  }
  result.round_trip_ms = performance.now() - started;
  result.server_ms = output.timings.server ?? 0;
  result.node_ms = result.round_trip_ms - result.server_ms;
  Object.assign(result, { depth_tokens: output.depthTokens, trace: output.trace, actions: output.actions, answer: output.answer });

  const planner = new CommandPlanner(settings, arm);
  const now = 1000;
  const planStart = performance.now();
  const decision = planner.plan(output.actions, summary, {
    enabled: true,
    now,
    imageStamp: now,
    jointStateStamp: now,
    current: rest,
    currentVelocity: new Float64Array(rest.length),
    frameJoints: rest,
  });
  result.plan_ms = performance.now() - planStart;
  result.node_ms += result.plan_ms;
  if (!decision.ok) {
    result.command = { ok: false, reason: decision.reason };
    result.error = `the planner would send nothing: ${decision.reason}`;
    return result;
  }
  const points = decision.trajectory.points;
  result.command = {
    ok: true,
    points: points.length,
    duration_s: toSeconds(points[points.length - 1].time_from_start),
    gripper: decision.gripper.length > 0 ? decision.gripper.map((g) => (g.target.closed ? 'close' : 'open')).join(' ') : undefined,
    first: points[0].positions.slice(),
    last: points[points.length - 1].positions.slice(),
  };
  result.ok = true;
  return result;
}

function printReport(r: CheckModelResult, settings: NodeSettings): void {
  const lines: string[] = [];
  const fixed = (xs: number[], digits = 4) => `[${xs.map((x) => x.toFixed(digits)).join(', ')}]`;
  lines.push(`model ${r.model} (${r.backend}${r.server ? `, ${r.server}` : ''})`);
  if (r.depth_tokens.length > 0 || r.actions.length > 0) {
    lines.push(`depth tokens: ${r.depth_tokens.length ? r.depth_tokens.join(' ') : 'none'}`);
    lines.push(`trace (x, y in [0, 255] over the frame): ${r.trace.x.length ? r.trace.x.map((x, i) => `(${x.toFixed(0)}, ${r.trace.y[i].toFixed(0)})`).join(' ') : 'none'}`);
    lines.push(`action chunk (${r.actions.length} x ${r.actions[0]?.length ?? 0}, robot units):`);
    r.actions.forEach((row, s) => lines.push(`  ${String(s).padStart(2)}: ${fixed(row)}`));
  }
  if (r.actions.length === 0) lines.push(`no answer to use after ${r.round_trip_ms.toFixed(1)} ms`);
  else lines.push(`round trip ${r.round_trip_ms.toFixed(1)} ms: server ${r.server_ms.toFixed(1)} ms, node ${r.node_ms.toFixed(1)} ms (planning ${r.plan_ms.toFixed(2)} ms)`);
  if (r.command?.ok) {
    lines.push(
      `command (execution_policy ${settings.execution.policy}, from the rest posture): ${r.command.points} points over ${r.command.duration_s!.toFixed(2)} s, ` +
        `gripper per step: ${r.command.gripper ?? 'not commanded'}`,
    );
    lines.push(`  first point ${fixed(r.command.first!, 3)}`);
    lines.push(`  last point  ${fixed(r.command.last!, 3)}`);
  }
  if (r.error) lines.push(`PROBLEM: ${r.error}`);
  else lines.push('OK: the model answered and the planner would command it');
  process.stdout.write(`${lines.join('\n')}\n`);
}
