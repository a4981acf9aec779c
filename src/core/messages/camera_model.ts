/**
 * The pinhole camera model, and lifting image pixels to 3-D with a depth image.
 *
 * Coordinates follow REP-103's optical frame: x right, y down, z forward (out of the lens); pixel
 * centres sit at integer (u, v). Depth images store z (distance along the optical axis), not the
 * range along the ray, so a pixel lifts as z * ((u - cx) / fx, (v - cy) / fy, 1).
 */
import { MessageError } from './errors.js';
import type { CameraInfo, Point } from './types.js';
import type { DepthImage, DepthSampler } from './images.js';

/** Largest width or height of a camera image the node accepts (16K sensors stay below it). */
export const MAX_IMAGE_SIDE = 16384;

export interface PixelCoord {
  u: number;
  v: number;
}

export class PinholeCamera {
  constructor(
    readonly fx: number,
    readonly fy: number,
    readonly cx: number,
    readonly cy: number,
    readonly width: number,
    readonly height: number,
  ) {}

  /**
   * Reads the intrinsics from K (the raw, unrectified camera). P would describe the rectified
   * image instead; the RGB-D topics this node consumes are the raw/aligned ones, so K is right.
   * Lens distortion (D) is ignored: for the few trace points we lift, the error of common RGB-D
   * cameras' small distortion is well below the depth noise.
   */
  static fromCameraInfo(info: CameraInfo): PinholeCamera {
    for (const field of ['width', 'height'] as const) {
      const value = info[field];
      if (!Number.isInteger(value) || value <= 0) {
        throw new MessageError('bad_camera_info', `camera_info ${field}: expected a positive integer, got ${value}`);
      }
    }
    const k = info.k;
    if (k.length !== 9) {
      throw new MessageError('bad_camera_info', `camera_info k: expected 9 values (3x3 row-major), got ${k.length}`);
    }
    for (let i = 0; i < 9; i++) {
      if (!Number.isFinite(k[i])) {
        throw new MessageError('bad_camera_info', `camera_info k[${i}]: expected a finite number, got ${k[i]}`);
      }
    }
    const [fx, fy] = [k[0], k[4]];
    if (fx <= 0 || fy <= 0) {
      // An all-zero K is what an uncalibrated driver publishes.
      throw new MessageError('bad_camera_info', `camera_info k: expected fx = k[0] > 0 and fy = k[4] > 0, got fx=${fx}, fy=${fy} (uncalibrated camera?)`);
    }
    const camera = new PinholeCamera(fx, fy, k[2], k[5], info.width, info.height);
    camera.checkPlausible('camera_info');
    return camera;
  }

  /**
   * Refuses numbers no camera has: finite but absurd intrinsics (fx = 1e-308, cx = 1e308) would
   * put trace points at infinity. A pinhole camera's field of view lies between about 0.1 and 179
   * degrees (fx and fy within [size / 230, 600 size] for an image `size` pixels across), and its
   * principal point within a few image sizes of the image.
   */
  checkPlausible(what: string): void {
    const { fx, fy, cx, cy, width, height } = this;
    if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
      throw new MessageError('bad_camera_info', `${what}: ${width}x${height} is larger than a camera image can be here (${MAX_IMAGE_SIDE} pixels a side)`);
    }
    for (const [name, f, size] of [['fx', fx, width], ['fy', fy, height]] as const) {
      if (!(f >= size / 230 && f <= size * 600)) {
        throw new MessageError('bad_camera_info', `${what}: ${name} = ${f} pixels cannot belong to a camera ${size} pixels across (field of view outside 0.1 to 179 degrees)`);
      }
    }
    for (const [name, c, size] of [['cx', cx, width], ['cy', cy, height]] as const) {
      if (!(c >= -2 * size && c <= 3 * size)) {
        throw new MessageError('bad_camera_info', `${what}: principal point ${name} = ${c} lies too far outside the ${size}-pixel image`);
      }
    }
  }

  /**
   * The same camera seeing an image resized to width x height (e.g. depth or colour streamed at a
   * resolution other than camera_info's). Pixel centres map as u' = (u + 0.5) * s - 0.5.
   */
  scaledTo(width: number, height: number): PinholeCamera {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new MessageError('bad_size', `scaled camera size: expected positive integers, got ${width}x${height}`);
    }
    const sx = width / this.width;
    const sy = height / this.height;
    return new PinholeCamera(
      this.fx * sx,
      this.fy * sy,
      (this.cx + 0.5) * sx - 0.5,
      (this.cy + 0.5) * sy - 0.5,
      width,
      height,
    );
  }

  /** Pixel of a point in the optical frame; null when it is not in front of the camera. */
  project(p: Point): PixelCoord | null {
    if (!(p.z > 0) || !Number.isFinite(p.x) || !Number.isFinite(p.y) || !Number.isFinite(p.z)) return null;
    return { u: (this.fx * p.x) / p.z + this.cx, v: (this.fy * p.y) / p.z + this.cy };
  }

  /** Direction through a pixel, scaled so that z = 1 (multiply by a depth to get the point). */
  pixelToRay(u: number, v: number): Point {
    return { x: (u - this.cx) / this.fx, y: (v - this.cy) / this.fy, z: 1 };
  }

  /** The 3-D point at pixel (u, v) whose z is depthMetres. */
  liftPixel(u: number, v: number, depthMetres: number): Point {
    if (!(depthMetres > 0 && depthMetres < Infinity)) {
      throw new MessageError('bad_value', `depth: expected a finite value > 0 metres, got ${depthMetres}`);
    }
    const ray = this.pixelToRay(u, v);
    return { x: ray.x * depthMetres, y: ray.y * depthMetres, z: depthMetres };
  }
}

/**
 * Median of the valid depths (finite, > 0) in a (2r+1)^2 window around (u, v), so a single noisy or
 * missing pixel does not decide. When the window holds no valid depth (a hole, typical on dark or
 * shiny objects), it grows to 2r+1, then again, up to maxRadius. With an even count the lower middle
 * value is taken: it is a real measurement, never a blend of foreground and background.
 * Returns null when (u, v) lies outside the image or nothing valid is found.
 */
export function robustDepthAt(depth: DepthImage | DepthSampler, u: number, v: number, radius = 2, maxRadius = 16): number | null {
  if (!(radius >= 0 && maxRadius >= 0 && Number.isFinite(radius) && Number.isFinite(maxRadius))) {
    throw new MessageError('bad_value', `depth window: expected finite radius >= 0 and maxRadius >= 0, got ${radius} and ${maxRadius}`);
  }
  const cu = Math.round(u);
  const cv = Math.round(v);
  if (!(cu >= 0 && cu < depth.width && cv >= 0 && cv < depth.height)) return null;
  const metresAt = 'data' in depth ? (x: number, y: number) => depth.data[y * depth.width + x] : depth.metresAt;
  const values: number[] = [];
  for (let r = Math.floor(radius); ; r = 2 * r + 1) {
    r = Math.min(r, maxRadius);
    values.length = 0;
    const u0 = Math.max(0, cu - r);
    const u1 = Math.min(depth.width - 1, cu + r);
    const v0 = Math.max(0, cv - r);
    const v1 = Math.min(depth.height - 1, cv + r);
    for (let y = v0; y <= v1; y++) {
      for (let x = u0; x <= u1; x++) {
        const m = metresAt(x, y);
        if (m > 0 && m < Infinity) values.push(m);
      }
    }
    if (values.length > 0) {
      values.sort((a, b) => a - b);
      return values[(values.length - 1) >> 1];
    }
    if (r >= maxRadius) return null;
  }
}

/**
 * Lifts trace pixels (in the camera's image coordinates) to 3-D points, null where no depth is
 * found. The depth image must be registered to that camera (e.g. aligned_depth_to_color); when its
 * resolution differs, pixel positions are rescaled to look depth up.
 */
export function liftTrace(camera: PinholeCamera, depth: DepthImage | DepthSampler, pixels: readonly PixelCoord[], radius = 2): (Point | null)[] {
  const sx = depth.width / camera.width;
  const sy = depth.height / camera.height;
  return pixels.map(({ u, v }) => {
    if (!Number.isFinite(u) || !Number.isFinite(v)) return null;
    const z = robustDepthAt(depth, (u + 0.5) * sx - 0.5, (v + 0.5) * sy - 0.5, radius);
    if (z === null) return null;
    const point = camera.liftPixel(u, v, z);
    // Only a point with three finite coordinates counts as lifted (trace_points_valid).
    return Number.isFinite(point.x) && Number.isFinite(point.y) && Number.isFinite(point.z) ? point : null;
  });
}
