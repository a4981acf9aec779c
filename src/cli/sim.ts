/**
 * `molmoact-ros sim`: closed-loop episodes in the tabletop world, through the same Reasoner,
 * CommandPlanner and SafetyGuard as the node, and the success rate they reach.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommandPlanner } from '../control/command_planner.js';
import { SteppingReasoner } from '../reasoning/stepping_reasoner.js';
import { seededRandom } from '../util/random.js';
import { ExpertPolicy, ModelPolicy, runEpisode, type FrameRecord, type Policy } from '../sim/episode.js';
import { writeEpisodeStrip } from '../sim/pictures.js';
import { sampleTask, TASK_KINDS, type TaskKind } from '../sim/tasks.js';
import { defaultSettings, pandaProprioSource, TabletopWorld } from '../sim/world.js';
import { recordEpisode } from '../sim/episode_recording.js';
import { integerOption, parseOptions, UsageError } from './options.js';

const HELP = `usage: molmoact-ros sim [options]

  --episodes N       episodes to run (default 200)
  --seed S           seed of the worlds and tasks (default 1); never the seeds the dataset command uses
  --task KINDS       all, or a comma list of ${TASK_KINDS.join(', ')} (default all)
  --policy P         model (default) or expert (the scripted expert, a reference)
  --model DIR        model folder (default: the model_dir parameter's default)
  --steer            a person's trace leads to another object than the instruction names; success
                     means that object was picked up
  --max-steps N      control steps before an episode is given up (default 150)
  --execute N        chunk points executed before the next frame is reasoned about (default 8)
  --threads N        onnxruntime threads (default 1)
  --out DIR          write pictures (PNG) and an MCAP recording of the first --record episodes
  --record N         episodes to write with --out (default 3)
  --json             print the results as one JSON object on the last line
`;

export interface SimSummary {
  policy: string;
  episodes: number;
  seed: number;
  steer: boolean;
  success_rate: number;
  mean_steps: number;
  step_ms_p50: number;
  step_ms_p90: number;
  per_task: Record<string, { episodes: number; success_rate: number }>;
  refused: number;
  out?: string;
}

export async function runSim(argv: string[]): Promise<number> {
  const values = parseOptions({
    args: argv,
    options: {
      episodes: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      task: { type: 'string', default: 'all' },
      policy: { type: 'string', default: 'model' },
      model: { type: 'string' },
      steer: { type: 'boolean', default: false },
      'max-steps': { type: 'string', default: '150' },
      execute: { type: 'string', default: '8' },
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
  const maxSteps = integerOption(values['max-steps'], '--max-steps', 1);
  const execute = integerOption(values.execute, '--execute', 1);
  const threads = integerOption(values.threads, '--threads', 1);
  const recordCount = integerOption(values.record, '--record', 0);
  const kinds = values.task === 'all' ? [...TASK_KINDS] : values.task.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(TASK_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown task kind '${unknown.join(', ')}' (${TASK_KINDS.join(', ')} or all)`);
  if (values.policy !== 'model' && values.policy !== 'expert') throw new UsageError(`--policy is model or expert, not '${values.policy}'`);

  const settings = defaultSettings();
  let reasoner: SteppingReasoner | null = null;
  let policy: Policy;
  if (values.policy === 'model') {
    const modelDir = values.model ? resolve(values.model) : settings.modelDir;
    reasoner = await SteppingReasoner.start(modelDir, pandaProprioSource(settings), { intraOpThreads: threads });
    policy = new ModelPolicy(reasoner);
  } else {
    policy = new ExpertPolicy();
  }
  const out = values.out ? resolve(values.out) : null;
  if (out) mkdirSync(out, { recursive: true });
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log(`sim: ${episodes} episodes, policy ${policy.name}, tasks ${kinds.join(', ')}${values.steer ? ', steered' : ''}, seed ${seed}`);

  const results: { kind: string; success: boolean; steps: number; refused: boolean }[] = [];
  const stepMs: number[] = [];
  try {
    for (let e = 0; e < episodes; e++) {
      const worldSeed = simulationSeed(seed, e);
      const world = TabletopWorld.create({ seed: worldSeed });
      const random = seededRandom(worldSeed ^ 0x7a5c);
      const task = sampleTask(world, random, kinds as TaskKind[]);
      const others = world.objects.filter((o) => o.index !== task.object);
      const steerTo = values.steer ? others[Math.floor(random() * others.length)].index : undefined;
      const records: FrameRecord[] = [];
      const recording = out !== null && e < recordCount;
      const result = await runEpisode({
        world,
        task,
        policy,
        planner: new CommandPlanner(settings, world.arm),
        maxSteps,
        executeSteps: execute,
        steerTo,
        onFrame: recording ? (record) => records.push(record) : undefined,
      });
      stepMs.push(...result.stepMs);
      results.push({ kind: task.kind, success: result.success, steps: result.steps, refused: result.failure?.startsWith('command refused') ?? false });
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
    await reasoner?.close();
  }

  const summary = summarise(policy.name, seed, values.steer, results, stepMs, out);
  printSummary(summary);
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

/**
 * World seeds of the simulation: offset from those of `molmoact-ros dataset` (seed * 100003 + episode),
 * so that evaluation never runs on a world the training saw.
 */
export function simulationSeed(seed: number, episode: number): number {
  return (0x40000000 + seed * 100_003 + episode) % 0x7fffffff;
}

function summarise(
  policy: string,
  seed: number,
  steer: boolean,
  results: { kind: string; success: boolean; steps: number; refused: boolean }[],
  stepMs: number[],
  out: string | null,
): SimSummary {
  const sorted = [...stepMs].sort((a, b) => a - b);
  const quantile = (q: number): number => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN);
  const perTask: SimSummary['per_task'] = {};
  for (const kind of new Set(results.map((r) => r.kind))) {
    const of = results.filter((r) => r.kind === kind);
    perTask[kind] = { episodes: of.length, success_rate: round(of.filter((r) => r.success).length / of.length) };
  }
  return {
    policy,
    episodes: results.length,
    seed,
    steer,
    success_rate: round(results.filter((r) => r.success).length / results.length),
    mean_steps: round(results.reduce((sum, r) => sum + r.steps, 0) / results.length),
    step_ms_p50: quantile(0.5),
    step_ms_p90: quantile(0.9),
    per_task: perTask,
    refused: results.filter((r) => r.refused).length,
    ...(out ? { out } : {}),
  };
}

function printSummary(summary: SimSummary): void {
  const lines = [
    `molmoact-ros sim: policy ${summary.policy}${summary.steer ? ', steered' : ''}, ${summary.episodes} episodes (seed ${summary.seed})`,
    `  success rate   ${(summary.success_rate * 100).toFixed(1)} %`,
    ...Object.entries(summary.per_task).map(([kind, r]) => `    ${kind.padEnd(12)} ${(r.success_rate * 100).toFixed(1)} % of ${r.episodes}`),
    `  mean steps     ${summary.mean_steps}`,
    `  step ms        p50 ${summary.step_ms_p50}, p90 ${summary.step_ms_p90}`,
    `  refused        ${summary.refused} episodes ended by a refused command`,
  ];
  if (summary.out) lines.push(`  pictures and MCAP recordings in ${summary.out}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
