/**
 * Inverse kinematics on a KinematicChain: damped least squares with the damping of
 * Levenberg-Marquardt as Sugihara proposed it (lambda = half the squared weighted error plus a small
 * constant), so that it takes full Gauss-Newton steps near the target and safe short ones far away.
 *
 * - Every iterate stays inside the joint position limits (clamped after each step).
 * - A step never moves a joint by more than `maxStepRad` (scaled down as a whole, so the direction
 *   is kept).
 * - For a redundant arm (more joints than the 6 pose constraints) the remaining freedom is pulled
 *   towards a rest posture, so that the elbow does not wander from one chunk to the next.
 * - Restarts from random configurations (seeded) are allowed for offline checks; the node solves
 *   warm-started from the previous solution without restarts, so a solution never jumps to another
 *   branch of the arm.
 */
import type { KinematicChain } from './chain.js';
import { identity, poseError, type Transform } from './transform.js';
import type { Random } from '../util/random.js';

export interface IkOptions {
  /** Converged when the position error is below this (m). */
  positionTolerance: number;
  /** ... and the orientation error below this (rad). */
  orientationTolerance: number;
  maxIterations: number;
  /** Largest change of one joint in one iteration (rad or m). */
  maxStepRad: number;
  /** Weight of a radian of orientation error against a metre of position error. */
  orientationWeight: number;
  /** Posture the redundant freedom is pulled towards (defaults to the middle of the limits). */
  rest?: ArrayLike<number>;
  /** Fraction of the way to the rest posture taken per iteration, in the null space (halved in each iteration whose error did not at least halve). */
  restGain: number;
  /** Position bounds in chain order, tighter than the URDF's (e.g. less a safety margin). */
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  /** Attempts from random configurations after the seeded one fails. */
  restarts: number;
  /** Source of random restarts; required when restarts > 0. */
  random?: Random;
}

export const DEFAULT_IK_OPTIONS: IkOptions = {
  positionTolerance: 1e-4,
  orientationTolerance: 1e-3,
  maxIterations: 100,
  maxStepRad: 0.3,
  orientationWeight: 0.3,
  restGain: 0.05,
  restarts: 0,
};

export interface IkResult {
  q: Float64Array;
  converged: boolean;
  /** Remaining errors at the returned q. */
  positionError: number;
  orientationError: number;
  /** Iterations over all attempts. */
  iterations: number;
  /** Attempts from random configurations that were needed (0: the seed was enough). */
  restartsUsed: number;
}

export class IkSolver {
  readonly options: IkOptions;
  private readonly n: number;
  private readonly rest: Float64Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  // Scratch space, reused by every solve.
  private readonly pose: Transform = identity();
  private readonly jacobian: Float64Array;
  private readonly error = new Float64Array(6);
  private readonly jz = new Float64Array(6);
  private readonly normal: Float64Array;
  private readonly gradient: Float64Array;
  private readonly step: Float64Array;
  private readonly pull: Float64Array;
  private readonly pullProjected: Float64Array;
  /** 1 for joints held on their limit during the current iteration. */
  private readonly locked: Uint8Array;

  constructor(
    readonly chain: KinematicChain,
    options: Partial<IkOptions> = {},
  ) {
    this.options = { ...DEFAULT_IK_OPTIONS, ...options };
    if (this.options.restarts > 0 && !this.options.random) throw new Error('IkSolver: restarts need a random source');
    const n = (this.n = chain.dof);
    this.jacobian = new Float64Array(6 * n);
    this.normal = new Float64Array(n * n);
    this.gradient = new Float64Array(n);
    this.step = new Float64Array(n);
    this.pull = new Float64Array(n);
    this.pullProjected = new Float64Array(n);
    this.locked = new Uint8Array(n);
    this.lower = Float64Array.from(this.options.lower ?? chain.lower);
    this.upper = Float64Array.from(this.options.upper ?? chain.upper);
    if (this.lower.length !== n || this.upper.length !== n) throw new Error(`IkSolver: bounds need ${n} values`);
    this.rest = this.options.rest
      ? Float64Array.from(this.options.rest)
      : Float64Array.from(this.lower, (lo, i) => {
          const hi = this.upper[i];
          return Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : 0;
        });
    if (this.rest.length !== n) throw new Error(`IkSolver: rest posture has ${this.rest.length} values for ${n} joints`);
  }

  /** Joint positions that put the tip at `target` (base frame), starting from `seed`. */
  solve(target: Transform, seed: ArrayLike<number>): IkResult {
    const { restarts, random } = this.options;
    let best: IkResult | null = null;
    let iterations = 0;
    for (let attempt = 0; attempt <= restarts; attempt++) {
      const start =
        attempt === 0
          ? Float64Array.from(seed)
          : Float64Array.from(this.lower, (lo, i) => randomWithin(random!, lo, this.upper[i]));
      const result = this.descend(target, start);
      iterations += result.iterations;
      if (!best || result.positionError + result.orientationError < best.positionError + best.orientationError) {
        best = result;
      }
      if (result.converged) {
        return { ...result, iterations, restartsUsed: attempt };
      }
    }
    return { ...best!, iterations, restartsUsed: restarts };
  }

  private descend(target: Transform, q: Float64Array): IkResult {
    const { positionTolerance, orientationTolerance, maxIterations, maxStepRad, orientationWeight, restGain } = this.options;
    const { n, pose, jacobian: J, error: e, step, locked } = this;
    const wr = orientationWeight * orientationWeight;
    const redundant = n > 6;
    this.clamp(q);
    let positionError = Infinity;
    let orientationError = Infinity;
    // The pull towards the rest posture gives way (halves) whenever the error did not at least
    // halve: its second-order effect near a singularity could otherwise hold the arm just outside
    // the tolerance for good.
    let nullGain = restGain;
    let previousEnergy = Infinity;
    for (let iteration = 0; iteration <= maxIterations; iteration++) {
      this.chain.forwardWithJacobian(q, pose, J);
      poseError(target, pose, e);
      positionError = Math.hypot(e[0], e[1], e[2]);
      orientationError = Math.hypot(e[3], e[4], e[5]);
      if (positionError < positionTolerance && orientationError < orientationTolerance) {
        return { q, converged: true, positionError, orientationError, iterations: iteration, restartsUsed: 0 };
      }
      if (iteration === maxIterations) break;

      // A = J^T W J + lambda I,  g = J^T W e,  lambda = E + small (Sugihara's damping). A joint
      // resting on a limit that the step would push further is taken out and the step solved again
      // for the others, so that the arm slides along its limits instead of stalling on them.
      const energy = 0.5 * (positionError * positionError + wr * orientationError * orientationError);
      if (energy > 0.5 * previousEnergy) nullGain *= 0.5;
      previousEnergy = energy;
      const damping = energy + 1e-6;
      locked.fill(0);
      for (let pass = 0; pass < 3; pass++) {
        if (!this.solveStep(damping, wr, redundant, nullGain, q)) {
          step.fill(0);
          break;
        }
        let newlyLocked = false;
        for (let i = 0; i < n; i++) {
          if (locked[i]) continue;
          if ((q[i] <= this.lower[i] && step[i] < 0) || (q[i] >= this.upper[i] && step[i] > 0)) {
            locked[i] = 1;
            newlyLocked = true;
          }
        }
        if (!newlyLocked) break;
      }

      let largest = 0;
      for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(step[i]));
      const scale = largest > maxStepRad ? maxStepRad / largest : 1;
      for (let i = 0; i < n; i++) q[i] += step[i] * scale;
      this.clamp(q);
    }
    return { q, converged: false, positionError, orientationError, iterations: maxIterations, restartsUsed: 0 };
  }

  private clamp(q: Float64Array): void {
    for (let i = 0; i < q.length; i++) q[i] = Math.min(this.upper[i], Math.max(this.lower[i], q[i]));
  }

  /**
   * One damped step into this.step from the Jacobian and error of the current iterate, with the
   * locked joints held still. Returns false if the system could not be factorised.
   */
  private solveStep(damping: number, wr: number, redundant: boolean, nullGain: number, q: Float64Array): boolean {
    const { n, jacobian: J, error: e, normal: A, gradient: g, step, pull, pullProjected, locked } = this;
    const weight = (r: number): number => (r < 3 ? 1 : wr);
    for (let i = 0; i < n; i++) {
      let gi = 0;
      if (!locked[i]) for (let r = 0; r < 6; r++) gi += J[r * n + i] * weight(r) * e[r];
      g[i] = gi;
      for (let j = i; j < n; j++) {
        let aij = 0;
        if (!locked[i] && !locked[j]) for (let r = 0; r < 6; r++) aij += J[r * n + i] * weight(r) * J[r * n + j];
        A[i * n + j] = aij;
        A[j * n + i] = aij;
      }
    }
    for (let i = 0; i < n; i++) A[i * n + i] += damping;
    if (!choleskyInPlace(A, n)) return false;
    step.set(g);
    choleskySolve(A, n, step);
    if (!redundant) return true;

    // Pull towards the rest posture, projected (approximately, through the damped inverse) onto
    // the null space of the task: z - A^-1 J^T W J z.
    const jz = this.jz;
    for (let i = 0; i < n; i++) pull[i] = locked[i] ? 0 : nullGain * (this.rest[i] - q[i]);
    for (let r = 0; r < 6; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += J[r * n + i] * pull[i];
      jz[r] = s * weight(r);
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      if (!locked[i]) for (let r = 0; r < 6; r++) s += J[r * n + i] * jz[r];
      pullProjected[i] = s;
    }
    choleskySolve(A, n, pullProjected);
    for (let i = 0; i < n; i++) step[i] += pull[i] - pullProjected[i];
    return true;
  }
}

function randomWithin(random: Random, lo: number, hi: number): number {
  const a = Number.isFinite(lo) ? lo : -Math.PI;
  const b = Number.isFinite(hi) ? hi : Math.PI;
  return a + (b - a) * random();
}

/**
 * Cholesky factorisation of a symmetric positive-definite n x n matrix, in place (lower triangle).
 * Written here because the solver needs it allocation-free inside its loop; n is the arm's joint
 * count. Returns false if the matrix is not positive definite.
 */
function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  return true;
}

/** Solves L L^T x = b in place (b becomes x), with L from choleskyInPlace. */
function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}
