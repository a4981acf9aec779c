/**
 * `molmoact-ros check-robot`: does inverse kinematics work on this arm?
 *
 * Random joint configurations are drawn inside the URDF's position limits (continuous joints in
 * [-pi, pi]); forward kinematics gives a target pose for each, and the IK solver must find joint
 * positions that reach it. Two passes:
 *
 * - global: from the rest posture, with random restarts (the harder problem: any reachable pose,
 *   far from the seed);
 * - tracking: as the node solves, warm-started near the answer (the sampled joints plus uniform
 *   noise of +-0.05 rad, clamped to the limits) and without restarts.
 *
 * A trial succeeds when forward kinematics of the returned joints is within 1 mm and 0.01 rad of
 * the target, measured here with poseDistance rather than taken from the solver's own report.
 * The same seed draws the same configurations, so a run can be repeated exactly (timings aside).
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { displayPath, listRobotPresets, presetUrdfPath, readRobotPreset } from '../../config/robot_presets.js';
import { ConfigError } from '../../config/schema.js';
import { KinematicChain } from '../../core/kinematics/chain.js';
import { IkSolver } from '../../core/kinematics/ik.js';
import { identity, poseDistance } from '../../core/kinematics/transform.js';
import { parseUrdf, UrdfError, type RobotDescription } from '../../core/kinematics/urdf.js';
import { seededRandom, uniform } from '../../core/util/random.js';
import { integerOption, oneLine, parseOptions, UsageError } from '../../config/command_line.js';

function help(): string {
  return `usage: molmoact-ros check-robot (--robot NAME | --urdf FILE --tip LINK) [options]

Random forward -> inverse kinematics round trips over the joint limits of an arm.

  --robot NAME    a preset of config/robots (${listRobotPresets().join(', ') || 'none found'}):
                  its URDF (config/robots/urdf/NAME.urdf), base_link, tip_link and rest_posture
  --urdf FILE     a URDF file (with --robot: replaces the preset's URDF)
  --base LINK     base link of the chain (default: the preset's, else the URDF's root link)
  --tip LINK      tip link of the chain (default: the preset's)
  --trials N      random configurations per pass (default 1000)
  --seed S        seed of the configurations, restarts and seed noise (default 1)
  --restarts N    random restarts allowed per global solve (default 30)
  --json          also print the results as one JSON object on the last line
  --help          this text

Exit status: 0 when at least ${pct(PASS_RATE)} of the global solves succeed, 1 when fewer do,
2 for a usage error or a URDF, link or preset that cannot be used.
`;
}

/** A solve succeeds within these (the node's default ik_position/orientation_tolerance). */
const POSITION_TOLERANCE_M = 0.001;
const ORIENTATION_TOLERANCE_RAD = 0.01;
/** Success rate at or above which the arm passes. */
const PASS_RATE = 0.995;
/** Half-width of the uniform noise added to the answer to seed a tracking solve. */
const TRACKING_NOISE_RAD = 0.05;
/** Progress is shown (on a terminal only) once a run has taken this long. */
const PROGRESS_AFTER_MS = 1000;

export interface CheckRobotIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether err() writes to a terminal (progress lines are shown only then). */
  errIsTTY: boolean;
}

const processIo: CheckRobotIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get errIsTTY() {
    return process.stderr.isTTY === true;
  },
};

/** A usage error or an arm that cannot be set up: one line on stderr, exit status 2. */
interface ArmSetup {
  /** Preset name, else the URDF's robot name. */
  robot: string;
  urdfPath: string;
  description: RobotDescription;
  chain: KinematicChain;
  /** Rest posture in chain order, and where it came from. */
  rest: Float64Array;
  restSource: string;
  /** Sampling bounds in chain order (continuous joints: [-pi, pi]). */
  lower: Float64Array;
  upper: Float64Array;
}

interface PassStats {
  trials: number;
  successes: number;
  positionErrors: number[];
  orientationErrors: number[];
  solveMs: number[];
  iterations: number[];
  restartsUsed: number[];
}

export async function runCheckRobot(argv: string[], io: CheckRobotIo = processIo): Promise<number> {
  let values;
  try {
    values = parseOptions({
      args: argv,
      options: {
        robot: { type: 'string' },
        urdf: { type: 'string' },
        base: { type: 'string' },
        tip: { type: 'string' },
        trials: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '1' },
        restarts: { type: 'string', default: '30' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
  } catch (err) {
    io.err(`check-robot: ${(err as Error).message} (molmoact-ros check-robot --help)\n`);
    return 2;
  }
  if (values.help) {
    io.out(help());
    return 0;
  }

  let setup: ArmSetup;
  let trials: number;
  let seed: number;
  let restarts: number;
  try {
    trials = integerOption(values.trials, '--trials', 1);
    seed = integerOption(values.seed, '--seed', -(2 ** 31));
    restarts = integerOption(values.restarts, '--restarts', 0);
    setup = loadArm({ robot: values.robot, urdf: values.urdf, base: values.base, tip: values.tip });
  } catch (err) {
    if (err instanceof UsageError || err instanceof UrdfError) {
      io.err(`check-robot: ${oneLine((err as Error).message)}\n`);
      return 2;
    }
    throw err;
  }

  const progress = new Progress(io, 2 * trials);
  const { chain, rest, lower, upper } = setup;
  const n = chain.dof;

  // Independent streams, so that the sampled configurations do not depend on how many restarts
  // the solver happened to draw, and both passes see the same targets.
  const sampleRandom = seededRandom(seed);
  const restartRandom = seededRandom(mixSeed(seed, 1));
  const noiseRandom = seededRandom(mixSeed(seed, 2));
  const samples: Float64Array[] = [];
  for (let t = 0; t < trials; t++) samples.push(Float64Array.from(lower, (lo, i) => uniform(sampleRandom, lo, upper[i])));

  const target = identity();
  const reached = identity();
  const measure = (stats: PassStats, q: Float64Array, ms: number, iterations: number, restartsUsed: number): void => {
    chain.forward(q, reached);
    const { position, rotation } = poseDistance(target, reached);
    stats.positionErrors.push(position);
    stats.orientationErrors.push(rotation);
    stats.solveMs.push(ms);
    stats.iterations.push(iterations);
    stats.restartsUsed.push(restartsUsed);
    if (position <= POSITION_TOLERANCE_M && rotation <= ORIENTATION_TOLERANCE_RAD) stats.successes++;
  };

  const global = emptyStats(trials);
  const globalSolver = new IkSolver(chain, { rest, restarts, random: restartRandom });
  for (const q of samples) {
    chain.forward(q, target);
    const t0 = performance.now();
    const result = globalSolver.solve(target, rest);
    const ms = performance.now() - t0;
    measure(global, result.q, ms, result.iterations, result.restartsUsed);
    progress.step('global');
  }

  const tracking = emptyStats(trials);
  const trackingSolver = new IkSolver(chain, { rest, restarts: 0 });
  const seedQ = new Float64Array(n);
  for (const q of samples) {
    chain.forward(q, target);
    for (let i = 0; i < n; i++) {
      seedQ[i] = Math.min(upper[i], Math.max(lower[i], q[i] + uniform(noiseRandom, -TRACKING_NOISE_RAD, TRACKING_NOISE_RAD)));
    }
    const t0 = performance.now();
    const result = trackingSolver.solve(target, seedQ);
    const ms = performance.now() - t0;
    measure(tracking, result.q, ms, result.iterations, 0);
    progress.step('tracking');
  }
  progress.done();

  const globalSummary = summarize(global);
  const trackingSummary = summarize(tracking);
  const result = {
    robot: setup.robot,
    urdf: displayPath(setup.urdfPath),
    base: chain.baseLink,
    tip: chain.tipLink,
    joints: chain.jointNames,
    rest_posture: Array.from(rest, (v) => round(v, 6)),
    trials,
    seed,
    restarts,
    position_tolerance_m: POSITION_TOLERANCE_M,
    orientation_tolerance_rad: ORIENTATION_TOLERANCE_RAD,
    ...globalSummary,
    restarts_used: sum(global.restartsUsed),
    trials_with_restarts: global.restartsUsed.filter((r) => r > 0).length,
    max_restarts_in_one_solve: largest(global.restartsUsed),
    tracking: { seed_noise_rad: TRACKING_NOISE_RAD, ...trackingSummary },
    passed: globalSummary.success_rate >= PASS_RATE,
  };

  io.out(formatReport(setup, result));
  if (values.json) io.out(`${JSON.stringify(result)}\n`);
  return result.passed ? 0 : 1;
}

function loadArm(options: { robot?: string; urdf?: string; base?: string; tip?: string }): ArmSetup {
  if (!options.robot && !options.urdf) throw new UsageError('give --robot NAME or --urdf FILE (molmoact-ros check-robot --help)');
  let preset: Record<string, unknown> = {};
  try {
    if (options.robot) preset = readRobotPreset(options.robot);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const presetString = (key: string): string | undefined => {
    const value = preset[key];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new UsageError(`preset ${options.robot}: ${key} must be a string`);
    return value;
  };

  const urdfPath = options.urdf ? resolve(options.urdf) : presetUrdfPath(options.robot!, presetString('robot_description_file'));
  let xml: string;
  try {
    xml = readFileSync(urdfPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read URDF ${urdfPath}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const description = parseUrdf(xml);

  const base = options.base ?? presetString('base_link') ?? rootLink(description);
  const tip = options.tip ?? presetString('tip_link');
  if (!tip) throw new UsageError('no tip link: give --tip LINK');
  const chain = new KinematicChain(description, base, tip);

  const lower = Float64Array.from(chain.lower, (lo) => (Number.isFinite(lo) ? lo : -Math.PI));
  const upper = Float64Array.from(chain.upper, (hi) => (Number.isFinite(hi) ? hi : Math.PI));

  let rest: Float64Array = Float64Array.from(lower, (lo, i) => (lo + upper[i]) / 2);
  let restSource = 'the middle of the joint limits';
  const presetRest = preset.rest_posture;
  const chainChanged = options.base !== undefined || options.tip !== undefined;
  if (Array.isArray(presetRest) && presetRest.length > 0 && !(chainChanged && !fitsChain(preset.joint_names, chain))) {
    rest = restInChainOrder(presetRest, preset.joint_names, chain, options.robot!);
    restSource = `rest_posture of preset ${options.robot}`;
  }
  const robot = options.robot ?? (description.name || basename(urdfPath, '.urdf'));
  return { robot, urdfPath, description, chain, rest, restSource, lower, upper };
}

/** The preset's rest posture (in its joint_names order) reordered into the chain's order. */
function restInChainOrder(values: unknown[], jointNames: unknown, chain: KinematicChain, robot: string): Float64Array {
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new UsageError(`preset ${robot}: rest_posture must be a list of numbers`);
  }
  const numbers = values as number[];
  const names = Array.isArray(jointNames) && jointNames.length > 0 ? (jointNames as string[]) : chain.jointNames;
  if (!fitsChain(names, chain)) {
    throw new UsageError(
      `preset ${robot}: joint_names [${names.join(', ')}] are not the joints between '${chain.baseLink}' and '${chain.tipLink}' [${chain.jointNames.join(', ')}]`,
    );
  }
  if (numbers.length !== names.length) {
    throw new UsageError(`preset ${robot}: rest_posture has ${numbers.length} values for ${names.length} joints`);
  }
  return Float64Array.from(chain.jointNames, (name) => numbers[names.indexOf(name)]);
}

function fitsChain(jointNames: unknown, chain: KinematicChain): boolean {
  if (jointNames === undefined) return true;
  if (!Array.isArray(jointNames)) return false;
  return jointNames.length === chain.dof && chain.jointNames.every((name) => jointNames.includes(name));
}

/** The link that no joint moves (the URDF's root); throws if there is not exactly one. */
function rootLink(description: RobotDescription): string {
  const roots = [...description.links].filter((link) => !description.parentJoint.has(link));
  if (roots.length !== 1) throw new UsageError(`the URDF has ${roots.length} root links; give --base LINK`);
  return roots[0];
}

function emptyStats(trials: number): PassStats {
  return { trials, successes: 0, positionErrors: [], orientationErrors: [], solveMs: [], iterations: [], restartsUsed: [] };
}

function summarize(stats: PassStats) {
  return {
    success_rate: round(stats.successes / stats.trials, 4),
    failures: stats.trials - stats.successes,
    max_position_error_m: significant(largest(stats.positionErrors)),
    p99_position_error_m: significant(quantile(stats.positionErrors, 0.99)),
    max_orientation_error_rad: significant(largest(stats.orientationErrors)),
    p99_orientation_error_rad: significant(quantile(stats.orientationErrors, 0.99)),
    median_solve_ms: round(quantile(stats.solveMs, 0.5), 4),
    p95_solve_ms: round(quantile(stats.solveMs, 0.95), 4),
    max_solve_ms: round(largest(stats.solveMs), 4),
    mean_iterations: round(sum(stats.iterations) / stats.trials, 2),
  };
}

type Summary = ReturnType<typeof summarize>;

function formatReport(
  setup: ArmSetup,
  r: Summary & {
    trials: number;
    seed: number;
    restarts: number;
    restarts_used: number;
    trials_with_restarts: number;
    max_restarts_in_one_solve: number;
    tracking: Summary;
    passed: boolean;
  },
): string {
  const { chain } = setup;
  const lines = [
    `check-robot: ${setup.robot} (URDF robot '${setup.description.name}', ${displayPath(setup.urdfPath)})`,
    `  chain        ${chain.baseLink} -> ${chain.tipLink}, ${chain.dof} joints: ${chain.jointNames.join(', ')}`,
    `  seed posture [${Array.from(setup.rest, (v) => round(v, 4)).join(', ')}] (${setup.restSource})`,
    `  trials       ${r.trials} random configurations inside the joint limits, seed ${r.seed}`,
    `  success      within ${POSITION_TOLERANCE_M * 1000} mm and ${ORIENTATION_TOLERANCE_RAD} rad of the target (forward kinematics of the answer)`,
    '',
    `global: from the seed posture, up to ${r.restarts} random restarts`,
    ...passLines(r, r.trials),
    `  restarts     ${r.restarts_used} in all, needed by ${r.trials_with_restarts} trial(s), at most ${r.max_restarts_in_one_solve} in one solve`,
    '',
    `tracking: seeded with the answer plus noise of +-${TRACKING_NOISE_RAD} rad, no restarts (as the node solves)`,
    ...passLines(r.tracking, r.trials),
    '',
    r.passed
      ? `PASS: ${pct(r.success_rate)} of the global solves succeeded (>= ${pct(PASS_RATE)})`
      : `FAIL: ${pct(r.success_rate)} of the global solves succeeded (< ${pct(PASS_RATE)})`,
  ];
  return `${lines.join('\n')}\n`;
}

function passLines(s: Summary, trials: number): string[] {
  return [
    `  success rate ${pct(s.success_rate)} (${trials - s.failures}/${trials})`,
    `  position     max ${mm(s.max_position_error_m)}, p99 ${mm(s.p99_position_error_m)}`,
    `  orientation  max ${s.max_orientation_error_rad.toExponential(2)} rad, p99 ${s.p99_orientation_error_rad.toExponential(2)} rad`,
    `  solve time   median ${s.median_solve_ms.toFixed(3)} ms, p95 ${s.p95_solve_ms.toFixed(3)} ms, max ${s.max_solve_ms.toFixed(2)} ms`,
    `  iterations   ${s.mean_iterations.toFixed(1)} on average`,
  ];
}

/** "k/N" progress on stderr, only on a terminal and only once the run has taken a while. */
class Progress {
  private readonly start = performance.now();
  private done_ = 0;
  private lastDraw = 0;
  private drawn = false;
  constructor(
    private readonly io: CheckRobotIo,
    private readonly total: number,
  ) {}
  step(phase: string): void {
    this.done_++;
    if (!this.io.errIsTTY) return;
    const now = performance.now();
    if (now - this.start < PROGRESS_AFTER_MS || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.drawn = true;
    this.io.err(`\rcheck-robot: ${phase} ${Math.floor((100 * this.done_) / this.total)} % (${this.done_}/${this.total} solves)`);
  }
  done(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
  }
}

/** A different, repeatable seed for each purpose derived from the user's seed. */
function mixSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(stream, 0xc2b2ae35)) | 0;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Math.max over an array of any length (spreading a long one overflows the call stack). */
function largest(values: number[]): number {
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  return max;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Four significant digits: errors span many orders of magnitude. */
function significant(x: number): number {
  return Number(x.toPrecision(4));
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

function mm(metres: number): string {
  return `${(metres * 1000).toFixed(4)} mm`;
}
