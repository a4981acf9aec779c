import { expect } from 'chai';
import { tabletopFrame } from './support/tabletop_frame.js';
import { MessageError } from '../src/core/messages/errors.js';
import {
  decodeColorImage,
  decodeDepthImage,
  depthSampler,
  encodeDepthImage,
  encodeRgbImage,
} from '../src/core/messages/image_codec.js';
import type { Header, Image } from '../src/core/messages/types.js';
import type { DepthImage, RgbImage } from '../src/core/model/types.js';

const header: Header = { stamp: { sec: 12, nanosec: 34 }, frame_id: 'camera_color_optical_frame' };

function image(encoding: string, width: number, height: number, step: number, data: Uint8Array, bigEndian = 0): Image {
  return { header, width, height, encoding, is_bigendian: bigEndian, step, data };
}

/** Re-lays out packed pixels (bpp bytes each) with `pad` bytes of 0xEE after each row. */
function pad(packed: Uint8Array, width: number, height: number, bpp: number, padBytes: number): Uint8Array {
  const row = width * bpp;
  const out = new Uint8Array((row + padBytes) * height).fill(0xee);
  for (let y = 0; y < height; y++) out.set(packed.subarray(y * row, (y + 1) * row), y * (row + padBytes));
  return out;
}

/** Packs the reference frame into a given channel order, e.g. [2, 1, 0, -1] = B, G, R, alpha 255. */
function reorder(rgb: RgbImage, order: number[]): Uint8Array {
  const n = rgb.width * rgb.height;
  const out = new Uint8Array(n * order.length);
  for (let i = 0; i < n; i++) {
    order.forEach((c, k) => {
      out[i * order.length + k] = c < 0 ? 255 : rgb.data[i * 3 + c];
    });
  }
  return out;
}

describe('messages/image_codec: colour', () => {
  let frame: RgbImage;

  before(async () => {
    frame = tabletopFrame();
  });

  const w = () => frame.width;
  const h = () => frame.height;

  it('returns packed rgb8 as a view of the message when the caller owns it (share), without a copy', () => {
    const msg = image('rgb8', w(), h(), w() * 3, frame.data.slice());
    const out = decodeColorImage(msg, { share: true });
    expect(out.data.buffer).to.equal(msg.data.buffer);
    expect(Buffer.from(out.data).equals(Buffer.from(frame.data))).to.equal(true);
    // Layouts that must be converted are converted whatever share says.
    const bgr = decodeColorImage(image('bgr8', w(), h(), w() * 3, reorder(frame, [2, 1, 0])), { share: true });
    expect(Buffer.from(bgr.data).equals(Buffer.from(frame.data))).to.equal(true);
  });

  it('decodes packed rgb8 to an equal copy that does not alias the message', () => {
    const msg = image('rgb8', w(), h(), w() * 3, frame.data.slice());
    const out = decodeColorImage(msg);
    expect(out.width).to.equal(640);
    expect(out.height).to.equal(480);
    expect(Buffer.from(out.data).equals(Buffer.from(frame.data))).to.equal(true);
    msg.data[0] ^= 0xff;
    expect(out.data[0]).to.equal(frame.data[0]);
  });

  for (const [encoding, order] of [
    ['bgr8', [2, 1, 0]],
    ['8UC3', [2, 1, 0]],
    ['rgba8', [0, 1, 2, -1]],
    ['bgra8', [2, 1, 0, -1]],
  ] as const) {
    it(`decodes ${encoding}, packed and with padded rows, to the same rgb pixels`, () => {
      const bpp = order.length;
      const packed = reorder(frame, [...order]);
      const fromPacked = decodeColorImage(image(encoding, w(), h(), w() * bpp, packed));
      const fromPadded = decodeColorImage(image(encoding, w(), h(), w() * bpp + 7, pad(packed, w(), h(), bpp, 7)));
      expect(Buffer.from(fromPacked.data).equals(Buffer.from(frame.data))).to.equal(true);
      expect(Buffer.from(fromPadded.data).equals(Buffer.from(frame.data))).to.equal(true);
    });
  }

  it('decodes rgb8 with padded rows', () => {
    const out = decodeColorImage(image('rgb8', w(), h(), w() * 3 + 4, pad(frame.data, w(), h(), 3, 4)));
    expect(Buffer.from(out.data).equals(Buffer.from(frame.data))).to.equal(true);
  });

  it('expands mono8 to three equal channels, honouring step', () => {
    const grey = new Uint8Array([0, 50, 100, 0xee, 150, 200, 250, 0xee]);
    const out = decodeColorImage(image('mono8', 3, 2, 4, grey));
    expect(Array.from(out.data)).to.deep.equal([0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200, 200, 200, 250, 250, 250]);
  });

  it('reduces mono16 to its high byte in both byte orders', () => {
    // Values 0x1234 and 0xABCD.
    const little = decodeColorImage(image('mono16', 2, 1, 4, new Uint8Array([0x34, 0x12, 0xcd, 0xab]), 0));
    const big = decodeColorImage(image('mono16', 2, 1, 4, new Uint8Array([0x12, 0x34, 0xab, 0xcd]), 1));
    expect(Array.from(little.data)).to.deep.equal([0x12, 0x12, 0x12, 0xab, 0xab, 0xab]);
    expect(Array.from(big.data)).to.deep.equal(Array.from(little.data));
  });

  it('rejects an unknown encoding, naming it and the accepted ones', () => {
    expect(() => decodeColorImage(image('yuv422', 2, 2, 4, new Uint8Array(8))))
      .to.throw(MessageError, /expected one of rgb8, bgr8.*got "yuv422"/)
      .with.property('code', 'unknown_encoding');
    expect(() => decodeColorImage(image('32FC1', 2, 2, 8, new Uint8Array(16)))).to.throw(MessageError).with.property('code', 'unknown_encoding');
  });

  it('takes names of JavaScript object properties for the unknown encodings they are', () => {
    for (const encoding of ['constructor', '__proto__', '__PROTO__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(() => decodeColorImage(image(encoding, 2, 2, 6, new Uint8Array(12))), encoding)
        .to.throw(MessageError)
        .with.property('code', 'unknown_encoding');
      expect(() => decodeDepthImage(image(encoding, 2, 2, 4, new Uint8Array(8))), encoding)
        .to.throw(MessageError)
        .with.property('code', 'unknown_encoding');
    }
  });

  it('rejects data shorter than step * height', () => {
    expect(() => decodeColorImage(image('bgr8', 4, 3, 12, new Uint8Array(35))))
      .to.throw(MessageError, /step \* height = 36 bytes, got 35/)
      .with.property('code', 'short_data');
  });

  it('rejects a step smaller than one row, or not an integer', () => {
    expect(() => decodeColorImage(image('rgba8', 4, 3, 15, new Uint8Array(64))))
      .to.throw(MessageError, /width \* 4 = 16 .*got 15/)
      .with.property('code', 'bad_step');
    expect(() => decodeColorImage(image('rgb8', 4, 3, 12.5, new Uint8Array(64)))).to.throw(MessageError).with.property('code', 'bad_step');
  });

  it('rejects zero, negative and fractional sizes', () => {
    expect(() => decodeColorImage(image('rgb8', 0, 3, 0, new Uint8Array(0))))
      .to.throw(MessageError, /width: expected a positive integer, got 0/)
      .with.property('code', 'bad_size');
    expect(() => decodeColorImage(image('rgb8', 2, -1, 6, new Uint8Array(6)))).to.throw(MessageError, /height/).with.property('code', 'bad_size');
    expect(() => decodeColorImage(image('rgb8', 2.5, 1, 9, new Uint8Array(9)))).to.throw(MessageError).with.property('code', 'bad_size');
  });

  it('encodes an RgbImage as a packed rgb8 message that decodes back', () => {
    const msg = encodeRgbImage(header, frame);
    expect(msg).to.include({ encoding: 'rgb8', width: 640, height: 480, step: 1920, is_bigendian: 0 });
    expect(msg.header).to.equal(header);
    expect(Buffer.from(decodeColorImage(msg).data).equals(Buffer.from(frame.data))).to.equal(true);
  });

  it('refuses to encode an RgbImage whose buffer does not match its size', () => {
    expect(() => encodeRgbImage(header, { width: 4, height: 4, data: new Uint8Array(47) }))
      .to.throw(MessageError, /48 bytes, got 47/)
      .with.property('code', 'bad_size');
  });
});

/** Every pixel of a depth message read through depthSampler, in the layout decodeDepthImage gives. */
function sampleEveryPixel(msg: Image): DepthImage {
  const sampler = depthSampler(msg);
  const data = new Float32Array(sampler.width * sampler.height);
  for (let y = 0; y < sampler.height; y++) {
    for (let x = 0; x < sampler.width; x++) data[y * sampler.width + x] = sampler.metresAt(x, y);
  }
  return { width: sampler.width, height: sampler.height, data };
}

/** The whole-image decoder and the in-place sampler must read every depth message alike. */
const DEPTH_READERS: [string, (msg: Image) => DepthImage][] = [
  ['decodeDepthImage', decodeDepthImage],
  ['depthSampler', sampleEveryPixel],
];

describe('messages/image_codec: depth', () => {
  /** 2x2 millimetre values as 16-bit bytes in the given order, rows padded by 2 bytes. */
  function depth16(values: number[], bigEndian: boolean): Uint8Array {
    const out = new Uint8Array(12).fill(0xee);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setUint16(Math.floor(i / 2) * 6 + (i % 2) * 2, v, !bigEndian));
    return out;
  }

  for (const [reader, read] of DEPTH_READERS) {
    for (const encoding of ['16UC1', 'mono16']) {
      for (const bigEndian of [false, true]) {
        it(`${reader} reads ${encoding} millimetres (${bigEndian ? 'big' : 'little'}-endian, padded) to metres, 0 as NaN`, () => {
          const msg = image(encoding, 2, 2, 6, depth16([1000, 0, 65535, 1], bigEndian), bigEndian ? 1 : 0);
          const out = read(msg);
          expect(out.width).to.equal(2);
          expect(out.data).to.be.instanceOf(Float32Array);
          expect(out.data[0]).to.be.closeTo(1.0, 1e-6);
          expect(out.data[1]).to.be.NaN;
          expect(out.data[2]).to.be.closeTo(65.535, 1e-4);
          expect(out.data[3]).to.be.closeTo(0.001, 1e-7);
        });
      }
    }

    for (const bigEndian of [false, true]) {
      it(`${reader} reads 32FC1 metres (${bigEndian ? 'big' : 'little'}-endian, padded), blanking 0, negative, Inf and NaN`, () => {
        const values = [0.75, 0, -1, Infinity, NaN, 3.25];
        // 3x2 image, 4 bytes of row padding.
        const data = new Uint8Array(2 * 16).fill(0xee);
        const view = new DataView(data.buffer);
        values.forEach((v, i) => view.setFloat32(Math.floor(i / 3) * 16 + (i % 3) * 4, v, !bigEndian));
        const out = read(image('32FC1', 3, 2, 16, data, bigEndian ? 1 : 0));
        expect(out.data[0]).to.equal(0.75);
        expect(out.data[5]).to.equal(3.25);
        for (const i of [1, 2, 3, 4]) expect(out.data[i], `index ${i}`).to.be.NaN;
      });
    }

    it(`${reader} reads 32FC1 from a buffer that starts at an odd byte offset`, () => {
      const backing = new Uint8Array(1 + 8);
      const view = new DataView(backing.buffer, 1);
      view.setFloat32(0, 1.5, true);
      view.setFloat32(4, 2.5, true);
      const out = read(image('32FC1', 2, 1, 8, backing.subarray(1)));
      expect(Array.from(out.data)).to.deep.equal([1.5, 2.5]);
    });

    it(`${reader} rejects colour encodings and malformed layouts with typed errors`, () => {
      expect(() => read(image('rgb8', 2, 2, 6, new Uint8Array(12))))
        .to.throw(MessageError, /16UC1, mono16, 32FC1, got "rgb8"/)
        .with.property('code', 'unknown_encoding');
      expect(() => read(image('16UC1', 4, 2, 6, new Uint8Array(16)))).to.throw(MessageError).with.property('code', 'bad_step');
      expect(() => read(image('32FC1', 4, 2, 16, new Uint8Array(31)))).to.throw(MessageError).with.property('code', 'short_data');
      expect(() => read(image('32FC1', 4, 0, 16, new Uint8Array(0)))).to.throw(MessageError).with.property('code', 'bad_size');
    });
  }

  it('round-trips metric depth through 32FC1 exactly and through 16UC1 to the millimetre', () => {
    const depth = { width: 3, height: 1, data: new Float32Array([0.5, NaN, 2.0004]) };
    const f32 = encodeDepthImage(header, depth);
    expect(f32).to.include({ encoding: '32FC1', step: 12, is_bigendian: 0 });
    const back = decodeDepthImage(f32).data;
    expect(back[0]).to.equal(0.5);
    expect(back[1]).to.be.NaN;
    expect(back[2]).to.equal(depth.data[2]);

    const u16 = encodeDepthImage(header, depth, '16UC1');
    expect(u16).to.include({ encoding: '16UC1', step: 6 });
    const mm = decodeDepthImage(u16).data;
    expect(mm[0]).to.be.closeTo(0.5, 1e-6);
    expect(mm[1]).to.be.NaN;
    expect(mm[2]).to.be.closeTo(2.0, 1e-6);
  });
});
