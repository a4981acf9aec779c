/**
 * Hard shadows for the ray caster: occluders binned on a grid over a plane across the directional
 * light, so a shadow ray from a lit pixel tests only the objects in its cell.
 */
import { hitObject, type FrameBuffers, type Prepared } from './render_geometry.js';

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
export function buildShadowGrid(prepared: readonly Prepared[], light: [number, number, number]): ShadowGrid | null {
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
export function castShadows(grid: ShadowGrid, worldFromCamera: Float64Array, frame: FrameBuffers): void {
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
