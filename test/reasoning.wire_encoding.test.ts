import { expect } from 'chai';
import sharp from 'sharp';
import { base64Length, writeBase64 } from '../src/media/base64.js';
import { storedPngLength, writeStoredPng } from '../src/media/png_stored.js';
import { areaResize } from '../src/media/area_resize.js';
import { seededRandom } from '../src/core/util/random.js';

function randomBytes(n: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
}

describe('reasoning: wire encodings and the area resize', () => {
  it('writes base64 exactly as Node does, for every length remainder and alignment', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 299, 300, 301, 196_608]) {
      const bytes = randomBytes(n, n);
      for (const offset of [0, 1]) {
        const out = Buffer.alloc(offset + base64Length(n));
        const end = writeBase64(bytes, out, offset);
        expect(end - offset).to.equal(base64Length(n));
        expect(out.subarray(offset, end).toString('latin1'), `${n} bytes at ${offset}`).to.equal(Buffer.from(bytes).toString('base64'));
      }
    }
  });

  it('writes PNGs that a PNG reader decodes to the same pixels, over several stored blocks', async () => {
    for (const [width, height] of [[1, 1], [7, 3], [256, 256], [320, 180]]) {
      const data = randomBytes(width * height * 3, width + height);
      const out = Buffer.alloc(storedPngLength(width, height) + 5);
      const length = writeStoredPng({ width, height, data }, out);
      expect(length).to.equal(storedPngLength(width, height));
      const decoded = await sharp(out.subarray(0, length)).raw().toBuffer({ resolveWithObject: true });
      expect([decoded.info.width, decoded.info.height, decoded.info.channels]).to.deep.equal([width, height, 3]);
      expect(Buffer.compare(decoded.data, Buffer.from(data)), `${width}x${height}`).to.equal(0);
    }
  });

  it('averages pixel areas as INTER_AREA: integer factors are plain means, fractional ones weighted', () => {
    // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
    const data = Uint8Array.from([0, 0, 0, 10, 10, 10, 100, 0, 0, 200, 0, 0, 20, 20, 20, 30, 30, 30, 0, 100, 0, 0, 50, 0]);
    const small = areaResize({ width: 4, height: 2, data }, { width: 2, height: 1 });
    expect(Array.from(small.data)).to.deep.equal([15, 15, 15, 75, 38, 0]); // (0+10+20+30)/4 = 15; (100+200+0+0)/4 = 75; (0+0+100+50)/4 = 37.5
    // 3 -> 2 columns: the middle source pixel is split half and half.
    const row = Uint8Array.from([0, 0, 0, 90, 90, 90, 180, 180, 180]);
    expect(Array.from(areaResize({ width: 3, height: 1, data: row }, { width: 2, height: 1 }).data)).to.deep.equal([30, 30, 30, 150, 150, 150]);
    // A constant image stays constant; a turn reverses it.
    const flat = areaResize({ width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(77) }, { width: 256, height: 256 });
    expect(flat.data.every((v) => v === 77)).to.equal(true);
    const turned = areaResize({ width: 3, height: 1, data: row }, { width: 3, height: 1, rotate180: true });
    expect(Array.from(turned.data)).to.deep.equal([180, 180, 180, 90, 90, 90, 0, 0, 0]);
    expect(() => areaResize({ width: 3, height: 1, data: row }, { width: 4, height: 1 })).to.throw(/shrinks only/);
  });
});
