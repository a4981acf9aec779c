import { expect } from 'chai';
import { tabletopFrame } from './support/tabletop_frame.js';
import sharp from 'sharp';
import { codecFromFormat, decodeCompressedImage } from '../src/media/compressed_image.js';
import { MessageError } from '../src/core/messages/errors.js';
import type { CompressedImage } from '../src/core/messages/types.js';
import type { RgbImage } from '../src/core/model/types.js';


function compressed(format: string, data: Uint8Array): CompressedImage {
  return { header: { stamp: { sec: 1, nanosec: 2 }, frame_id: 'camera_color_optical_frame' }, format, data };
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, it resolved');
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).to.equal(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('messages/compressed_image', () => {
  let frame: RgbImage;
  let jpeg: Buffer;
  const raw = () => ({ raw: { width: frame.width, height: frame.height, channels: 3 as const } });

  before(async () => {
    frame = tabletopFrame();
    jpeg = await sharp(frame.data, raw()).jpeg({ quality: 92 }).toBuffer();
  });

  it('decodes a JPEG written as image_transport writes it to approximately the original pixels', async () => {
    const out = await decodeCompressedImage(compressed('rgb8; jpeg compressed bgr8', jpeg));
    expect([out.width, out.height]).to.deep.equal([640, 480]);
    expect(out.data.length).to.equal(640 * 480 * 3);
    expect(meanAbsDiff(out.data, frame.data)).to.be.below(3);
  });

  it('decodes a PNG exactly, for the old plain format string too', async () => {
    const png = await sharp(frame.data, raw()).png().toBuffer();
    for (const format of ['bgr8; png compressed bgr8', 'png']) {
      const out = await decodeCompressedImage(compressed(format, png));
      expect(Buffer.from(out.data).equals(Buffer.from(frame.data)), format).to.equal(true);
    }
  });

  it('recognises the payload when format is empty', async () => {
    const out = await decodeCompressedImage(compressed('', jpeg));
    expect(meanAbsDiff(out.data, frame.data)).to.be.below(3);
  });

  it('drops alpha from an RGBA PNG and keeps the colour', async () => {
    const rgba = await sharp(frame.data, raw()).ensureAlpha(0.5).png().toBuffer();
    expect((await sharp(rgba).metadata()).channels).to.equal(4);
    const out = await decodeCompressedImage(compressed('rgba8; png compressed rgba8', rgba));
    expect(Buffer.from(out.data).equals(Buffer.from(frame.data))).to.equal(true);
  });

  it('expands a greyscale JPEG to three equal channels', async () => {
    const grey = await sharp(frame.data, raw()).toColourspace('b-w').jpeg().toBuffer();
    expect((await sharp(grey).metadata()).channels).to.equal(1);
    const out = await decodeCompressedImage(compressed('mono8; jpeg compressed mono8', grey));
    expect(out.data.length).to.equal(640 * 480 * 3);
    for (let i = 0; i < out.data.length; i += 3 * 997) {
      expect(out.data[i + 1]).to.equal(out.data[i]);
      expect(out.data[i + 2]).to.equal(out.data[i]);
    }
  });

  it('reduces a 16-bit PNG to 8 bits per channel', async () => {
    const png16 = await sharp(frame.data, raw()).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).to.equal('ushort');
    const out = await decodeCompressedImage(compressed('png', png16));
    expect(meanAbsDiff(out.data, frame.data)).to.be.below(1);
  });

  it('turns a truncated JPEG into bad_compressed, wrapping the decoder message', async () => {
    const err = await rejection(decodeCompressedImage(compressed('jpeg', jpeg.subarray(0, jpeg.length >> 1))));
    expect(err).to.be.instanceOf(MessageError);
    expect((err as MessageError).code).to.equal('bad_compressed');
    expect((err as MessageError).message).to.match(/could not decode the jpeg payload \(.*JPEG/i);
    expect((err as MessageError).cause).to.be.instanceOf(Error);
  });

  it('turns bytes that are not an image, and a payload of the wrong codec, into bad_compressed', async () => {
    const junk = await rejection(decodeCompressedImage(compressed('jpeg', new Uint8Array([1, 2, 3, 4, 5]))));
    expect(junk).to.be.instanceOf(MessageError).with.property('code', 'bad_compressed');
    expect((junk as Error).message).to.contain('starting 01020304');
    const empty = await rejection(decodeCompressedImage(compressed('png', new Uint8Array(0))));
    expect(empty).to.be.instanceOf(MessageError).with.property('code', 'bad_compressed');
    const mismatch = await rejection(decodeCompressedImage(compressed('png', jpeg)));
    expect(mismatch).to.be.instanceOf(MessageError).with.property('code', 'bad_compressed');
    expect((mismatch as Error).message).to.contain('expected a png payload');
  });

  it('refuses a small PNG that expands past its camera size before decoding it', async () => {
    // 8192 x 8192 of one colour compresses to a few hundred kilobytes and would decode to 201 MB.
    const bomb = await sharp({ create: { width: 8192, height: 8192, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).to.be.below(2 * 2 ** 20);
    const error = await rejection(decodeCompressedImage(compressed('png', bomb), 640 * 480));
    expect(error).to.be.instanceOf(MessageError).with.property('code', 'too_large');
    expect((error as Error).message).to.match(/larger than 307200 pixels/);
    // Without a camera size, the package's own bound holds.
    expect(await rejection(decodeCompressedImage(compressed('png', bomb)))).to.have.property('code', 'too_large');
    // An image of its camera's size decodes.
    const small = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 9, g: 8, b: 7 } } }).png().toBuffer();
    expect((await decodeCompressedImage(compressed('png', small), 64 * 48)).width).to.equal(64);
  });

  it('rejects compressedDepth and unknown formats as unsupported_format', async () => {
    const depth = await rejection(decodeCompressedImage(compressed('16UC1; compressedDepth png', jpeg)));
    expect(depth).to.be.instanceOf(MessageError).with.property('code', 'unsupported_format');
    const tiff = await rejection(decodeCompressedImage(compressed('tiff', jpeg)));
    expect(tiff).to.be.instanceOf(MessageError).with.property('code', 'unsupported_format');
    expect((tiff as Error).message).to.contain('got "tiff"');
  });

  it('reads the codec out of format strings', () => {
    expect(codecFromFormat('jpeg')).to.equal('jpeg');
    expect(codecFromFormat('JPG')).to.equal('jpeg');
    expect(codecFromFormat('bgr8; jpeg compressed bgr8')).to.equal('jpeg');
    expect(codecFromFormat('rgb8; png compressed rgb8')).to.equal('png');
    expect(codecFromFormat('  ')).to.equal(null);
  });
});
