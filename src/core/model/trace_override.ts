/**
 * A trace drawn by a person (molmoact_ros/msg/VisualTrace, in pixels) -> the model's trace
 * (a fixed number of points in [0, 256)). A trace of exactly the model's number of points is taken
 * point for point (its sender knows the model's convention: MolmoAct's points are where the
 * fingers will be at successive future steps, closer together where they move slowly or towards
 * the camera). Any other polyline is resampled at equal arc length, so that a person may click
 * any number of points (at least two).
 */
import type { VisualTrace } from '../messages/types.js';
import type { TracePoints } from './types.js';

export class TraceOverrideError extends Error {
  override name = 'TraceOverrideError';
}

export function traceFromMessage(msg: VisualTrace, points: number): TracePoints {
  const { width, height, u, v } = msg;
  if (!(width > 1) || !(height > 1)) throw new TraceOverrideError(`trace image size ${width}x${height} is not usable`);
  if (u.length !== v.length) throw new TraceOverrideError(`trace has ${u.length} u values and ${v.length} v values`);
  if (u.length < 2) throw new TraceOverrideError(`a trace needs at least 2 points, got ${u.length}`);
  for (let i = 0; i < u.length; i++) {
    if (!Number.isFinite(u[i]) || !Number.isFinite(v[i]) || u[i] < 0 || v[i] < 0 || u[i] > width - 1 || v[i] > height - 1) {
      throw new TraceOverrideError(`trace point ${i} (${u[i]}, ${v[i]}) lies outside the ${width}x${height} image`);
    }
  }
  // To MolmoAct's scale first, so the resampling happens in the space the model sees.
  const xs = Array.from(u, (x) => (x * 255) / (width - 1));
  const ys = Array.from(v, (y) => (y * 255) / (height - 1));
  if (xs.length === points) return { x: xs.map(Math.round), y: ys.map(Math.round) };
  return resample(xs, ys, points);
}

function resample(xs: number[], ys: number[], count: number): TracePoints {
  const cumulative = [0];
  for (let i = 1; i < xs.length; i++) {
    cumulative.push(cumulative[i - 1] + Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]));
  }
  const total = cumulative[cumulative.length - 1];
  const x: number[] = [];
  const y: number[] = [];
  let segment = 1;
  for (let k = 0; k < count; k++) {
    const along = count === 1 ? total : (total * k) / (count - 1);
    while (segment < xs.length - 1 && cumulative[segment] < along) segment++;
    const span = cumulative[segment] - cumulative[segment - 1];
    const f = span > 0 ? Math.min(1, Math.max(0, (along - cumulative[segment - 1]) / span)) : 0;
    x.push(Math.round(xs[segment - 1] + f * (xs[segment] - xs[segment - 1])));
    y.push(Math.round(ys[segment - 1] + f * (ys[segment] - ys[segment - 1])));
  }
  return { x, y };
}
