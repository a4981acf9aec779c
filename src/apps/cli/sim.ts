/**
 * `molmoact-ros sim`: closed-loop episodes in the tabletop world through the node's own path (the
 * reasoning session with the node's parameters, its commands going to the simulated robot's
 * controllers), and the success rate they reach.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ParameterValue } from '../../config/schema.js';
import { settingsForModel } from '../../config/robot_presets.js';
import { TabletopSimulation, type FrameRecord } from '../sim/episode.js';
import { writeEpisodeStrip } from '../../media/episode_strip.js';
import { TASK_KINDS, type TaskKind } from '../sim/tasks.js';
import { planEpisode } from '../sim/episode_plan.js';
import { summarise, type SimSummary } from '../sim/sim_summary.js';
import { defaultSettings } from '../sim/world.js';
import { recordEpisode } from '../sim/episode_recording.js';
import { integerOption, numberOption, parseOptions, UsageError } from '../../config/command_line.js';

const HELP = `usage: molmoact-ros sim [options]

Episodes in the tabletop world through the node's own path: the node's reasoning session with its
parameters (the panda preset, the model's params.yaml, then --param), its commands going to a
simulated Panda behind the preset's controller interfaces, on a simulated clock.

  --episodes N       episodes to run (default 200)
  --seed S           seed of the worlds and tasks (default 1); never the seeds the dataset command uses
  --task KINDS       all, or a comma list of ${TASK_KINDS.join(', ')} (default all)
  --model DIR        model folder (default: the model_dir parameter's default)
  --param NAME=VALUE a node parameter (repeat for several), e.g. --param execution_policy=open_loop
  --steer            a person's trace leads to another object than the instruction names; success
                     means that object was picked up
  --max-seconds S    simulated seconds before an episode is given up (default 15)
  --camera-hz F      camera frame rate (default 30)
  --latency S        simulated duration of a reasoning step (default 0.01)
  --threads N        onnxruntime threads (default 1)
  --out DIR          write pictures (PNG) and an MCAP recording of the first --record episodes
  --record N         episodes to write with --out (default 3)
  --json             print the results as one JSON object on the last line
`;

export async function runSim(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      episodes: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      task: { type: 'string', default: 'all' },
      model: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      steer: { type: 'boolean', default: false },
      'max-seconds': { type: 'string', default: '15' },
      'camera-hz': { type: 'string', default: '30' },
      latency: { type: 'string', default: '0.01' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string' },
      record: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const episodes = integerOption(values.episodes, '--episodes', 1);
  const seed = integerOption(values.seed, '--seed', 0);
  const maxSec = numberOption(values['max-seconds'], '--max-seconds', { min: 0.1, max: 3600 });
  const cameraHz = numberOption(values['camera-hz'], '--camera-hz', { min: 0.5, max: 1000 });
  const latencySec = numberOption(values.latency, '--latency', { min: 0, max: 60 });
  const threads = integerOption(values.threads, '--threads', 1);
  const recordCount = integerOption(values.record, '--record', 0);
  const kinds = values.task === 'all' ? [...TASK_KINDS] : values.task.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(TASK_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown task kind '${unknown.join(', ')}' (${TASK_KINDS.join(', ')} or all)`);

  const overrides: Record<string, ParameterValue> = { inference_threads: threads };
  for (const entry of values.param) {
    const match = /^([a-z_0-9]+)=(.*)$/.exec(entry);
    if (!match) throw new UsageError(`--param expects NAME=VALUE, got '${entry}'`);
    overrides[match[1]] = parseParameterValue(match[2]);
  }
  const modelDir = values.model ? resolve(values.model) : defaultSettings().modelDir;
  let settings;
  try {
    settings = settingsForModel(modelDir, 'panda', overrides);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const out = values.out ? resolve(values.out) : null;
  if (out) mkdirSync(out, { recursive: true });
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const simulation = await TabletopSimulation.start({ settings, cameraHz, latencySec });
  log(
    `sim: ${episodes} episodes, model ${simulation.model.name}, execution_policy ${settings.execution.policy}, ` +
      `tasks ${kinds.join(', ')}${values.steer ? ', steered' : ''}, seed ${seed}`,
  );

  const results: { kind: string; success: boolean; seconds: number; commands: number; refusals: number }[] = [];
  const stepMs: number[] = [];
  try {
    for (let e = 0; e < episodes; e++) {
      const episode = planEpisode(seed, e, kinds as TaskKind[], values.steer);
      const { world, task, steerTo } = episode;
      const records: FrameRecord[] = [];
      const recording = out !== null && e < recordCount;
      const result = await simulation.runEpisode({
        ...episode,
        maxSec,
        onFrame: recording ? (record) => records.push(record) : undefined,
      });
      stepMs.push(...result.stepMs);
      results.push({ kind: task.kind, success: result.success, seconds: result.seconds, commands: result.commands, refusals: result.refusals });
      const outcome = result.success ? 'success' : `failed (${result.failure})`;
      if (recording) {
        const base = join(out!, `episode_${String(e).padStart(3, '0')}`);
        await writeEpisodeStrip(records, `${base}.png`);
        await recordEpisode(records, `${base}.mcap`);
        log(`episode ${e}: "${task.instruction}"${steerTo !== undefined ? ` steered to the ${world.objects[steerTo].color} ${world.objects[steerTo].shape}` : ''}: ${outcome} -> ${base}.png, ${base}.mcap`);
      } else if (process.stderr.isTTY || (e + 1) % 20 === 0 || e + 1 === episodes) {
        const done = results.filter((r) => r.success).length;
        log(`sim: ${e + 1}/${episodes} episodes, ${done} successes`);
      }
    }
  } finally {
    await simulation.close();
  }

  const summary = summarise(simulation.model.name, settings.execution.policy, seed, values.steer, results, stepMs, out);
  printSummary(summary);
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

/** A --param value as YAML would read it on the command line: booleans, numbers, lists, else text. */
function parseParameterValue(text: string): ParameterValue {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (text.startsWith('[') && text.endsWith(']')) {
    const items = text.slice(1, -1).split(',').map((item) => item.trim()).filter((item) => item !== '');
    return items.every((item) => Number.isFinite(Number(item))) ? items.map(Number) : items;
  }
  return text;
}

function printSummary(summary: SimSummary): void {
  const lines = [
    `molmoact-ros sim: model ${summary.model}, execution_policy ${summary.execution_policy}${summary.steer ? ', steered' : ''}, ${summary.episodes} episodes (seed ${summary.seed})`,
    `  success rate   ${(summary.success_rate * 100).toFixed(1)} %`,
    ...Object.entries(summary.per_task).map(([kind, r]) => `    ${kind.padEnd(12)} ${(r.success_rate * 100).toFixed(1)} % of ${r.episodes}`),
    `  mean time      ${summary.mean_seconds} s (simulated)`,
    `  step ms        p50 ${summary.step_ms_p50}, p90 ${summary.step_ms_p90} (on this machine)`,
    `  commands       ${summary.commands} sent, ${summary.refusals} refused`,
  ];
  if (summary.out) lines.push(`  pictures and MCAP recordings in ${summary.out}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
