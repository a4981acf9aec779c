import { expect } from 'chai';
import { ChunkExecutor } from '../src/core/control/execution.js';

const STEP = 0.1;

function expectRows(actual: number[][], expected: number[][], tolerance = 1e-12): void {
  expect(actual).to.have.length(expected.length);
  expected.forEach((row, k) => {
    expect(actual[k], `row ${k}`).to.have.length(row.length);
    row.forEach((v, j) => expect(actual[k][j], `row ${k} joint ${j}`).to.be.closeTo(v, tolerance));
  });
}

describe('control/execution (ChunkExecutor)', () => {
  describe('replace', () => {
    it('passes the targets through and always accepts frames', () => {
      const executor = new ChunkExecutor('replace', 0.5);
      const first = [
        [1, 2],
        [3, 4],
      ];
      expect(executor.blend(first, 0, STEP)).to.deep.equal(first);
      executor.sent(first, 0, STEP, 0.2);
      expect(executor.acceptsFrame(0.05)).to.equal(true);
      const second = [
        [5, 6],
        [7, 8],
      ];
      // The running chunk does not change the new one.
      expect(executor.blend(second, 0.1, STEP)).to.deep.equal(second);
    });
  });

  describe('open_loop', () => {
    it('refuses frames until the sent chunk has run for its duration, then accepts them again', () => {
      const executor = new ChunkExecutor('open_loop', 0);
      expect(executor.acceptsFrame(10)).to.equal(true);
      const targets = [[0.1], [0.2], [0.3]];
      // Planning alone records nothing.
      expect(executor.blend(targets, 10, STEP)).to.deep.equal(targets);
      expect(executor.acceptsFrame(10)).to.equal(true);
      executor.sent(targets, 10, STEP, 0.45);
      expect(executor.acceptsFrame(10)).to.equal(false);
      expect(executor.acceptsFrame(10.3)).to.equal(false);
      expect(executor.acceptsFrame(10.449)).to.equal(false);
      expect(executor.acceptsFrame(10.45)).to.equal(true);
      expect(executor.acceptsFrame(11)).to.equal(true);
      // A later chunk sets a new end.
      executor.sent(targets, 11, STEP, 0.3);
      expect(executor.acceptsFrame(11.2)).to.equal(false);
      expect(executor.acceptsFrame(11.3)).to.equal(true);
    });

    it('reset accepts frames at once', () => {
      const executor = new ChunkExecutor('open_loop', 0);
      executor.sent([[1]], 0, STEP, 5);
      expect(executor.acceptsFrame(1)).to.equal(false);
      executor.reset();
      expect(executor.acceptsFrame(1)).to.equal(true);
    });
  });

  describe('ensemble', () => {
    it('with no earlier chunk, leaves the targets as they are', () => {
      const executor = new ChunkExecutor('ensemble', 0.3);
      const targets = [
        [1, -1],
        [2, -2],
      ];
      expectRows(executor.blend(targets, 0, STEP), targets);
    });

    it('two chunks: averages the overlapping instants with weights exp(-m i), the older chunk first', () => {
      const m = 0.7;
      const executor = new ChunkExecutor('ensemble', m);
      // Chunk A sent at t = 0: points for t = 0.1 .. 0.5.
      const a = [[10, 0], [11, 1], [12, 2], [13, 3], [14, 4]];
      executor.sent(a, 0, STEP, 0.5);
      // Chunk B planned at t = 0.2: points for t = 0.3, 0.4, 0.5, 0.6. A covers 0.3 (a[2]), 0.4 (a[3]), 0.5 (a[4]).
      const b = [[20, 5], [21, 6], [22, 7], [23, 8]];
      const w0 = 1; // A, the older
      const w1 = Math.exp(-m); // B
      const mix = (old: number[], fresh: number[]) => old.map((v, j) => (w0 * v + w1 * fresh[j]) / (w0 + w1));
      expectRows(executor.blend(b, 0.2, STEP), [mix(a[2], b[0]), mix(a[3], b[1]), mix(a[4], b[2]), b[3]]);
      // By hand for the first instant, m = 0.7: (12 + 20 * 0.496585) / 1.496585 = 14.6545.
      expect(executor.blend(b, 0.2, STEP)[0][0]).to.be.closeTo(14.6545, 1e-4);
      // Blending records nothing: the same call again gives the same result.
      expectRows(executor.blend(b, 0.2, STEP), [mix(a[2], b[0]), mix(a[3], b[1]), mix(a[4], b[2]), b[3]]);
    });

    it('three chunks: weights 1, exp(-m), exp(-2m) in sending order', () => {
      const m = 0.5;
      const executor = new ChunkExecutor('ensemble', m);
      const a = [[1], [2], [3], [4], [5], [6]]; // sent at 0: t = 0.1 .. 0.6
      const b = [[10], [20], [30], [40], [50], [60]]; // sent at 0.2: t = 0.3 .. 0.8
      const c = [[100], [200], [300]]; // planned at 0.3: t = 0.4, 0.5, 0.6
      executor.sent(a, 0, STEP, 0.6);
      executor.sent(b, 0.2, STEP, 0.6);
      const [w0, w1, w2] = [1, Math.exp(-m), Math.exp(-2 * m)];
      const total = w0 + w1 + w2;
      // t = 0.4: a[3] = 4, b[1] = 20, c[0] = 100.
      const expected = [
        [(w0 * 4 + w1 * 20 + w2 * 100) / total],
        [(w0 * 5 + w1 * 30 + w2 * 200) / total],
        [(w0 * 6 + w1 * 40 + w2 * 300) / total],
      ];
      expectRows(executor.blend(c, 0.3, STEP), expected);
      // By hand for the first instant, m = 0.5: (4 + 20 * 0.606531 + 100 * 0.367879) / 1.974410 = 26.8022.
      expect(executor.blend(c, 0.3, STEP)[0][0]).to.be.closeTo(26.8022, 1e-4);
    });

    it('with m = 0 gives the plain mean of the predictions', () => {
      const executor = new ChunkExecutor('ensemble', 0);
      executor.sent([[0, 3], [6, 9], [12, 15]], 0, STEP, 0.3);
      executor.sent([[3, 0], [9, 3], [15, 6]], 0.1, STEP, 0.3);
      // Planned at 0.1: points at 0.2 and 0.3; first chunk covers them with rows 1 and 2, second with rows 0 and 1.
      expectRows(executor.blend([[0, 0], [0, 0]], 0.1, STEP), [
        [(6 + 3 + 0) / 3, (9 + 0 + 0) / 3],
        [(12 + 9 + 0) / 3, (15 + 3 + 0) / 3],
      ]);
    });

    it('remembers the raw predictions that were sent, not the blended ones', () => {
      const executor = new ChunkExecutor('ensemble', 0);
      executor.sent([[0], [0], [0]], 0, STEP, 0.3);
      const blended = executor.blend([[10], [10]], 0.1, STEP);
      expectRows(blended, [[5], [5]]);
      executor.sent([[10], [10]], 0.1, STEP, 0.2);
      // t = 0.3 (planned at 0.2): first chunk row 2 = 0, second chunk row 1 = 10, new 40.
      expectRows(executor.blend([[40]], 0.2, STEP), [[(0 + 10 + 40) / 3]]);
    });

    it('forgets chunks whose last point has passed, even for instants they covered', () => {
      const executor = new ChunkExecutor('ensemble', 0);
      executor.sent([[2], [4], [6]], 0, STEP, 0.3); // points at 0.1, 0.2, 0.3
      // At 0.2 the chunk is still running: its point for 0.3 counts.
      expectRows(executor.blend([[0]], 0.2, STEP), [[3]]);
      // At 0.35 it has ended: nothing to average with.
      expectRows(executor.blend([[0]], 0.35, STEP), [[0]]);
      // Forgotten for good: an instant it covered no longer gets its prediction.
      expectRows(executor.blend([[0]], 0.1, STEP), [[0]]);
    });

    it('reset clears the history', () => {
      const executor = new ChunkExecutor('ensemble', 0);
      executor.sent([[2], [4], [6]], 0, STEP, 0.3);
      expectRows(executor.blend([[0]], 0.1, STEP), [[2]]);
      executor.reset();
      expectRows(executor.blend([[0]], 0.1, STEP), [[0]]);
      expect(executor.acceptsFrame(0.1)).to.equal(true);
    });
  });
});
