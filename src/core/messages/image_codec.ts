/**
 * sensor_msgs/Image <-> the pipeline's packed images.
 *
 * Colour frames become packed rgb8 (RgbImage); depth frames become metres with NaN for "no
 * measurement" (DepthImage). Row padding (`step`) and byte order (`is_bigendian`) are honoured.
 * These run on every frame, so the loops index bytes directly and make no per-pixel calls.
 */
import { soleView } from './owned_bytes.js';
import { MessageError } from './errors.js';
import type { Header, Image } from './types.js';
import type { DepthImage, DepthSampler, RgbImage } from './images.js';

/**
 * Where R, G and B sit inside one pixel of each colour encoding. Greyscale repeats one byte three
 * times; mono16 keeps its most significant byte (as cv_bridge does); 8UC3 is OpenCV's BGR order.
 */
interface ColourLayout {
  bytesPerPixel: number;
  /** Byte offsets of R, G, B in a pixel; for mono16 they depend on the byte order. */
  offsets: (bigEndian: boolean) => [number, number, number];
}

// A Map, not an object: the key comes from the message, and "constructor" or "__proto__" must
// miss like any other unknown encoding.
const COLOUR_LAYOUTS: ReadonlyMap<string, ColourLayout> = new Map<string, ColourLayout>([
  ['rgb8', { bytesPerPixel: 3, offsets: () => [0, 1, 2] }],
  ['bgr8', { bytesPerPixel: 3, offsets: () => [2, 1, 0] }],
  ['8uc3', { bytesPerPixel: 3, offsets: () => [2, 1, 0] }],
  ['rgba8', { bytesPerPixel: 4, offsets: () => [0, 1, 2] }],
  ['bgra8', { bytesPerPixel: 4, offsets: () => [2, 1, 0] }],
  ['mono8', { bytesPerPixel: 1, offsets: () => [0, 0, 0] }],
  ['mono16', { bytesPerPixel: 2, offsets: (big) => (big ? [0, 0, 0] : [1, 1, 1]) }],
]);

export const COLOUR_ENCODINGS: readonly string[] = ['rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8', 'mono16', '8UC3'];
export const DEPTH_ENCODINGS: readonly string[] = ['16UC1', 'mono16', '32FC1'];

/** Checks size, step and data length; throws MessageError naming the offending field. */
function checkLayout(msg: Image, bytesPerPixel: number): void {
  for (const field of ['width', 'height'] as const) {
    const value = msg[field];
    if (!Number.isInteger(value) || value <= 0) {
      throw new MessageError('bad_size', `image ${field}: expected a positive integer, got ${value}`);
    }
  }
  const rowBytes = msg.width * bytesPerPixel;
  if (!Number.isInteger(msg.step) || msg.step < rowBytes) {
    throw new MessageError(
      'bad_step',
      `image step: expected an integer >= width * ${bytesPerPixel} = ${rowBytes} for ${msg.encoding}, got ${msg.step}`,
    );
  }
  const needed = msg.step * msg.height;
  if (msg.data.length < needed) {
    throw new MessageError(
      'short_data',
      `image data: expected at least step * height = ${needed} bytes, got ${msg.data.length}`,
    );
  }
}

function unknownEncoding(encoding: string, accepted: readonly string[]): MessageError {
  return new MessageError(
    'unknown_encoding',
    `image encoding: expected one of ${accepted.join(', ')}, got "${encoding}"`,
  );
}

export interface ColourDecodeOptions {
  /**
   * The caller owns the message and leaves its bytes alone: packed rgb8 is then returned as a view
   * of them instead of a copy (the reasoning worker, which the frames are moved to).
   */
  share?: boolean;
}

/** Decodes a colour (or greyscale) Image into packed rgb8. */
export function decodeColorImage(msg: Image, options: ColourDecodeOptions = {}): RgbImage {
  const layout = COLOUR_LAYOUTS.get(msg.encoding.toLowerCase());
  if (layout === undefined) throw unknownEncoding(msg.encoding, COLOUR_ENCODINGS);
  checkLayout(msg, layout.bytesPerPixel);

  const { width, height, step } = msg;
  const src = msg.data;
  const rowOut = width * 3;
  const [r, g, b] = layout.offsets(msg.is_bigendian !== 0);
  const threeBytes = layout.bytesPerPixel === 3;
  const swapRedBlue = r === 2; // bgr8, 8UC3
  // Already packed rgb8: one copy, so the result does not alias a buffer the caller may reuse,
  // unless the caller owns the message.
  if (threeBytes && !swapRedBlue && step === rowOut) {
    const bytes = rowOut * height;
    return { width, height, data: options.share ? src.subarray(0, bytes) : src.slice(0, bytes) };
  }
  const out = new Uint8Array(rowOut * height);
  if (threeBytes) {
    // Copy whole rows (memcpy speed), then swap R and B in place: twice as fast as a per-byte gather.
    for (let y = 0; y < height; y++) out.set(src.subarray(y * step, y * step + rowOut), y * rowOut);
    if (swapRedBlue) {
      for (let d = 0; d < out.length; d += 3) {
        const t = out[d];
        out[d] = out[d + 2];
        out[d + 2] = t;
      }
    }
    return { width, height, data: out };
  }
  const bpp = layout.bytesPerPixel;
  for (let y = 0; y < height; y++) {
    let s = y * step;
    let d = y * rowOut;
    const end = d + rowOut;
    while (d < end) {
      out[d] = src[s + r];
      out[d + 1] = src[s + g];
      out[d + 2] = src[s + b];
      s += bpp;
      d += 3;
    }
  }
  return { width, height, data: out };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Millimetres (uint16) -> metres, with 0 -> NaN; a table is twice as fast as dividing per pixel. */
let millimetreTable: Float32Array | null = null;
function millimetresToMetres(): Float32Array {
  if (millimetreTable === null) {
    millimetreTable = new Float32Array(65536);
    millimetreTable[0] = NaN;
    for (let mm = 1; mm < 65536; mm++) millimetreTable[mm] = mm / 1000;
  }
  return millimetreTable;
}

/**
 * Decodes a depth Image into metres. 16UC1/mono16 hold millimetres (0 = no return, the REP-118
 * convention); 32FC1 holds metres, where 0, negative, NaN and Inf all mean "no measurement".
 */
export function decodeDepthImage(msg: Image): DepthImage {
  const encoding = msg.encoding.toUpperCase();
  const { width, height, step } = msg;
  const bigEndian = msg.is_bigendian !== 0;
  const src = msg.data;

  if (isMillimetreDepth(encoding)) {
    checkLayout(msg, 2);
    const out = new Float32Array(width * height);
    const table = millimetresToMetres();
    // Which byte of each pair is the high one.
    const hi = bigEndian ? 0 : 1;
    const lo = 1 - hi;
    for (let y = 0; y < height; y++) {
      let s = y * step;
      let d = y * width;
      const end = d + width;
      while (d < end) {
        out[d] = table[(src[s + hi] << 8) | src[s + lo]];
        s += 2;
        d++;
      }
    }
    return { width, height, data: out };
  }

  if (encoding === '32FC1') {
    checkLayout(msg, 4);
    const out = new Float32Array(width * height);
    // Copy the rows' bytes straight into the (aligned) output, fix the byte order if it differs
    // from the host's, then blank invalid values.
    const outBytes = new Uint8Array(out.buffer);
    const rowBytes = width * 4;
    for (let y = 0; y < height; y++) outBytes.set(src.subarray(y * step, y * step + rowBytes), y * rowBytes);
    if (bigEndian === HOST_LITTLE_ENDIAN) {
      for (let i = 0; i < outBytes.length; i += 4) {
        const b0 = outBytes[i];
        const b1 = outBytes[i + 1];
        outBytes[i] = outBytes[i + 3];
        outBytes[i + 1] = outBytes[i + 2];
        outBytes[i + 2] = b1;
        outBytes[i + 3] = b0;
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = validMetres(out[i]);
    return { width, height, data: out };
  }

  throw unknownEncoding(msg.encoding, DEPTH_ENCODINGS);
}

function isMillimetreDepth(encoding: string): boolean {
  return encoding === '16UC1' || encoding === 'MONO16';
}

/** A 32FC1 value as a measurement: 0, negative, infinite and NaN (which fails both tests) -> NaN. */
function validMetres(m: number): number {
  return m > 0 && m < Infinity ? m : NaN;
}

/**
 * A depth Image read in place, pixel by pixel, with decodeDepthImage's units and conventions.
 * The layout is checked here, so a malformed image fails before any pixel is read.
 */
export function depthSampler(msg: Image): DepthSampler {
  const encoding = msg.encoding.toUpperCase();
  const { width, height, step } = msg;
  const littleEndian = msg.is_bigendian === 0;
  const view = new DataView(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
  if (isMillimetreDepth(encoding)) {
    checkLayout(msg, 2);
    const table = millimetresToMetres();
    return { width, height, metresAt: (x, y) => table[view.getUint16(y * step + x * 2, littleEndian)] };
  }
  if (encoding === '32FC1') {
    checkLayout(msg, 4);
    return { width, height, metresAt: (x, y) => validMetres(view.getFloat32(y * step + x * 4, littleEndian)) };
  }
  throw unknownEncoding(msg.encoding, DEPTH_ENCODINGS);
}

/** Wraps a packed RgbImage as an rgb8 Image message (the pixel buffer is shared, not copied). */
export function encodeRgbImage(header: Header, rgb: RgbImage): Image {
  const expected = rgb.width * rgb.height * 3;
  if (!Number.isInteger(rgb.width) || !Number.isInteger(rgb.height) || rgb.width <= 0 || rgb.height <= 0) {
    throw new MessageError('bad_size', `rgb image: expected positive integer width and height, got ${rgb.width}x${rgb.height}`);
  }
  if (rgb.data.length !== expected) {
    throw new MessageError(
      'bad_size',
      `rgb image data: expected width * height * 3 = ${expected} bytes, got ${rgb.data.length}`,
    );
  }
  return {
    header,
    height: rgb.height,
    width: rgb.width,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: rgb.width * 3,
    data: soleView(rgb.data),
  };
}

/**
 * Encodes metric depth as a little-endian Image: 32FC1 metres (NaN kept), or 16UC1 millimetres
 * (NaN -> 0, clamped to 65535 mm). Used by the simulation and replay front ends.
 */
export function encodeDepthImage(header: Header, depth: DepthImage, encoding: '32FC1' | '16UC1' = '32FC1'): Image {
  const count = depth.width * depth.height;
  if (depth.data.length !== count) {
    throw new MessageError('bad_size', `depth image data: expected width * height = ${count} values, got ${depth.data.length}`);
  }
  const bytesPerPixel = encoding === '32FC1' ? 4 : 2;
  const data = new Uint8Array(count * bytesPerPixel);
  const view = new DataView(data.buffer);
  for (let i = 0; i < count; i++) {
    const m = depth.data[i];
    if (bytesPerPixel === 4) {
      view.setFloat32(i * 4, m, true);
    } else {
      const mm = Number.isFinite(m) && m > 0 ? Math.min(65535, Math.round(m * 1000)) : 0;
      view.setUint16(i * 2, mm, true);
    }
  }
  return {
    header,
    height: depth.height,
    width: depth.width,
    encoding,
    is_bigendian: 0,
    step: depth.width * bytesPerPixel,
    data,
  };
}
