/**
 * The WebAssembly kernel of preprocessing (area_average.wat, compiled at build time): block means
 * over whole factors fused with normalisation, sixteen bytes at a time. It exists because neither
 * libvips (about 0.7 ms of fixed cost per call) nor a TypeScript loop (one value at a time) comes
 * near the cost of reading the frame once. Each thread has its own instance, whose memory is kept
 * from call to call: the frame is copied in (a memcpy) and the tensor copied out.
 */
import { readFileSync } from 'node:fs';
import type { RgbImage } from '../core/model/types.js';

// Node.js has the WebAssembly global; TypeScript declares it only in its DOM libraries, so the
// little used here is declared here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
};

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  area_average(
    src: number,
    width: number,
    height: number,
    fx: number,
    fy: number,
    acc: number,
    out: number,
    scaleR: number,
    scaleG: number,
    scaleB: number,
    offsetR: number,
    offsetG: number,
    offsetB: number,
  ): void;
}

/** Larger frames (4K is 25 MB) are left to the caller's fallback rather than held in memory. */
const MAX_FRAME_BYTES = 64 * 2 ** 20;
/** The kernel's column sums are 16-bit: up to 257 rows of bytes. */
const MAX_ROWS_PER_BLOCK = 257;
const PAGE_BYTES = 65536;

/** The instance; null once loading failed (the module missing from a build, no SIMD). */
let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel === undefined) {
    try {
      const bytes = readFileSync(new URL('./area_average.wasm', import.meta.url));
      kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Kernel;
    } catch {
      kernel = null;
    }
  }
  return kernel;
}

/** Whether the kernel can be used in this thread. */
export function areaAverageAvailable(): boolean {
  return loadKernel() !== null;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * Writes into `out` (CHW, 3 planes of (width / fx) x (height / fy)) each channel's block sum times
 * scale[c] plus offset[c]. Returns false, writing nothing, when the kernel is unavailable or the
 * frame is beyond its limits; the caller then computes the same values itself.
 */
export function areaAverage(
  rgb: RgbImage,
  fx: number,
  fy: number,
  scale: readonly number[],
  offset: readonly number[],
  out: Float32Array,
): boolean {
  const k = loadKernel();
  const srcBytes = rgb.width * rgb.height * 3;
  if (k === null || srcBytes > MAX_FRAME_BYTES || fy > MAX_ROWS_PER_BLOCK) return false;
  const accAt = 0;
  const srcAt = align16(rgb.width * 3 * 2);
  const outAt = align16(srcAt + srcBytes);
  const needed = outAt + out.length * 4;
  const pages = Math.ceil(needed / PAGE_BYTES) - k.memory.buffer.byteLength / PAGE_BYTES;
  if (pages > 0) k.memory.grow(pages);
  new Uint8Array(k.memory.buffer, srcAt, srcBytes).set(rgb.data.subarray(0, srcBytes));
  k.area_average(srcAt, rgb.width, rgb.height, fx, fy, accAt, outAt, scale[0], scale[1], scale[2], offset[0], offset[1], offset[2]);
  out.set(new Float32Array(k.memory.buffer, outAt, out.length));
  return true;
}
