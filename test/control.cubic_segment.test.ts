import { expect } from 'chai';
import { cubicPeakSpeed, cubicPositionAt, cubicPositionRange, type SegmentEnds } from '../src/core/control/cubic_segment.js';

/** Speed and positions by dense sampling of the same Hermite segment, for comparison. */
function sampled(ends: SegmentEnds): { peak: number; lo: number; hi: number } {
  const n = 20_000;
  let previous = ends.p0;
  let peak = 0;
  let lo = Math.min(ends.p0, ends.p1);
  let hi = Math.max(ends.p0, ends.p1);
  for (let k = 1; k <= n; k++) {
    const p = cubicPositionAt(ends, k / n);
    peak = Math.max(peak, Math.abs(p - previous) * (n / ends.duration));
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
    previous = p;
  }
  return { peak, lo, hi };
}

describe('cubic segments (as joint_trajectory_controller interpolates)', () => {
  it('passes through both ends with their velocities', () => {
    const ends = { p0: 0.2, v0: 0.5, p1: -0.1, v1: -0.3, duration: 0.4 };
    expect(cubicPositionAt(ends, 0)).to.be.closeTo(0.2, 1e-12);
    expect(cubicPositionAt(ends, 1)).to.be.closeTo(-0.1, 1e-12);
    const h = 1e-6;
    expect((cubicPositionAt(ends, h) - cubicPositionAt(ends, 0)) / (h * ends.duration)).to.be.closeTo(0.5, 1e-4);
    expect((cubicPositionAt(ends, 1) - cubicPositionAt(ends, 1 - h)) / (h * ends.duration)).to.be.closeTo(-0.3, 1e-4);
  });

  it('peaks at 1.5 times the average speed from rest to rest, at the average when the ends already move at it', () => {
    expect(cubicPeakSpeed({ p0: 0, v0: 0, p1: 0.5, v1: 0, duration: 0.5 })).to.be.closeTo(1.5, 1e-12);
    expect(cubicPeakSpeed({ p0: 0, v0: 1, p1: 0.5, v1: 1, duration: 0.5 })).to.be.closeTo(1, 1e-12);
  });

  it('finds the overshoot of a segment that arrives with speed and turns back', () => {
    const ends = { p0: 0, v0: 2, p1: 0.1, v1: 0, duration: 0.5 };
    const [lo, hi] = cubicPositionRange(ends);
    expect(hi).to.be.above(0.1);
    expect(lo).to.equal(0);
  });

  it('agrees with dense sampling on random segments', () => {
    let seed = 11;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let trial = 0; trial < 300; trial++) {
      const ends = { p0: random(), v0: 2 * random(), p1: random(), v1: 2 * random(), duration: 0.05 + Math.abs(random()) };
      const reference = sampled(ends);
      expect(cubicPeakSpeed(ends), `trial ${trial}: peak`).to.be.closeTo(reference.peak, 1e-3 * Math.max(1, reference.peak));
      const [lo, hi] = cubicPositionRange(ends);
      expect(lo, `trial ${trial}: lowest`).to.be.closeTo(reference.lo, 1e-7);
      expect(hi, `trial ${trial}: highest`).to.be.closeTo(reference.hi, 1e-7);
    }
  });
});
