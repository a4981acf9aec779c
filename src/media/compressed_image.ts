/**
 * sensor_msgs/CompressedImage (JPEG or PNG) -> packed rgb8, through sharp.
 *
 * image_transport's `compressed` plugin writes `format` as "<source encoding>; <codec> compressed
 * <encoded encoding>", e.g. "rgb8; jpeg compressed bgr8"; older publishers write just "jpeg" or
 * "png". Either way the payload is an ordinary JPEG/PNG file whose colours are already in the usual
 * order (OpenCV swaps BGR while encoding), so no channel swap is needed here. The
 * `compressedDepth` transport (16-bit depth behind a custom header) is not colour and is rejected.
 */
import sharp from 'sharp';
import { MessageError } from '../core/messages/errors.js';
import type { CompressedImage } from '../core/messages/types.js';
import type { RgbImage } from '../core/messages/images.js';

export type CompressedCodec = 'jpeg' | 'png';

/** The codec that `format` names; an empty format means "look at the payload". */
export function codecFromFormat(format: string): CompressedCodec | null {
  const f = format.toLowerCase();
  if (f.includes('compresseddepth')) {
    throw new MessageError('unsupported_format', `compressed image format: "${format}" is depth (compressedDepth), expected a colour jpeg or png`);
  }
  if (/\bjpe?g\b/.test(f)) return 'jpeg';
  if (/\bpng\b/.test(f)) return 'png';
  if (f.trim() === '') return null;
  throw new MessageError('unsupported_format', `compressed image format: expected jpeg or png, got "${format}"`);
}

/** The codec that the payload's magic bytes announce. */
function sniffCodec(data: Uint8Array): CompressedCodec | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'png';
  return null;
}

/**
 * Most pixels a compressed image may decode to when nothing says how large it should be (a 4K
 * camera has 8.3 million). A small PNG can expand to gigabytes; the decoder reads the size from
 * the header and refuses before it allocates anything.
 */
export const MAX_DECODED_PIXELS = 4096 * 4096;

/**
 * Decodes to packed rgb8. `maxPixels`: the most pixels the image may have (its camera_info's
 * width x height where known); a larger one is refused before it is decoded.
 */
export async function decodeCompressedImage(msg: CompressedImage, maxPixels = MAX_DECODED_PIXELS): Promise<RgbImage> {
  const declared = codecFromFormat(msg.format);
  const actual = sniffCodec(msg.data);
  if (actual === null || (declared !== null && declared !== actual)) {
    throw new MessageError(
      'bad_compressed',
      `compressed image data: expected a ${declared ?? 'jpeg or png'} payload, got ${msg.data.length} bytes starting ` +
        `${Buffer.from(msg.data.subarray(0, 4)).toString('hex') || '(empty)'}`,
    );
  }
  const input = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
  try {
    // sRGB at 8 bits, alpha dropped: greyscale becomes three equal channels, 16-bit PNG is reduced.
    const { data, info } = await sharp(input, { limitInputPixels: Math.max(1, Math.min(maxPixels, MAX_DECODED_PIXELS)) })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`decoder produced ${info.channels} channels, ${data.length} bytes for ${info.width}x${info.height}`);
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(reason)) {
      throw new MessageError('too_large', `compressed image data: the ${actual} payload is larger than ${maxPixels} pixels (its camera_info's size), refused before decoding`, { cause: err });
    }
    throw new MessageError('bad_compressed', `compressed image data: could not decode the ${actual} payload (${reason.trim()})`, { cause: err });
  }
}
