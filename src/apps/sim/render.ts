/**
 * A deterministic CPU ray caster for the tabletop simulation: one primary ray per pixel through
 * the pinhole model, exact analytic intersections with boxes, cylinders, spheres and capsules,
 * flat Lambert shading and (optionally) hard shadows from a directional light. It returns an RGB
 * image, the metric depth image an RGB-D camera would report (z in the optical frame) and the
 * index of the object seen at each pixel.
 *
 * Speed: every object is first mapped into the camera frame once per frame, and its bounding
 * sphere and local bounding box are projected to a pixel rectangle; only rays in that rectangle
 * are tested. Objects are drawn nearest-first into a depth buffer, so a pixel already covered by
 * something nearer than an object's closest possible point skips that object. A ray's direction in
 * an object's frame is affine in the pixel coordinates, so per pixel only a few multiply-adds set
 * it up and nothing is allocated. Boxes intersect only the faces turned to the camera. Shadow rays
 * look their possible occluders up in a grid over a plane across the light.
 *
 * Surfaces are seen from outside: an object that contains the camera is not drawn from within.
 */
import { invert, type Transform } from '../../core/kinematics/transform.js';
import type { PinholeCamera } from '../../core/messages/camera_model.js';
import type { DepthImage, RgbImage } from '../../core/model/types.js';
import { checkTransform, hitNormal, hitObject, KIND_BOX, MIN_T, positive, prepare, type FrameBuffers, type Prepared, type SceneObject } from './render_geometry.js';
import { buildShadowGrid, castShadows } from './render_shadows.js';

export interface RenderScene {
  objects: readonly SceneObject[];
  background: [number, number, number];
  /** Unit vector towards the light, world frame. */
  lightDirection: [number, number, number];
  /** Share of the colour a surface keeps where no direct light reaches it, 0..1. */
  ambient: number;
  /**
   * Hard shadows from the directional light: surfaces another object hides from the light keep
   * only the ambient term. Off unless set; about doubles the time of a frame.
   */
  shadows?: boolean;
}

export interface RenderCamera {
  camera: PinholeCamera;
  /** World from camera optical frame (z forward, x right, y down, REP-103 optical). */
  worldFromCamera: Transform;
}

export interface RenderResult {
  rgb: RgbImage;
  /** z in the camera optical frame, metres; NaN where nothing is hit. */
  depth: DepthImage;
  /** Index into scene.objects of the object seen at each pixel, or -1. */
  objectIndex: Int16Array;
}

// Per-frame scratch buffers, reused between calls (grown when a bigger image comes).
let zScratch = new Float64Array(0);
let diffuseScratch = new Float32Array(0);

/**
 * Draws a box seen from outside: the ray enters through one of the (at most three) faces turned to
 * the camera, so each pixel intersects those faces' planes, largest-looking face first, and checks
 * the hit lies within the face. Cheaper than the slab method, which always needs all three axes.
 */
function drawBox(o: Prepared, frame: FrameBuffers): void {
  const { width, xs, ys, zBuffer, diffuse, objectIndex: index } = frame;
  const m = o.fromCamera;
  const half = [o.p0, o.p1, o.p2];
  const origin = [m[3], m[7], m[11]];
  const light = [o.lx, o.ly, o.lz];
  const faces: { axis: number; side: number; weight: number }[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const side = origin[axis] > half[axis] ? 1 : origin[axis] < -half[axis] ? -1 : 0;
    if (side === 0) continue;
    // Face area times the distance of the camera from its plane: a rough share of the silhouette.
    const area = (half[0] * half[1] * half[2]) / half[axis];
    faces.push({ axis, side, weight: area * (Math.abs(origin[axis]) - half[axis]) });
  }
  if (faces.length === 0) return; // the camera is inside the box
  faces.sort((p, q) => q.weight - p.weight || p.axis - q.axis);
  // Per face: plane offset, origin (a, b, c: face axis, then the other two), half extents of b and
  // c, the matrix rows of a, b, c (coefficients of xc, yc, 1) and the face's diffuse term.
  const count = faces.length;
  const f = new Float64Array(count * 16);
  for (let n = 0; n < count; n++) {
    const { axis, side } = faces[n];
    const b = (axis + 1) % 3;
    const c = (axis + 2) % 3;
    const base = n * 16;
    f[base] = side * half[axis];
    f[base + 1] = origin[axis];
    f[base + 2] = origin[b];
    f[base + 3] = origin[c];
    f[base + 4] = half[b];
    f[base + 5] = half[c];
    for (let r = 0; r < 3; r++) {
      const row = [axis, b, c][r] * 4;
      f[base + 6 + r * 3] = m[row];
      f[base + 7 + r * 3] = m[row + 1];
      f[base + 8 + r * 3] = m[row + 2];
    }
    f[base + 15] = Math.max(0, side * light[axis]);
  }
  const rows = new Float64Array(count * 3);
  const zMin = o.zMin;
  const k = o.index;
  for (let v = o.v0; v <= o.v1; v++) {
    const yc = ys[v];
    for (let n = 0; n < count; n++) {
      const base = n * 16;
      rows[n * 3] = f[base + 7] * yc + f[base + 8];
      rows[n * 3 + 1] = f[base + 10] * yc + f[base + 11];
      rows[n * 3 + 2] = f[base + 13] * yc + f[base + 14];
    }
    let i = v * width + o.u0;
    for (let u = o.u0; u <= o.u1; u++, i++) {
      const zPrev = zBuffer[i];
      if (zPrev <= zMin) continue;
      const xc = xs[u];
      for (let n = 0; n < count; n++) {
        const base = n * 16;
        const t = (f[base] - f[base + 1]) / (rows[n * 3] + f[base + 6] * xc);
        if (!(t > MIN_T && t <= zPrev && t < Infinity)) continue;
        const pb = f[base + 2] + t * (rows[n * 3 + 1] + f[base + 9] * xc);
        const hb = f[base + 4];
        if (!(pb >= -hb && pb <= hb)) continue;
        const pc = f[base + 3] + t * (rows[n * 3 + 2] + f[base + 12] * xc);
        const hc = f[base + 5];
        if (!(pc >= -hc && pc <= hc)) continue;
        if (t < zPrev || k < index[i]) {
          zBuffer[i] = t;
          index[i] = k;
          diffuse[i] = f[base + 15];
        }
        break;
      }
    }
  }
}

/** Draws one object into the depth buffer over its pixel rectangle. */
function drawObject(o: Prepared, frame: FrameBuffers): void {
  const { width, xs, ys, zBuffer, diffuse, objectIndex: index } = frame;
  const m = o.fromCamera;
  const ox = m[3];
  const oy = m[7];
  const oz = m[11];
  const m0 = m[0];
  const m4 = m[4];
  const m8 = m[8];
  const zMin = o.zMin;
  const k = o.index;
  const { lx, ly, lz } = o;
  for (let v = o.v0; v <= o.v1; v++) {
    const yc = ys[v];
    // Ray direction in the object frame: fromCamera's rotation times (xc, yc, 1).
    const rx = m[1] * yc + m[2];
    const ry = m[5] * yc + m[6];
    const rz = m[9] * yc + m[10];
    let i = v * width + o.u0;
    for (let u = o.u0; u <= o.u1; u++, i++) {
      const zPrev = zBuffer[i];
      if (zPrev <= zMin) continue;
      const xc = xs[u];
      const t = hitObject(o, ox, oy, oz, rx + m0 * xc, ry + m4 * xc, rz + m8 * xc);
      if (t < zPrev || (t === zPrev && t < Infinity && k < index[i])) {
        zBuffer[i] = t;
        index[i] = k;
        const d = hitNormal[0] * lx + hitNormal[1] * ly + hitNormal[2] * lz;
        diffuse[i] = d > 0 ? d : 0;
      }
    }
  }
}
/** Renders the scene as the camera sees it. Same input, same bytes. */
export function renderScene(scene: RenderScene, view: RenderCamera): RenderResult {
  const camera = view.camera;
  const width = camera.width;
  const height = camera.height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`camera size: expected positive integers, got ${width}x${height}`);
  }
  positive(camera.fx, 'camera fx');
  positive(camera.fy, 'camera fy');
  if (!Number.isFinite(camera.cx) || !Number.isFinite(camera.cy)) {
    throw new RangeError(`camera centre: expected finite numbers, got (${camera.cx}, ${camera.cy})`);
  }
  checkTransform(view.worldFromCamera, 'worldFromCamera');
  if (scene.objects.length > 32767) throw new RangeError(`scene: at most 32767 objects, got ${scene.objects.length}`);
  const ambient = scene.ambient;
  if (!(ambient >= 0 && ambient <= 1)) throw new RangeError(`ambient: expected a number in [0, 1], got ${ambient}`);
  const [lx0, ly0, lz0] = scene.lightDirection;
  const lightNorm = Math.hypot(lx0, ly0, lz0);
  if (!Number.isFinite(lightNorm)) throw new RangeError(`lightDirection: expected finite numbers, got ${scene.lightDirection.join(', ')}`);
  const light: [number, number, number] = lightNorm > 0 ? [lx0 / lightNorm, ly0 / lightNorm, lz0 / lightNorm] : [0, 0, 0];

  const colours = new Float64Array(scene.objects.length * 3);
  scene.objects.forEach((object, i) => {
    for (let c = 0; c < 3; c++) {
      const value = object.color[c];
      if (!Number.isFinite(value)) throw new RangeError(`object ${i} (${object.id}) color[${c}]: expected a finite number, got ${value}`);
      colours[i * 3 + c] = Math.min(255, Math.max(0, value));
    }
  });
  const background = new Uint8Array(3);
  for (let c = 0; c < 3; c++) {
    const value = scene.background[c];
    if (!Number.isFinite(value)) throw new RangeError(`background[${c}]: expected a finite number, got ${value}`);
    background[c] = Math.min(255, Math.max(0, Math.round(value)));
  }

  const worldFromCamera = view.worldFromCamera;
  const cameraFromWorld = invert(new Float64Array(12), worldFromCamera);
  const prepared = scene.objects.map((object, i) => prepare(object, i, cameraFromWorld, worldFromCamera, light, camera));
  // Nearest first, so farther objects mostly find their pixels already decided.
  const order = prepared.filter((o) => o.u0 <= o.u1).sort((a, b) => a.zMin - b.zMin || a.index - b.index);

  const n = width * height;
  if (zScratch.length < n) {
    zScratch = new Float64Array(n);
    diffuseScratch = new Float32Array(n);
  }
  const frame: FrameBuffers = {
    width,
    height,
    xs: new Float64Array(width),
    ys: new Float64Array(height),
    zBuffer: zScratch,
    diffuse: diffuseScratch,
    objectIndex: new Int16Array(n).fill(-1),
  };
  frame.zBuffer.fill(Infinity, 0, n);
  for (let u = 0; u < width; u++) frame.xs[u] = (u - camera.cx) / camera.fx;
  for (let v = 0; v < height; v++) frame.ys[v] = (v - camera.cy) / camera.fy;

  for (const o of order) {
    if (o.kind === KIND_BOX) drawBox(o, frame);
    else drawObject(o, frame);
  }

  if (scene.shadows === true && lightNorm > 0) {
    const grid = buildShadowGrid(prepared, light);
    if (grid !== null) castShadows(grid, worldFromCamera, frame);
  }

  const rgb = new Uint8Array(n * 3);
  const depth = new Float32Array(n);
  writeImages(n, frame.objectIndex, frame.zBuffer, frame.diffuse, colours, background, ambient, rgb, depth);
  return { rgb: { width, height, data: rgb }, depth: { width, height, data: depth }, objectIndex: frame.objectIndex };
}

/** Final pass: shaded colours and depths from the buffers. */
function writeImages(
  n: number,
  objectIndex: Int16Array,
  zBuffer: Float64Array,
  diffuse: Float32Array,
  colours: Float64Array,
  background: Uint8Array,
  ambient: number,
  rgb: Uint8Array,
  depth: Float32Array,
): void {
  const br = background[0];
  const bg = background[1];
  const bb = background[2];
  const lit = 1 - ambient;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const k = objectIndex[i];
    if (k < 0) {
      depth[i] = NaN;
      rgb[j] = br;
      rgb[j + 1] = bg;
      rgb[j + 2] = bb;
      continue;
    }
    depth[i] = zBuffer[i];
    const shade = ambient + lit * diffuse[i];
    const c = k * 3;
    // Non-negative values below 256: adding 0.5 and truncating rounds like Math.round.
    rgb[j] = Math.min(255, colours[c] * shade + 0.5);
    rgb[j + 1] = Math.min(255, colours[c + 1] * shade + 0.5);
    rgb[j + 2] = Math.min(255, colours[c + 2] * shade + 0.5);
  }
}

/** A camera pose looking from `eye` at `target` with world z up, as an optical frame (x right, y down, z forward). */
export function lookAt(eye: [number, number, number], target: [number, number, number]): Transform {
  let fx = target[0] - eye[0];
  let fy = target[1] - eye[1];
  let fz = target[2] - eye[2];
  const distance = Math.hypot(fx, fy, fz);
  if (!(distance > 0 && distance < Infinity)) {
    throw new RangeError(`lookAt: eye and target must be distinct finite points, got [${eye.join(', ')}] and [${target.join(', ')}]`);
  }
  fx /= distance;
  fy /= distance;
  fz /= distance;
  // Right = forward x up; looking straight up or down, world +x plays "up" in the image instead.
  let rx = fy;
  let ry = -fx;
  let rz = 0;
  let rightNorm = Math.hypot(rx, ry);
  if (rightNorm < 1e-9) {
    rx = 0;
    ry = fz;
    rz = -fy;
    rightNorm = Math.hypot(ry, rz);
  }
  rx /= rightNorm;
  ry /= rightNorm;
  rz /= rightNorm;
  // Down = forward x right.
  const dx = fy * rz - fz * ry;
  const dy = fz * rx - fx * rz;
  const dz = fx * ry - fy * rx;
  const out = new Float64Array(12);
  out[0] = rx; out[1] = dx; out[2] = fx; out[3] = eye[0];
  out[4] = ry; out[5] = dy; out[6] = fy; out[7] = eye[1];
  out[8] = rz; out[9] = dz; out[10] = fz; out[11] = eye[2];
  return out;
}
