import { expect } from 'chai';
import { colorizeDepth } from '../src/media/depth_image.js';

describe('visualize/depth_image', () => {
  it('colourises near as red, far as blue and holes as black', () => {
    const depth = { width: 4, height: 1, data: new Float32Array([0.4, 1.2, 2.0, NaN]) };
    const { data } = colorizeDepth(depth);
    expect(Array.from(data.subarray(0, 3))).to.deep.equal([255, 0, 0]);
    expect(Array.from(data.subarray(6, 9))).to.deep.equal([0, 0, 255]);
    expect(data[4]).to.equal(255); // the middle of the scale is green
    expect(Array.from(data.subarray(9, 12))).to.deep.equal([0, 0, 0]);
  });

  it('colourises against a fixed range, clamping values outside it', () => {
    const depth = { width: 2, height: 1, data: new Float32Array([0.1, 9]) };
    const { data } = colorizeDepth(depth, { min: 0.5, max: 3 });
    expect(Array.from(data)).to.deep.equal([255, 0, 0, 0, 0, 255]);
  });
});
