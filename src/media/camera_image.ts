/**
 * A camera image as a remote model takes it: turned, centre-cropped and resized per the
 * manifest's camera entry; a person's trace drawn onto it for steering; encoded for the request.
 * Also the geometry between the model's image and the camera frame, so that a trace the model
 * writes over its (cropped, turned) image lands on the right pixels of the frame, and a trace
 * drawn over the frame lands on the right pixels of the model's image.
 */
import sharp from 'sharp';
import { areaResize } from './area_resize.js';
import { storedPngLength, writeStoredPng } from './png_stored.js';
import { base64Length, writeBase64, type ScratchBuffers } from './base64.js';
import type { CameraSpec } from '../core/model/manifest.js';
import type { RgbImage, TracePoints } from '../core/model/types.js';

/** Where the model's image lies in the frame. */
export class CameraGeometry {
  readonly cropWidth: number;
  readonly cropHeight: number;
  readonly left: number;
  readonly top: number;

  constructor(
    readonly camera: CameraSpec,
    readonly frameWidth: number,
    readonly frameHeight: number,
  ) {
    const side = Math.sqrt(camera.cropArea);
    // As upstream's centre crop: int(w * sqrt(area)), offsets (w - cw) // 2.
    this.cropWidth = Math.max(1, Math.floor(frameWidth * side + 1e-9));
    this.cropHeight = Math.max(1, Math.floor(frameHeight * side + 1e-9));
    this.left = Math.floor((frameWidth - this.cropWidth) / 2);
    this.top = Math.floor((frameHeight - this.cropHeight) / 2);
  }

  /** A trace over the model's image ([0, 255] each way) -> the same points over the frame. */
  toFrame(trace: TracePoints): TracePoints {
    const axis = (t: number, crop: number, offset: number, frame: number): number => {
      const pixel = offset + (t * (crop - 1)) / 255;
      return this.turn(frame > 1 ? (pixel * 255) / (frame - 1) : 0);
    };
    return {
      x: trace.x.map((t) => axis(t, this.cropWidth, this.left, this.frameWidth)),
      y: trace.y.map((t) => axis(t, this.cropHeight, this.top, this.frameHeight)),
    };
  }

  /** A trace over the frame -> over the model's image, clamped to [0, 255]. */
  toModel(trace: TracePoints): TracePoints {
    const axis = (t: number, crop: number, offset: number, frame: number): number => {
      const pixel = (this.turn(t) * (frame - 1)) / 255 - offset;
      return Math.min(255, Math.max(0, crop > 1 ? (pixel * 255) / (crop - 1) : 0));
    };
    return {
      x: trace.x.map((t) => axis(t, this.cropWidth, this.left, this.frameWidth)),
      y: trace.y.map((t) => axis(t, this.cropHeight, this.top, this.frameHeight)),
    };
  }

  /** Turning the image by 180 degrees mirrors both axes; the crop is taken from the turned image. */
  private turn(t: number): number {
    return this.camera.rotate180 ? 255 - t : t;
  }
}

/**
 * The image the model takes from one camera frame, as raw RGB (a new buffer; the frame is left as
 * it is): turned, cropped and shrunk by pixel-area averaging (OpenCV's INTER_AREA, as MolmoAct's
 * SimplerEnv client shrinks its frames). A frame smaller than the model's image on an axis is
 * enlarged by libvips instead (bilinear). `out`, when given, receives the shrunk image.
 */
export async function prepareCameraImage(rgb: RgbImage, camera: CameraSpec, out?: Uint8Array): Promise<RgbImage> {
  const g = new CameraGeometry(camera, rgb.width, rgb.height);
  const crop = { left: g.left, top: g.top, width: g.cropWidth, height: g.cropHeight };
  if (camera.width <= crop.width && camera.height <= crop.height) {
    return areaResize(rgb, { width: camera.width, height: camera.height, crop, rotate180: camera.rotate180 }, out);
  }
  let image = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
  if (camera.rotate180) image = image.rotate(180);
  if (crop.width !== rgb.width || crop.height !== rgb.height) image = image.extract(crop);
  image = image.resize(camera.width, camera.height, { fit: 'fill', kernel: 'linear' });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`camera ${camera.name}: the prepared image has ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export interface TraceLine {
  width: number;
  color: [number, number, number];
}

/** An encoded image for a request: its MIME type and its base64 (bytes of ASCII). */
export interface EncodedImage {
  mime: string;
  base64: Buffer;
}

/**
 * The image the model takes from one camera frame (prepareCameraImage), encoded: PNG (lossless,
 * stored without compression: about 80 KB more on the wire than a compressed one, and
 * milliseconds less on the robot computer) or JPEG (quality 95). With `trace` (points in
 * [0, 255] over the model's image), the trace is drawn as MolmoAct's training annotated its
 * images: a polyline through the points scaled by (size - 1) / 255 and rounded, anti-aliased, in
 * the given colour and width, without point markers (olmo/data/image_preprocessor.py load_image).
 *
 * The result lives in `scratch` under `key` until the next call with that key.
 */
export async function encodeCameraImage(
  rgb: RgbImage,
  camera: CameraSpec,
  format: 'png' | 'jpeg',
  scratch: ScratchBuffers,
  key: string,
  overlay?: { trace: TracePoints; line: TraceLine },
): Promise<EncodedImage> {
  const prepared = await prepareCameraImage(rgb, camera, scratch.get(`${key}:pixels`, camera.width * camera.height * 3));
  const drawn = overlay && overlay.trace.x.length >= 2;
  let encoded: Uint8Array;
  if (format === 'png' && !drawn) {
    const png = scratch.get(`${key}:png`, storedPngLength(prepared.width, prepared.height));
    encoded = png.subarray(0, writeStoredPng(prepared, png));
  } else {
    let image = sharp(prepared.data, { raw: { width: prepared.width, height: prepared.height, channels: 3 } });
    if (drawn) image = image.composite([{ input: Buffer.from(traceSvg(prepared.width, prepared.height, overlay.trace, overlay.line)), top: 0, left: 0 }]);
    encoded = format === 'png' ? await image.png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer() : await image.jpeg({ quality: 95 }).toBuffer();
  }
  const base64 = scratch.get(`${key}:base64`, base64Length(encoded.length));
  return { mime: `image/${format}`, base64: base64.subarray(0, writeBase64(encoded, base64, 0)) };
}

function traceSvg(width: number, height: number, trace: TracePoints, line: TraceLine): string {
  const px = (t: number, size: number) => Math.min(size - 1, Math.max(0, Math.round((t * (size - 1)) / 255)));
  const points = trace.x.map((x, i) => `${px(x, width)},${px(trace.y[i], height)}`).join(' ');
  const [r, g, b] = line.color;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<polyline points="${points}" fill="none" stroke="rgb(${r},${g},${b})" stroke-width="${line.width}" ` +
    'stroke-linecap="round" stroke-linejoin="round"/></svg>'
  );
}
