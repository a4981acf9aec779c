/**
 * Image preprocessing: an RGB frame to the model's input tensor (CHW float32, normalised).
 *
 * When the frame is the input size times whole numbers (640x480 or 1280x720 to 160x120), the
 * resize is an average over blocks of pixels, done in the same pass as the normalisation by a
 * WebAssembly kernel (area_average.ts): no call into libvips, whose fixed cost per call (about
 * 0.7 ms) would be most of the work. Other sizes go through libvips.
 */
import sharp from 'sharp';
import type { InputSpec } from '../core/model/manifest.js';
import type { RgbImage } from '../core/model/types.js';
import { areaAverage } from './area_average.js';
import { areaResize } from './area_resize.js';

/**
 * Resizes `rgb` to the manifest's input size (stretching, as MolmoAct does: no crop, no padding)
 * and normalises each channel: x = (v / 255 - mean) / std, laid out CHW. The result is written
 * into `out` when it is given (3 x width x height values): a step then allocates no input tensor.
 */
export async function preprocessImage(rgb: RgbImage, input: InputSpec, out?: Float32Array): Promise<Float32Array> {
  checkImage(rgb);
  if (shrinksByBlocks(rgb, input)) return blockAverageChw(rgb, input, out);
  const resized = await resizeRgb(rgb, input.width, input.height);
  return toNormalisedChw(resized, input, out);
}

/** Whether preprocessing shrinks `rgb` to `size` by block means (whole factors) rather than through libvips. */
function shrinksByBlocks(rgb: RgbImage, size: { width: number; height: number }): boolean {
  return rgb.width % size.width === 0 && rgb.height % size.height === 0;
}

/**
 * The frame at `width` x `height` as packed 8-bit RGB, resized the way preprocessImage resizes it:
 * block means for whole factors (an area resize, each mean rounded to a byte), libvips otherwise.
 * Training images written with it are what the node feeds the model, up to that rounding.
 */
export async function resizeAsPreprocessed(rgb: RgbImage, width: number, height: number): Promise<Uint8Array> {
  checkImage(rgb);
  if (shrinksByBlocks(rgb, { width, height })) return areaResize(rgb, { width, height }).data;
  return resizeRgb(rgb, width, height);
}

/** `out` when given (it must hold exactly a CHW image of `input`'s size), else a new array. */
function outputTensor(input: InputSpec, out: Float32Array | undefined): Float32Array {
  const values = input.width * input.height * 3;
  if (out === undefined) return new Float32Array(values);
  if (out.length !== values) throw new Error(`preprocess: the output has ${out.length} values, the input tensor ${values}`);
  return out;
}

/**
 * Shrinks by whole factors (fx = width / input width, fy likewise), each output pixel the mean
 * of its fx x fy block, and normalises: CHW float32, x = (mean / 255 - mean_c) / std_c. The
 * WebAssembly kernel does it where it can (area_average.ts); `useKernel` false, or a frame beyond
 * the kernel's limits, takes the TypeScript loop, which gives the same values.
 */
export function blockAverageChw(rgb: RgbImage, input: InputSpec, into?: Float32Array, useKernel = true): Float32Array {
  const { width: w, height: h } = input;
  const fx = rgb.width / w;
  const fy = rgb.height / h;
  if (!Number.isInteger(fx) || !Number.isInteger(fy) || fx < 1 || fy < 1) {
    throw new Error(`block average: ${rgb.width}x${rgb.height} is not a whole multiple of ${w}x${h}`);
  }
  const out = outputTensor(input, into);
  // x = (sum / (fx fy) / 255 - mean) / std = sum * scale + offset
  const scale = [0, 1, 2].map((c) => 1 / (255 * input.std[c] * fx * fy));
  const offset = [0, 1, 2].map((c) => -input.mean[c] / input.std[c]);
  if (!(useKernel && areaAverage(rgb, fx, fy, scale, offset, out))) blockAverageByBytes(rgb, w, h, fx, fy, scale, offset, out);
  return out;
}

/** The block means of blockAverageChw, one byte at a time. */
function blockAverageByBytes(
  rgb: RgbImage,
  w: number,
  h: number,
  fx: number,
  fy: number,
  scale: readonly number[],
  offset: readonly number[],
  out: Float32Array,
): void {
  const plane = w * h;
  const src = rgb.data;
  const rowBytes = rgb.width * 3;
  for (let oy = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < fy; dy++) {
        let p = (oy * fy + dy) * rowBytes + ox * fx * 3;
        for (let dx = 0; dx < fx; dx++, p += 3) {
          r += src[p];
          g += src[p + 1];
          b += src[p + 2];
        }
      }
      const i = oy * w + ox;
      out[i] = r * scale[0] + offset[0];
      out[plane + i] = g * scale[1] + offset[1];
      out[2 * plane + i] = b * scale[2] + offset[2];
    }
  }
}

/** Resizes a packed RGB image; returns its pixels unchanged when it already has the size. */
export async function resizeRgb(rgb: RgbImage, width: number, height: number): Promise<Uint8Array> {
  if (rgb.width === width && rgb.height === height) return rgb.data;
  // 'linear' is the fastest kernel that still averages over the whole footprint when shrinking
  // (libvips widens the kernel by the reduction factor), so it does not alias like 'nearest'
  // and behaves like the area resize MolmoAct applies. On 640x480 -> 224x224 it costs ~0.85 ms
  // against ~1.3 ms for the default lanczos3, whose extra sharpness a network does not need.
  const out = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (out.info.channels !== 3 || out.info.width !== width || out.info.height !== height) {
    throw new Error(`resize gave ${out.info.width}x${out.info.height}x${out.info.channels}, expected ${width}x${height}x3`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/** HWC uint8 -> CHW float32, normalised per channel through a 256-entry table per channel. */
export function toNormalisedChw(hwc: Uint8Array, input: InputSpec, into?: Float32Array): Float32Array {
  const plane = input.width * input.height;
  if (hwc.length !== plane * 3) throw new Error(`expected ${plane * 3} bytes of RGB, got ${hwc.length}`);
  const out = outputTensor(input, into);
  for (let c = 0; c < 3; c++) {
    const table = channelTable(input.mean[c], input.std[c]);
    const base = c * plane;
    for (let i = 0, j = c; i < plane; i++, j += 3) out[base + i] = table[hwc[j]];
  }
  return out;
}

function channelTable(mean: number, std: number): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean) / std;
  return table;
}

function checkImage(rgb: RgbImage): void {
  if (!Number.isInteger(rgb.width) || !Number.isInteger(rgb.height) || rgb.width < 1 || rgb.height < 1) {
    throw new Error(`image size must be positive integers, got ${rgb.width}x${rgb.height}`);
  }
  if (rgb.data.length !== rgb.width * rgb.height * 3) {
    throw new Error(`a ${rgb.width}x${rgb.height} RGB image has ${rgb.width * rgb.height * 3} bytes, got ${rgb.data.length}`);
  }
}
