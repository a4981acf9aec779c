/**
 * Scene objects as the ray caster's inner loops use them: each object mapped into the camera
 * frame once per frame, with the pixel rectangle that can see it, and exact analytic ray
 * intersections with boxes, cylinders, spheres and capsules in the object's own frame.
 */
import { compose, invert, type Transform } from '../../core/kinematics/transform.js';
import type { PinholeCamera } from '../../core/messages/camera_model.js';

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

export const KIND_BOX = 0;
const KIND_CYLINDER = 1;
const KIND_SPHERE = 2;
const KIND_CAPSULE = 3;

/** Nearest accepted hit along a ray, in units of the ray's direction (camera z for primary rays). */
export const MIN_T = 1e-9;
/** Bounds closer to the camera plane than this fall back to the whole image. */
const NEAR_Z = 1e-6;

/** An object as the inner loops use it, all in plain numbers. */
export interface Prepared {
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
export const hitNormal = new Float64Array(3);

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

export function hitObject(o: Prepared, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): number {
  switch (o.kind) {
    case KIND_BOX: return hitBox(o.p0, o.p1, o.p2, ox, oy, oz, dx, dy, dz);
    case KIND_CYLINDER: return hitCylinder(o.p0, o.p1, ox, oy, oz, dx, dy, dz);
    case KIND_SPHERE: return hitSphere(o.p0, ox, oy, oz, dx, dy, dz);
    default: return hitCapsule(o.p0, o.p1, ox, oy, oz, dx, dy, dz);
  }
}

export function positive(value: number, what: string): number {
  if (!(value > 0 && value < Infinity)) throw new RangeError(`${what}: expected a finite number > 0, got ${value}`);
  return value;
}

export function checkTransform(t: Transform, what: string): void {
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

export function prepare(
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
export interface FrameBuffers {
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
