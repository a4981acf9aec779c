/**
 * Decoding of a model's outputs with MolmoAct's conventions, and the checks that keep a bad
 * output from reaching the arm:
 * - depth: one token per cell of a rows x cols grid, each in [0, codebook);
 * - trace: integer points in [0, 256) over the image, scaled to pixels by (size - 1) / 255;
 * - actions: `bins` bins over [-1, 1] decoded to bin centres, then un-normalised with the
 *   statistics: a = 0.5 (n + 1)(q99 - q01) + q01 where mask is true.
 */
import type { ActionSpec, ActionStatistics } from './manifest.js';
import type { TracePoints } from './types.js';

/** A model output (or a trace override) that must not be used; the message says why. */
export class OutputRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRejected';
  }
}

/** Throws unless `dims` equals `expected`. */
export function checkShape(name: string, dims: readonly number[], expected: readonly number[]): void {
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    throw new OutputRejected(`${name} has shape [${dims.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

/** Throws if any value is NaN or infinite. */
export function checkFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new OutputRejected(`${name}[${i}] is ${values[i]}`);
  }
}

/**
 * Index of the largest value in each consecutive row of `width` values (first on ties), checking
 * on the way that every value is finite (OutputRejected names `name` and the index otherwise).
 * Logits only ever come as Float32Array, which keeps this loop monomorphic: on a mix of arrays,
 * every value read would be boxed, and a step would allocate hundreds of kilobytes for nothing.
 */
export function argmaxRows(values: Float32Array, width: number, name = 'logits'): number[] {
  const rows = values.length / width;
  const out = new Array<number>(rows);
  for (let r = 0, i = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < width; k++, i++) {
      const v = values[i];
      // NaN and both infinities give NaN here; every finite value gives 0.
      if (v - v !== 0) throw new OutputRejected(`${name}[${i}] is ${v}`);
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Depth logits [1, rows*cols, codebook] -> one token per grid cell, row-major. */
export function decodeDepth(
  logits: Float32Array,
  dims: readonly number[],
  depth: { rows: number; cols: number; codebook: number },
): number[] {
  checkShape('depth_logits', dims, [1, depth.rows * depth.cols, depth.codebook]);
  return argmaxRows(logits, depth.codebook, 'depth_logits');
}

/** Trace logits [1, points, 2, 256] (x then y) -> integer points in [0, 256). */
export function decodeTrace(logits: Float32Array, dims: readonly number[], trace: { points: number; bins: number }): TracePoints {
  checkShape('trace_logits', dims, [1, trace.points, 2, trace.bins]);
  const coords = argmaxRows(logits, trace.bins, 'trace_logits');
  return {
    x: coords.filter((_, i) => i % 2 === 0),
    y: coords.filter((_, i) => i % 2 === 1),
  };
}

/** Throws unless `trace` has `points` points, each coordinate a finite number in [0, 255]. */
export function checkTrace(trace: TracePoints, points: number): void {
  if (trace.x.length !== points || trace.y.length !== points) {
    throw new OutputRejected(`trace has ${trace.x.length} x and ${trace.y.length} y values, expected ${points} points`);
  }
  for (const [axis, values] of [['x', trace.x], ['y', trace.y]] as const) {
    values.forEach((v, i) => {
      if (!Number.isFinite(v) || v < 0 || v > 255) throw new OutputRejected(`trace ${axis}[${i}] is ${v}, expected a value in [0, 255]`);
    });
  }
}

/** Trace points in [0, 255] -> image pixels (u right, v down), as MolmoAct scales them. */
export function traceToPixels(trace: TracePoints, width: number, height: number): { u: number; v: number }[] {
  return trace.x.map((x, i) => ({ u: (x * (width - 1)) / 255, v: (trace.y[i] * (height - 1)) / 255 }));
}

/**
 * Image pixels -> trace points: the inverse of traceToPixels, rounded to MolmoAct's integer grid
 * and clamped to [0, 255] so that a click just outside the image still gives a valid point.
 */
export function pixelsToTrace(pixels: readonly { u: number; v: number }[], width: number, height: number): TracePoints {
  const toGrid = (p: number, size: number) => Math.min(255, Math.max(0, Math.round(size > 1 ? (p * 255) / (size - 1) : 0)));
  return { x: pixels.map((p) => toGrid(p.u, width)), y: pixels.map((p) => toGrid(p.v, height)) };
}

/**
 * Normalised action of each bin, as MolmoAct (after OpenVLA) decodes them: the centres between
 * the points of linspace(-1, 1, bins), so there are bins - 1 centres; the top bin is clipped to
 * the last centre.
 */
export function binCentres(bins: number): Float64Array {
  const step = 2 / (bins - 1);
  const centres = new Float64Array(bins - 1);
  for (let i = 0; i < bins - 1; i++) centres[i] = -1 + step * (i + 0.5);
  return centres;
}

/** Bin index in [0, bins) -> normalised action in (-1, 1). */
export function binToNormalised(bin: number, centres: Float64Array): number {
  return centres[Math.min(Math.max(bin, 0), centres.length - 1)];
}

/**
 * MolmoAct action token ids (the last `bins` ids of a vocabulary of `vocabSize`; the highest id
 * is bin 0) -> bin indices. Ids outside that range are not action tokens and are rejected.
 */
export function actionTokenIdsToBins(ids: readonly number[], vocabSize: number, bins: number): number[] {
  return ids.map((id, i) => {
    const bin = vocabSize - 1 - id;
    if (!Number.isInteger(id) || bin < 0 || bin >= bins) {
      throw new OutputRejected(`token ${i} (id ${id}) is not one of the last ${bins} ids of a ${vocabSize}-token vocabulary`);
    }
    return bin;
  });
}

/** Normalised actions in [-1, 1] -> robot units, per dimension where the mask is true. */
export function unnormalise(normalised: readonly number[], stats: ActionStatistics): number[] {
  return normalised.map((n, i) => (stats.mask[i] ? 0.5 * (n + 1) * (stats.q99[i] - stats.q01[i]) + stats.q01[i] : n));
}

/** Bin indices [chunk][dim] -> un-normalised action chunk. */
export function decodeActionBins(bins: readonly (readonly number[])[], action: ActionSpec, stats: ActionStatistics): number[][] {
  const centres = binCentres(action.bins);
  return bins.map((step) => unnormalise(step.map((b) => binToNormalised(b, centres)), stats));
}

/** Action logits [1, chunk, dim, bins] -> un-normalised action chunk [chunk][dim]. */
export function decodeActionLogits(
  logits: Float32Array,
  dims: readonly number[],
  action: ActionSpec,
  stats: ActionStatistics,
): number[][] {
  checkShape('action_logits', dims, [1, action.chunk, action.dim, action.bins]);
  const flat = argmaxRows(logits, action.bins, 'action_logits');
  const steps = Array.from({ length: action.chunk }, (_, s) => flat.slice(s * action.dim, (s + 1) * action.dim));
  const actions = decodeActionBins(steps, action, stats);
  actions.forEach((step, s) => checkFinite(`actions[${s}]`, step));
  return actions;
}

/** Throws unless every value of the chunk lies within the manifest's bounds for its dimension. */
export function checkActionBounds(actions: readonly (readonly number[])[], bounds: { min: readonly number[]; max: readonly number[] }): void {
  actions.forEach((step, s) =>
    step.forEach((value, j) => {
      if (!Number.isFinite(value)) throw new OutputRejected(`actions[${s}][${j}] is ${value}`);
      if (value < bounds.min[j] || value > bounds.max[j]) {
        throw new OutputRejected(`actions[${s}][${j}] is ${value}, outside the model's bounds [${bounds.min[j]}, ${bounds.max[j]}] (action.bounds)`);
      }
    }),
  );
}

/** The model's values -> robot units, by the manifest's per-dimension scale (none: as they are). */
export function toRobotUnits(actions: number[][], action: ActionSpec): number[][] {
  const scale = action.scale;
  return scale ? actions.map((step) => step.map((value, j) => value * scale[j])) : actions;
}
