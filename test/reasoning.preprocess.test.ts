import { expect } from 'chai';
import type { InputSpec } from '../src/core/model/manifest.js';
import { blockAverageChw, preprocessImage, resizeAsPreprocessed, resizeRgb, toNormalisedChw } from '../src/media/preprocess.js';
import { areaAverageAvailable } from '../src/media/area_average.js';
import type { RgbImage } from '../src/core/model/types.js';

const IMAGENET: Pick<InputSpec, 'mean' | 'std'> = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** An image of four solid quadrants: red, green (top); blue, grey (bottom). */
function quadrants(width: number, height: number): RgbImage {
  const colours = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [128, 128, 128],
  ];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      data.set(colour, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** Value of channel c at (x, y) in a CHW tensor. */
function at(chw: Float32Array, spec: InputSpec, c: number, x: number, y: number): number {
  return chw[c * spec.width * spec.height + y * spec.width + x];
}

const norm = (v: number, c: number) => (v / 255 - IMAGENET.mean[c]) / IMAGENET.std[c];

describe('reasoning/preprocess', () => {
  it('resizes 640x480 to a non-square input and normalises each channel, CHW', async () => {
    const spec: InputSpec = { width: 64, height: 32, ...IMAGENET };
    const chw = await preprocessImage(quadrants(640, 480), spec);
    expect(chw.length).to.equal(3 * 64 * 32);
    // Quadrant centres, far from the edges the resize kernel blends.
    const expected: [number, number, number[]][] = [
      [16, 8, [255, 0, 0]],
      [48, 8, [0, 255, 0]],
      [16, 24, [0, 0, 255]],
      [48, 24, [128, 128, 128]],
    ];
    for (const [x, y, rgb] of expected) {
      for (let c = 0; c < 3; c++) expect(at(chw, spec, c, x, y)).to.be.closeTo(norm(rgb[c], c), 1e-6);
    }
    // Red, normalised: (1 - 0.485) / 0.229
    expect(at(chw, spec, 0, 16, 8)).to.be.closeTo(2.2489, 1e-4);
    // Across the vertical border the values lie between the two sides' values.
    const border = at(chw, spec, 0, 31, 8);
    expect(border).to.be.within(norm(0, 0) - 1e-6, norm(255, 0) + 1e-6);
  });

  it('keeps every pixel when the image already has the input size', async () => {
    const spec: InputSpec = { width: 3, height: 2, ...IMAGENET };
    const data = Uint8Array.from({ length: 18 }, (_, i) => i * 10);
    const chw = await preprocessImage({ width: 3, height: 2, data }, spec);
    // Pixel (x=2, y=1) is at byte 15: r=150, g=160, b=170.
    expect(at(chw, spec, 0, 2, 1)).to.be.closeTo(norm(150, 0), 1e-6);
    expect(at(chw, spec, 1, 2, 1)).to.be.closeTo(norm(160, 1), 1e-6);
    expect(at(chw, spec, 2, 2, 1)).to.be.closeTo(norm(170, 2), 1e-6);
    expect(at(chw, spec, 0, 0, 0)).to.be.closeTo(norm(0, 0), 1e-6);
  });

  it('shrinks by whole factors as the exact mean of each block, aligned or not, 640x480 and 1280x720', async () => {
    const spec: InputSpec = { width: 160, height: 120, ...IMAGENET };
    for (const [width, height] of [[640, 480], [1280, 720], [480, 360]]) {
      const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => Math.imul(i + 7, 2654435761) >>> 24);
      // The same pixels at a byte offset of 1: a view that cannot be read four bytes at a time.
      const shifted = new Uint8Array(data.length + 1).subarray(1);
      shifted.set(data);
      const fx = width / 160;
      const fy = height / 120;
      const aligned = await preprocessImage({ width, height, data }, spec);
      const unaligned = blockAverageChw({ width, height, data: shifted }, spec);
      for (const [x, y] of [[0, 0], [159, 119], [37, 90], [120, 3]]) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < fy; dy++) for (let dx = 0; dx < fx; dx++) sum += data[((y * fy + dy) * width + x * fx + dx) * 3 + c];
          const expected = norm(sum / (fx * fy), c);
          expect(at(aligned, spec, c, x, y), `${width}x${height} (${x}, ${y}) channel ${c}`).to.be.closeTo(expected, 1e-5);
          expect(at(unaligned, spec, c, x, y)).to.be.closeTo(expected, 1e-5);
        }
      }
    }
  });

  it('writes into a given output tensor on both paths, and refuses one of the wrong size', async () => {
    for (const spec of [
      { width: 160, height: 120, ...IMAGENET }, // block average
      { width: 64, height: 32, ...IMAGENET }, // libvips
    ] as InputSpec[]) {
      const image = quadrants(640, 480);
      const out = new Float32Array(3 * spec.width * spec.height).fill(NaN);
      const written = await preprocessImage(image, spec, out);
      expect(written).to.equal(out);
      expect(Array.from(out)).to.deep.equal(Array.from(await preprocessImage(image, spec)));
      let error: unknown;
      try {
        await preprocessImage(image, spec, new Float32Array(10));
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.match(/output has 10 values/);
    }
  });

  it('gives the same values from the WebAssembly kernel as from the TypeScript loop, bit for bit', () => {
    expect(areaAverageAvailable(), 'the kernel loads (npm run build compiles it)').to.equal(true);
    // Row lengths that are and are not multiples of the kernel's 16 bytes, factors from 1 to 8.
    for (const [width, height, iw, ih] of [[640, 480, 160, 120], [1280, 720, 160, 120], [5, 7, 5, 7], [22, 9, 11, 3], [96, 64, 12, 16]]) {
      const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => Math.imul(i + 3, 2246822519) >>> 24);
      const spec: InputSpec = { width: iw, height: ih, ...IMAGENET };
      const kernel = blockAverageChw({ width, height, data }, spec);
      const loop = blockAverageChw({ width, height, data }, spec, undefined, false);
      expect(Buffer.from(kernel.buffer).equals(Buffer.from(loop.buffer)), `${width}x${height} -> ${iw}x${ih}`).to.equal(true);
    }
    // All-white blocks of 257 rows, the most the kernel's 16-bit column sums hold.
    const tall = { width: 16, height: 257, data: new Uint8Array(16 * 257 * 3).fill(255) };
    const white = blockAverageChw(tall, { width: 4, height: 1, ...IMAGENET });
    for (let c = 0; c < 3; c++) expect(white[c * 4]).to.be.closeTo(norm(255, c), 1e-5);
  });

  it('gives training images resized as the model input is: block means rounded to bytes, libvips for other sizes', async () => {
    const spec: InputSpec = { width: 160, height: 120, ...IMAGENET };
    const data = Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => (i * 7919 + (i >> 9) * 31) % 256);
    const frame: RgbImage = { width: 640, height: 480, data };
    const bytes = await resizeAsPreprocessed(frame, 160, 120);
    expect(bytes.length).to.equal(160 * 120 * 3);
    // Normalised, each byte is within half a step of the node's input tensor.
    const fromBytes = toNormalisedChw(bytes, spec);
    const fed = await preprocessImage(frame, spec);
    const halfStep = 0.5 / 255 / Math.min(...IMAGENET.std);
    let worst = 0;
    fed.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - fromBytes[i]))));
    expect(worst).to.be.at.most(halfStep + 1e-6);
    // Not a whole factor (848x480 to 160x120): the libvips resize, as preprocessing does.
    const odd: RgbImage = { width: 848, height: 480, data: Uint8Array.from({ length: 848 * 480 * 3 }, (_, i) => (i * 13) % 256) };
    expect(Array.from(await resizeAsPreprocessed(odd, 160, 120))).to.deep.equal(Array.from(await resizeRgb(odd, 160, 120)));
  });

  it('rejects a block average by factors that are not whole numbers', () => {
    expect(() => blockAverageChw(quadrants(100, 100), { width: 64, height: 32, ...IMAGENET })).to.throw(/not a whole multiple/);
  });

  it('rejects an image whose data does not match its size', async () => {
    const spec: InputSpec = { width: 4, height: 4, ...IMAGENET };
    let error: unknown;
    try {
      await preprocessImage({ width: 10, height: 10, data: new Uint8Array(299) }, spec);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/10x10 RGB image has 300 bytes, got 299/);
  });
});
