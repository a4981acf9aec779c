/**
 * Steering from rviz: each point a person clicks with the "Publish Point" tool (/clicked_point)
 * becomes a waypoint of the trace, in the camera image. The trace runs from where the gripper was
 * in the image when the first waypoint came (the first point of the planned trace) through every
 * waypoint in order; it replaces the planned trace like a drawn ~/trace_override.
 */
import type { PinholeCamera, PixelCoord } from '../messages/camera_model.js';
import type { Header, Point, VisualTrace } from '../messages/types.js';
import { TraceOverrideError } from './trace_override.js';

export class ClickedWaypoints {
  private start: PixelCoord | null = null;
  private readonly waypoints: PixelCoord[] = [];

  get count(): number {
    return this.waypoints.length;
  }

  /**
   * Adds a clicked point, already in the camera's optical frame, and returns the trace to steer by.
   * `plannedStart` is where the latest planned trace begins (null before the first step).
   */
  add(point: Point, camera: PinholeCamera, plannedStart: PixelCoord | null, header: Header): VisualTrace {
    const pixel = camera.project(point);
    if (!pixel) throw new TraceOverrideError(`the clicked point (${fmt(point)}) is behind the camera`);
    if (pixel.u < 0 || pixel.v < 0 || pixel.u > camera.width - 1 || pixel.v > camera.height - 1) {
      throw new TraceOverrideError(`the clicked point (${fmt(point)}) is outside the camera image (pixel ${pixel.u.toFixed(0)}, ${pixel.v.toFixed(0)})`);
    }
    if (this.waypoints.length === 0) this.start = plannedStart;
    this.waypoints.push(pixel);
    const points = this.start ? [this.start, ...this.waypoints] : [...this.waypoints];
    if (points.length < 2) {
      throw new TraceOverrideError('no planned trace yet to start from: click a second waypoint');
    }
    return { header, width: camera.width, height: camera.height, u: points.map((p) => p.u), v: points.map((p) => p.v) };
  }

  clear(): void {
    this.start = null;
    this.waypoints.length = 0;
  }
}

function fmt(p: Point): string {
  return [p.x, p.y, p.z].map((v) => v.toFixed(3)).join(', ');
}
