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
import { compose, invert, type Transform } from '../../core/kinematics/transform.js';
import type { PinholeCamera } from '../../core/messages/camera_model.js';
import type { DepthImage, RgbImage } from '../../core/model/types.js';

export type Shape =
  /** Full extents along local x, y, z, centred on the pose. */
  | { kind: 'box'; size: [number, number, number] }
  /** Axis = local z, centred on the pose. */
  | { kind: 'cylinder'; radius: number; height: number }
  | { kind: 'sphere'; radius: number }
  /** A segment along local z of `length`, centred on the pose, plus hemispherical caps. */
  | { kind: 'capsule'; radius: number; length: number };

export interface SceneObject {
  id: string;
  shape: Shape;
  /** World from object. */
  pose: Transform;
  /** Flat colour, 0..255 per channel. */
  color: [number, number, number];
}

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

const KIND_BOX = 0;
const KIND_CYLINDER = 1;
const KIND_SPHERE = 2;
const KIND_CAPSULE = 3;

/** Nearest accepted hit along a ray, in units of the ray's direction (camera z for primary rays). */
const MIN_T = 1e-9;
/** Bounds closer to the camera plane than this fall back to the whole image. */
const NEAR_Z = 1e-6;

/** An object as the inner loops use it, all in plain numbers. */
interface Prepared {
  index: number;
  kind: number;
  /** Shape parameters: box half extents; cylinder radius, half height; sphere radius; capsule radius, half length. */
  p0: number;
  p1: number;
  p2: number;
  /** Object from camera. */
  fromCamera: Float64Array;
  /** Object from world (for shadow rays). */
  fromWorld: Float64Array;
  /** Unit light direction in the object frame. */
  lx: number;
  ly: number;
  lz: number;
  /** Bounding sphere: centre in the world, radius. */
  wx: number;
  wy: number;
  wz: number;
  radius: number;
  /** Smallest camera z any point of the object can have. */
  zMin: number;
  /** Pixel rectangle that can see the object (inclusive); empty when u0 > u1. */
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

// Surface normal of the last hit, in the object's frame (outward, unit). A typed array rather than
// module-level numbers, which would box a fresh heap number on every store.
const hitNormal = new Float64Array(3);

/**
 * Entry of the ray o + t d into the box |x| <= hx, |y| <= hy, |z| <= hz (slab method); Infinity
 * when none with t > MIN_T. Shadow rays use it; camera rays go through drawBox.
 */
function hitBox(hx: number, hy: number, hz: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  let tIn = -Infinity;
  let tOut = Infinity;
  let face = 0; // +-1, +-2, +-3: the axis and side of the entry face
  if (dx !== 0) {
    const inv = 1 / dx;
    const a = (-hx - ox) * inv;
    const b = (hx - ox) * inv;
    if (dx > 0) {
      if (a > tIn) { tIn = a; face = -1; }
      if (b < tOut) tOut = b;
    } else {
      if (b > tIn) { tIn = b; face = 1; }
      if (a < tOut) tOut = a;
    }
  } else if (ox < -hx || ox > hx) {
    return Infinity;
  }
  if (dy !== 0) {
    const inv = 1 / dy;
    const a = (-hy - oy) * inv;
    const b = (hy - oy) * inv;
    if (dy > 0) {
      if (a > tIn) { tIn = a; face = -2; }
      if (b < tOut) tOut = b;
    } else {
      if (b > tIn) { tIn = b; face = 2; }
      if (a < tOut) tOut = a;
    }
  } else if (oy < -hy || oy > hy) {
    return Infinity;
  }
  if (dz !== 0) {
    const inv = 1 / dz;
    const a = (-hz - oz) * inv;
    const b = (hz - oz) * inv;
    if (dz > 0) {
      if (a > tIn) { tIn = a; face = -3; }
      if (b < tOut) tOut = b;
    } else {
      if (b > tIn) { tIn = b; face = 3; }
      if (a < tOut) tOut = a;
    }
  } else if (oz < -hz || oz > hz) {
    return Infinity;
  }
  if (!(tIn <= tOut && tIn > MIN_T)) return Infinity;
  hitNormal[0] = face === 1 ? 1 : face === -1 ? -1 : 0;
  hitNormal[1] = face === 2 ? 1 : face === -2 ? -1 : 0;
  hitNormal[2] = face === 3 ? 1 : face === -3 ? -1 : 0;
  return tIn;
}

/** Entry into the sphere of radius r at the origin. */
function hitSphere(r: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  const c = ox * ox + oy * oy + oz * oz - r * r;
  const b = ox * dx + oy * dy + oz * dz;
  if (c <= 0 || b >= 0) return Infinity; // inside, or moving away
  const a = dx * dx + dy * dy + dz * dz;
  const disc = b * b - a * c;
  if (disc < 0) return Infinity;
  // The smaller root in the form without cancellation (b < 0 here).
  const t = c / (Math.sqrt(disc) - b);
  if (!(t > MIN_T)) return Infinity;
  const inv = 1 / r;
  hitNormal[0] = (ox + t * dx) * inv;
  hitNormal[1] = (oy + t * dy) * inv;
  hitNormal[2] = (oz + t * dz) * inv;
  return t;
}

/** Entry into the cylinder x^2 + y^2 <= r^2, |z| <= h. */
function hitCylinder(r: number, h: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  let tIn: number;
  let tOut: number;
  let cap = true;
  if (dz !== 0) {
    const a = (-h - oz) / dz;
    const b = (h - oz) / dz;
    if (dz > 0) { tIn = a; tOut = b; } else { tIn = b; tOut = a; }
  } else {
    if (oz < -h || oz > h) return Infinity;
    tIn = -Infinity;
    tOut = Infinity;
  }
  const a = dx * dx + dy * dy;
  const c = ox * ox + oy * oy - r * r;
  if (a > 0) {
    const b = ox * dx + oy * dy;
    const disc = b * b - a * c;
    if (disc < 0) return Infinity;
    const s = Math.sqrt(disc);
    const s0 = (-b - s) / a;
    const s1 = (-b + s) / a;
    if (s0 > tIn) { tIn = s0; cap = false; }
    if (s1 < tOut) tOut = s1;
  } else if (c > 0) {
    return Infinity;
  }
  if (!(tIn <= tOut && tIn > MIN_T)) return Infinity;
  if (cap) {
    hitNormal[0] = 0;
    hitNormal[1] = 0;
    hitNormal[2] = dz > 0 ? -1 : 1;
  } else {
    const inv = 1 / r;
    hitNormal[0] = (ox + tIn * dx) * inv;
    hitNormal[1] = (oy + tIn * dy) * inv;
    hitNormal[2] = 0;
  }
  return tIn;
}

/** Entry into the capsule: points within r of the segment from (0, 0, -hl) to (0, 0, hl). */
function hitCapsule(r: number, hl: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  const a = dx * dx + dy * dy;
  const c = ox * ox + oy * oy - r * r;
  let zc: number;
  if (a > 0) {
    // The infinite cylinder around the axis holds the whole capsule: missing it misses everything.
    const b = ox * dx + oy * dy;
    const disc = b * b - a * c;
    if (disc < 0) return Infinity;
    const t = (-b - Math.sqrt(disc)) / a;
    const z = oz + t * dz;
    if (z >= -hl && z <= hl) {
      if (!(t > MIN_T)) return Infinity;
      const inv = 1 / r;
      hitNormal[0] = (ox + t * dx) * inv;
      hitNormal[1] = (oy + t * dy) * inv;
      hitNormal[2] = 0;
      return t;
    }
    // Entering the cylinder beyond an end of the segment: the entry, if any, is on that end's cap.
    zc = z > 0 ? hl : -hl;
  } else {
    if (c > 0) return Infinity;
    zc = dz > 0 ? -hl : hl;
  }
  const pz = oz - zc;
  const cc = c + pz * pz;
  const bb = ox * dx + oy * dy + pz * dz;
  if (cc <= 0 || bb >= 0) return Infinity;
  const aa = a + dz * dz;
  const disc = bb * bb - aa * cc;
  if (disc < 0) return Infinity;
  const t = cc / (Math.sqrt(disc) - bb);
  if (!(t > MIN_T)) return Infinity;
  const inv = 1 / r;
  hitNormal[0] = (ox + t * dx) * inv;
  hitNormal[1] = (oy + t * dy) * inv;
  hitNormal[2] = (pz + t * dz) * inv;
  return t;
}

function hitObject(o: Prepared, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  switch (o.kind) {
    case KIND_BOX: return hitBox(o.p0, o.p1, o.p2, ox, oy, oz, dx, dy, dz);
    case KIND_CYLINDER: return hitCylinder(o.p0, o.p1, ox, oy, oz, dx, dy, dz);
    case KIND_SPHERE: return hitSphere(o.p0, ox, oy, oz, dx, dy, dz);
    default: return hitCapsule(o.p0, o.p1, ox, oy, oz, dx, dy, dz);
  }
}

function positive(value: number, what: string): number {
  if (!(value > 0 && value < Infinity)) throw new RangeError(`${what}: expected a finite number > 0, got ${value}`);
  return value;
}

function checkTransform(t: Transform, what: string): void {
  if (!(t instanceof Float64Array) || t.length !== 12) throw new RangeError(`${what}: expected a Float64Array(12) transform`);
  for (let i = 0; i < 12; i++) {
    if (!Number.isFinite(t[i])) throw new RangeError(`${what}: entry ${i} is ${t[i]}`);
  }
}

/** Shape parameters, the local bounding box half extents (hx, hy, hz) and the bounding sphere radius about the origin. */
function shapeParameters(shape: Shape, what: string): { kind: number; p: [number, number, number]; half: [number, number, number]; radius: number } {
  switch (shape.kind) {
    case 'box': {
      const [x, y, z] = shape.size;
      const p: [number, number, number] = [positive(x, `${what} size[0]`) / 2, positive(y, `${what} size[1]`) / 2, positive(z, `${what} size[2]`) / 2];
      return { kind: KIND_BOX, p, half: p, radius: Math.hypot(p[0], p[1], p[2]) };
    }
    case 'cylinder': {
      const r = positive(shape.radius, `${what} radius`);
      const h = positive(shape.height, `${what} height`) / 2;
      return { kind: KIND_CYLINDER, p: [r, h, 0], half: [r, r, h], radius: Math.hypot(r, h) };
    }
    case 'sphere': {
      const r = positive(shape.radius, `${what} radius`);
      return { kind: KIND_SPHERE, p: [r, 0, 0], half: [r, r, r], radius: r };
    }
    case 'capsule': {
      const r = positive(shape.radius, `${what} radius`);
      const length = shape.length;
      if (!(length >= 0 && length < Infinity)) throw new RangeError(`${what} length: expected a finite number >= 0, got ${length}`);
      return { kind: KIND_CAPSULE, p: [r, length / 2, 0], half: [r, r, length / 2 + r], radius: length / 2 + r };
    }
    default:
      throw new RangeError(`${what}: unknown shape kind ${(shape as { kind: unknown }).kind}`);
  }
}

/** Pixel extent [lo, hi] of the tangent planes x = k z (or y = k z) around a sphere fully in front of the camera. */
function sphereExtent(c: number, cz: number, r: number, f: number, centre: number): [number, number] {
  const denom = cz * cz - r * r;
  const root = r * Math.sqrt(c * c + denom);
  const k0 = (c * cz - root) / denom;
  const k1 = (c * cz + root) / denom;
  return [f * k0 + centre, f * k1 + centre];
}

function prepare(
  object: SceneObject,
  index: number,
  cameraFromWorld: Float64Array,
  worldFromCamera: Float64Array,
  light: [number, number, number],
  camera: PinholeCamera,
): Prepared {
  const what = `object ${index} (${object.id})`;
  checkTransform(object.pose, `${what} pose`);
  const { kind, p, half, radius } = shapeParameters(object.shape, `${what} shape`);
  const fromWorld = invert(new Float64Array(12), object.pose);
  const fromCamera = compose(new Float64Array(12), fromWorld, worldFromCamera);
  const cameraFromObject = compose(new Float64Array(12), cameraFromWorld, object.pose);
  const px = cameraFromObject[3];
  const py = cameraFromObject[7];
  const pz = cameraFromObject[11];
  const w = camera.width;
  const h = camera.height;
  let u0 = 0;
  let u1 = w - 1;
  let v0 = 0;
  let v1 = h - 1;
  if (pz + radius <= 0) {
    u0 = 1;
    u1 = 0; // entirely behind the camera
  } else {
    // Rectangle of the bounding sphere's projection (exact), when it is wholly in front.
    if (pz - radius > NEAR_Z) {
      const [ua, ub] = sphereExtent(px, pz, radius, camera.fx, camera.cx);
      const [va, vb] = sphereExtent(py, pz, radius, camera.fy, camera.cy);
      u0 = Math.max(u0, Math.floor(ua) - 1);
      u1 = Math.min(u1, Math.ceil(ub) + 1);
      v0 = Math.max(v0, Math.floor(va) - 1);
      v1 = Math.min(v1, Math.ceil(vb) + 1);
    }
    // ... intersected with the rectangle of the projected local bounding box's corners.
    let minU = Infinity;
    let maxU = -Infinity;
    let minV = Infinity;
    let maxV = -Infinity;
    let inFront = true;
    for (let corner = 0; corner < 8 && inFront; corner++) {
      const x = corner & 1 ? half[0] : -half[0];
      const y = corner & 2 ? half[1] : -half[1];
      const z = corner & 4 ? half[2] : -half[2];
      const cx = cameraFromObject[0] * x + cameraFromObject[1] * y + cameraFromObject[2] * z + px;
      const cy = cameraFromObject[4] * x + cameraFromObject[5] * y + cameraFromObject[6] * z + py;
      const cz = cameraFromObject[8] * x + cameraFromObject[9] * y + cameraFromObject[10] * z + pz;
      if (!(cz > NEAR_Z)) {
        inFront = false;
        break;
      }
      const u = (camera.fx * cx) / cz + camera.cx;
      const v = (camera.fy * cy) / cz + camera.cy;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    if (inFront) {
      u0 = Math.max(u0, Math.floor(minU) - 1);
      u1 = Math.min(u1, Math.ceil(maxU) + 1);
      v0 = Math.max(v0, Math.floor(minV) - 1);
      v1 = Math.min(v1, Math.ceil(maxV) + 1);
    }
    if (v0 > v1) u1 = u0 - 1;
  }
  return {
    index,
    kind,
    p0: p[0],
    p1: p[1],
    p2: p[2],
    fromCamera,
    fromWorld,
    lx: fromWorld[0] * light[0] + fromWorld[1] * light[1] + fromWorld[2] * light[2],
    ly: fromWorld[4] * light[0] + fromWorld[5] * light[1] + fromWorld[6] * light[2],
    lz: fromWorld[8] * light[0] + fromWorld[9] * light[1] + fromWorld[10] * light[2],
    wx: object.pose[3],
    wy: object.pose[7],
    wz: object.pose[11],
    radius,
    zMin: pz - radius,
    u0,
    u1,
    v0,
    v1,
  };
}

/** What the drawing passes share about one frame. */
interface FrameBuffers {
  width: number;
  height: number;
  /** (u - cx) / fx per column and (v - cy) / fy per row: pixel rays are (xs[u], ys[v], 1). */
  xs: Float64Array;
  ys: Float64Array;
  /** Camera z of the nearest hit so far (Infinity: none). */
  zBuffer: Float64Array;
  /** max(0, n . light) at that hit. */
  diffuse: Float32Array;
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

/** Cells across the larger side of the light-space grid that shadow rays look occluders up in. */
const SHADOW_GRID = 96;

/** Occluders binned on a grid over a plane across the light (basis e1, e2). */
interface ShadowGrid {
  /** Prepared objects by scene index. */
  objects: Prepared[];
  /** pairs[k * count + j] = 1: j's bounding sphere can lie between a point of k and the light. */
  pairs: Uint8Array;
  /** Cell c lists items[start[c] .. start[c + 1]), in object index order. */
  start: Int32Array;
  items: Int32Array;
  /** Bounding-sphere centres: light-plane coordinates a, b and height along the light. */
  a: Float64Array;
  b: Float64Array;
  along: Float64Array;
  aMin: number;
  bMin: number;
  cellSize: number;
  cellsA: number;
  cellsB: number;
  e1: [number, number, number];
  e2: [number, number, number];
  light: [number, number, number];
}

/** The shadow grid; null when no object can shade another. */
function buildShadowGrid(prepared: readonly Prepared[], light: [number, number, number]): ShadowGrid | null {
  const count = prepared.length;
  const [lx, ly, lz] = light;
  // A basis (e1, e2) of the plane across the light.
  let e1x: number, e1y: number, e1z: number;
  if (Math.abs(lx) < 0.9) { e1x = 0; e1y = lz; e1z = -ly; } else { e1x = -lz; e1y = 0; e1z = lx; }
  const e1n = Math.hypot(e1x, e1y, e1z);
  e1x /= e1n; e1y /= e1n; e1z /= e1n;
  const e2x = ly * e1z - lz * e1y;
  const e2y = lz * e1x - lx * e1z;
  const e2z = lx * e1y - ly * e1x;

  const objects: Prepared[] = new Array(count);
  const pairs = new Uint8Array(count * count);
  const a = new Float64Array(count);
  const b = new Float64Array(count);
  const along = new Float64Array(count);
  const occludes = new Uint8Array(count);
  for (const o of prepared) {
    objects[o.index] = o;
    a[o.index] = o.wx * e1x + o.wy * e1y + o.wz * e1z;
    b[o.index] = o.wx * e2x + o.wy * e2y + o.wz * e2z;
    along[o.index] = o.wx * lx + o.wy * ly + o.wz * lz;
  }
  let aMin = Infinity, aMax = -Infinity, bMin = Infinity, bMax = -Infinity;
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < count; j++) {
      if (j === k) continue;
      const reach = objects[j].radius + objects[k].radius;
      const da = a[j] - a[k];
      const db = b[j] - b[k];
      if (along[j] - along[k] < -reach || da * da + db * db > reach * reach) continue;
      pairs[k * count + j] = 1;
      if (!occludes[j]) {
        occludes[j] = 1;
        const r = objects[j].radius;
        aMin = Math.min(aMin, a[j] - r);
        aMax = Math.max(aMax, a[j] + r);
        bMin = Math.min(bMin, b[j] - r);
        bMax = Math.max(bMax, b[j] + r);
      }
    }
  }
  if (!(aMin < aMax)) return null;

  const cellSize = Math.max(aMax - aMin, bMax - bMin) / SHADOW_GRID;
  const cellsA = Math.min(SHADOW_GRID, Math.ceil((aMax - aMin) / cellSize)) || 1;
  const cellsB = Math.min(SHADOW_GRID, Math.ceil((bMax - bMin) / cellSize)) || 1;
  // Each occluder's footprint as a cell rectangle [a0, a1] x [b0, b1].
  const ranges = new Int32Array(count * 4);
  for (let j = 0; j < count; j++) {
    const r = objects[j].radius;
    ranges[j * 4] = Math.max(0, Math.floor((a[j] - r - aMin) / cellSize));
    ranges[j * 4 + 1] = Math.min(cellsA - 1, Math.floor((a[j] + r - aMin) / cellSize));
    ranges[j * 4 + 2] = Math.max(0, Math.floor((b[j] - r - bMin) / cellSize));
    ranges[j * 4 + 3] = Math.min(cellsB - 1, Math.floor((b[j] + r - bMin) / cellSize));
  }
  const cells = cellsA * cellsB;
  const start = new Int32Array(cells + 1);
  let items = new Int32Array(0);
  for (let pass = 0; pass < 2; pass++) {
    // The first pass counts, the second fills.
    const fill = pass === 0 ? start : start.slice(0, cells);
    for (let j = 0; j < count; j++) {
      if (!occludes[j]) continue;
      for (let cb = ranges[j * 4 + 2]; cb <= ranges[j * 4 + 3]; cb++) {
        for (let ca = ranges[j * 4]; ca <= ranges[j * 4 + 1]; ca++) {
          if (pass === 0) start[cb * cellsA + ca + 1]++;
          else items[fill[cb * cellsA + ca]++] = j;
        }
      }
    }
    if (pass === 0) {
      for (let c = 0; c < cells; c++) start[c + 1] += start[c];
      items = new Int32Array(start[cells]);
    }
  }
  return {
    objects, pairs, start, items, a, b, along, aMin, bMin, cellSize, cellsA, cellsB,
    e1: [e1x, e1y, e1z], e2: [e2x, e2y, e2z], light,
  };
}

/**
 * Hard shadows: a lit pixel whose surface point sees another object towards the light keeps only
 * the ambient term. Each pixel tests just the objects binned in its cell of the shadow grid.
 * (An object never shades itself: every shape is convex, so a face turned to the light is unlit
 * by nothing of its own.)
 */
function castShadows(grid: ShadowGrid, worldFromCamera: Float64Array, frame: FrameBuffers): void {
  const { objects, pairs, start, items, a, b, along, aMin, bMin, cellsA, cellsB } = grid;
  const { width, height, xs, ys, zBuffer, diffuse, objectIndex } = frame;
  const count = objects.length;
  const [lx, ly, lz] = grid.light;
  const [e1x, e1y, e1z] = grid.e1;
  const [e2x, e2y, e2z] = grid.e2;
  const cellSize = grid.cellSize;
  const inverseCell = 1 / cellSize;
  const w = worldFromCamera;
  // Light-plane coordinates (a, b) and height along the light of a camera-frame point, as rows
  // (coefficients of x, y, z and a constant) composed with worldFromCamera.
  const project = (ex: number, ey: number, ez: number): number[] => [
    ex * w[0] + ey * w[4] + ez * w[8],
    ex * w[1] + ey * w[5] + ez * w[9],
    ex * w[2] + ey * w[6] + ez * w[10],
    ex * w[3] + ey * w[7] + ez * w[11],
  ];
  const [a0, a1, a2, a3] = project(e1x, e1y, e1z);
  const [b0, b1, b2, b3] = project(e2x, e2y, e2z);
  const [l0, l1, l2, l3] = project(lx, ly, lz);
  for (let v = 0, i = 0; v < height; v++) {
    const yc = ys[v];
    const aRow = a1 * yc + a2;
    const bRow = b1 * yc + b2;
    for (let u = 0; u < width; u++, i++) {
      const k = objectIndex[i];
      if (k < 0 || diffuse[i] === 0) continue;
      const t = zBuffer[i];
      const xc = xs[u];
      // The hit point is t * (xc, yc, 1) in the camera frame.
      const pa = t * (a0 * xc + aRow) + a3;
      const pb = t * (b0 * xc + bRow) + b3;
      const ca = Math.floor((pa - aMin) * inverseCell);
      const cb = Math.floor((pb - bMin) * inverseCell);
      if (ca < 0 || cb < 0 || ca >= cellsA || cb >= cellsB) continue;
      const cell = cb * cellsA + ca;
      const row = k * count;
      let pl = NaN;
      for (let n = start[cell], end = start[cell + 1]; n < end; n++) {
        const j = items[n];
        if (pairs[row + j] === 0) continue;
        const o = objects[j];
        const r = o.radius;
        const da = a[j] - pa;
        const db = b[j] - pb;
        if (da * da + db * db > r * r) continue;
        if (pl !== pl) pl = t * (l0 * xc + l1 * yc + l2) + l3;
        if (along[j] - pl < -r) continue;
        const cx = t * xc;
        const cy = t * yc;
        const x = w[0] * cx + w[1] * cy + w[2] * t + w[3];
        const y = w[4] * cx + w[5] * cy + w[6] * t + w[7];
        const z = w[8] * cx + w[9] * cy + w[10] * t + w[11];
        const m = o.fromWorld;
        const px = m[0] * x + m[1] * y + m[2] * z + m[3];
        const py = m[4] * x + m[5] * y + m[6] * z + m[7];
        const pz = m[8] * x + m[9] * y + m[10] * z + m[11];
        if (hitObject(o, px, py, pz, o.lx, o.ly, o.lz) < Infinity) {
          diffuse[i] = 0;
          break;
        }
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
