import { expect } from 'chai';
import {
  actionTokenIdsToBins,
  argmaxRows,
  binCentres,
  binToNormalised,
  checkTrace,
  decodeActionLogits,
  decodeDepth,
  decodeTrace,
  OutputRejected,
  pixelsToTrace,
  traceToPixels,
  unnormalise,
} from '../src/core/model/decode.js';
import type { ActionSpec, ActionStatistics } from '../src/core/model/manifest.js';

/** Logits [rows x width] that are 0 except a 5 at each row's chosen index. */
function peaked(choices: number[], width: number): Float32Array {
  const logits = new Float32Array(choices.length * width);
  choices.forEach((c, r) => (logits[r * width + c] = 5));
  return logits;
}

describe('reasoning/decode', () => {
  describe('action bins', () => {
    it('has bins - 1 centres between the points of linspace(-1, 1, bins)', () => {
      const c = binCentres(256);
      expect(c.length).to.equal(255);
      expect(c[0]).to.be.closeTo(-1 + 1 / 255, 1e-12); // -0.996078...
      expect(c[127]).to.be.closeTo(0, 1e-12);
      expect(c[254]).to.be.closeTo(1 - 1 / 255, 1e-12);
      // 5 bins: linspace = [-1, -0.5, 0, 0.5, 1] -> centres [-0.75, -0.25, 0.25, 0.75]
      expect([...binCentres(5)]).to.deep.equal([-0.75, -0.25, 0.25, 0.75]);
    });

    it('clips the top bin to the last centre', () => {
      const c = binCentres(256);
      expect(binToNormalised(255, c)).to.equal(c[254]);
      expect(binToNormalised(254, c)).to.equal(c[254]);
      expect(binToNormalised(0, c)).to.equal(c[0]);
    });

    it('maps the last 256 token ids of a vocabulary to bins, highest id first', () => {
      // MolmoAct: discretized = vocab - id; index = clip(discretized - 1, 0, 254).
      expect(actionTokenIdsToBins([151642, 151387, 151515], 151643, 256)).to.deep.equal([0, 255, 127]);
      expect(() => actionTokenIdsToBins([151386], 151643, 256)).to.throw(OutputRejected, /last 256 ids/);
      expect(() => actionTokenIdsToBins([151643], 151643, 256)).to.throw(OutputRejected);
    });
  });

  describe('un-normalisation', () => {
    const stats: ActionStatistics = { q01: [-0.05, 0, -2], q99: [0.05, 0.2, 2], mask: [true, true, false] };

    it('maps [-1, 1] onto [q01, q99] where the mask is true and leaves the rest', () => {
      expect(unnormalise([-1, -1, -1], stats)).to.deep.equal([-0.05, 0, -1]);
      const mid = unnormalise([0, 0, 0.5], stats);
      expect(mid[0]).to.be.closeTo(0, 1e-15);
      expect(mid[1]).to.be.closeTo(0.1, 1e-15);
      expect(mid[2]).to.equal(0.5);
      const top = unnormalise([1, 0.5, 1], stats);
      expect(top[0]).to.be.closeTo(0.05, 1e-15);
      expect(top[1]).to.be.closeTo(0.15, 1e-15); // 0.5 * 1.5 * 0.2
      expect(top[2]).to.equal(1);
    });
  });

  describe('action logits', () => {
    const action: ActionSpec = { space: 'joint_delta', dim: 2, chunk: 2, bins: 256 };
    const stats: ActionStatistics = { q01: [-0.05, -0.05], q99: [0.05, 0.05], mask: [true, false] };

    it('decodes argmax bins through the centres and the statistics', () => {
      const logits = peaked([0, 255, 127, 200], 256);
      const chunk = decodeActionLogits(logits, [1, 2, 2, 256], action, stats);
      // bin 0: n = -1 + 1/255; a = 0.5 * (1/255) * 0.1 - 0.05 = -0.0498039...
      expect(chunk[0][0]).to.be.closeTo(-0.049803921568, 1e-12);
      // bin 255 -> centre 254: n = 1 - 1/255, not un-normalised (mask false)
      expect(chunk[0][1]).to.be.closeTo(0.996078431373, 1e-12);
      expect(chunk[1][0]).to.be.closeTo(0, 1e-12);
      // bin 200: n = -1 + 2 * 200.5 / 255 = 0.572549...
      expect(chunk[1][1]).to.be.closeTo(0.572549019608, 1e-12);
    });

    it('rejects NaN, infinities and a shape that differs from the manifest', () => {
      const logits = peaked([0, 1, 2, 3], 256);
      logits[300] = NaN;
      expect(() => decodeActionLogits(logits, [1, 2, 2, 256], action, stats)).to.throw(OutputRejected, /action_logits\[300\] is NaN/);
      logits[300] = -Infinity;
      expect(() => decodeActionLogits(logits, [1, 2, 2, 256], action, stats)).to.throw(OutputRejected, /-Infinity/);
      expect(() => decodeActionLogits(peaked([0, 0, 0, 0], 256), [1, 4, 1, 256], action, stats)).to.throw(
        OutputRejected,
        /shape \[1, 4, 1, 256\], expected \[1, 2, 2, 256\]/,
      );
    });
  });

  describe('depth and trace logits', () => {
    it('takes the first maximum of each row', () => {
      expect(argmaxRows(Float32Array.of(1, 3, 3, 0, -1, -2, -3, -4), 4)).to.deep.equal([1, 0]);
      expect(argmaxRows(Float32Array.of(-5, -7, -9, -8), 2)).to.deep.equal([0, 1]);
      expect(() => argmaxRows(Float32Array.of(0, 1, Infinity, 2), 2, 'x')).to.throw(OutputRejected, /x\[2\] is Infinity/);
    });

    it('decodes depth tokens row-major over the grid', () => {
      const tokens = [5, 0, 127, 64, 3, 9];
      expect(decodeDepth(peaked(tokens, 128), [1, 6, 128], { rows: 2, cols: 3, codebook: 128 })).to.deep.equal(tokens);
      const bad = peaked(tokens, 128);
      bad[10] = Infinity;
      expect(() => decodeDepth(bad, [1, 6, 128], { rows: 2, cols: 3, codebook: 128 })).to.throw(OutputRejected);
      expect(() => decodeDepth(peaked(tokens, 128), [1, 6, 128], { rows: 3, cols: 3, codebook: 128 })).to.throw(OutputRejected, /shape/);
    });

    it('decodes trace points as x then y per point', () => {
      const trace = decodeTrace(peaked([10, 200, 20, 190, 255, 0], 256), [1, 3, 2, 256], { points: 3, bins: 256 });
      expect(trace).to.deep.equal({ x: [10, 20, 255], y: [200, 190, 0] });
      expect(() => decodeTrace(peaked([1, 2], 256), [1, 1, 2, 256], { points: 3, bins: 256 })).to.throw(OutputRejected, /trace_logits/);
      const nan = peaked([1, 2, 3, 4, 5, 6], 256);
      nan[0] = NaN;
      expect(() => decodeTrace(nan, [1, 3, 2, 256], { points: 3, bins: 256 })).to.throw(OutputRejected, /NaN/);
    });
  });

  describe('trace scaling and checks', () => {
    it('scales [0, 255] to pixels by (size - 1) / 255 and back', () => {
      const px = traceToPixels({ x: [0, 255, 51], y: [255, 0, 102] }, 640, 480);
      expect(px[0]).to.deep.equal({ u: 0, v: 479 });
      expect(px[1]).to.deep.equal({ u: 639, v: 0 });
      expect(px[2].u).to.be.closeTo(127.8, 1e-9); // 51 * 639 / 255
      expect(px[2].v).to.be.closeTo(191.6, 1e-9); // 102 * 479 / 255
      expect(pixelsToTrace(px, 640, 480)).to.deep.equal({ x: [0, 255, 51], y: [255, 0, 102] });
    });

    it('rounds pixels to the integer grid and clamps points outside the image', () => {
      expect(pixelsToTrace([{ u: -12, v: 900 }, { u: 320, v: 240 }], 640, 480)).to.deep.equal({ x: [0, 128], y: [255, 128] });
    });

    it('rejects a trace with the wrong point count or a coordinate outside [0, 255]', () => {
      expect(() => checkTrace({ x: [0, 255], y: [0, 255] }, 2)).not.to.throw();
      expect(() => checkTrace({ x: [0, 1, 2], y: [0, 1, 2] }, 2)).to.throw(OutputRejected, /expected 2 points/);
      expect(() => checkTrace({ x: [0, 1], y: [0] }, 2)).to.throw(OutputRejected);
      expect(() => checkTrace({ x: [0, 256], y: [0, 0] }, 2)).to.throw(OutputRejected, /x\[1\] is 256/);
      expect(() => checkTrace({ x: [0, 0], y: [-1, 0] }, 2)).to.throw(OutputRejected, /y\[0\] is -1/);
      expect(() => checkTrace({ x: [0, NaN], y: [0, 0] }, 2)).to.throw(OutputRejected, /NaN/);
    });
  });
});
