import { expect } from 'chai';
import { sampleTrajectory, trajectoryDuration } from '../src/core/control/trajectory_sampler.js';
import { buildJointTrajectory, type TrajectoryPointInput } from '../src/core/messages/builders.js';
import { MessageError } from '../src/core/messages/errors.js';
import type { JointTrajectory } from '../src/core/messages/types.js';

function trajectory(points: TrajectoryPointInput[], joints = ['a', 'b']): JointTrajectory {
  return buildJointTrajectory({ stamp: { sec: 0, nanosec: 0 }, jointNames: joints, points });
}

describe('trajectory sampler', () => {
  const start = [0.5, -0.25];
  const traj = trajectory([
    { positions: [0.7, -0.1], velocities: [0.4, 0.2], timeFromStart: 0.5 },
    { positions: [1.0, 0.3], velocities: [0.3, 0.5], timeFromStart: 1.25 },
    { positions: [1.1, 0.4], velocities: [0, 0], timeFromStart: 2 },
  ]);

  it('hits the start and every point exactly', () => {
    expect(Array.from(sampleTrajectory(traj, start, 0))).to.deep.equal(start);
    for (const point of traj.points) {
      const t = point.time_from_start.sec + point.time_from_start.nanosec / 1e9;
      expect(Array.from(sampleTrajectory(traj, start, t))).to.deep.equal(point.positions);
    }
  });

  it('clamps before the start and after the end', () => {
    expect(Array.from(sampleTrajectory(traj, start, -3))).to.deep.equal(start);
    expect(Array.from(sampleTrajectory(traj, start, -Infinity))).to.deep.equal(start);
    expect(Array.from(sampleTrajectory(traj, start, 2.0001))).to.deep.equal([1.1, 0.4]);
    expect(Array.from(sampleTrajectory(traj, start, Infinity))).to.deep.equal([1.1, 0.4]);
    expect(trajectoryDuration(traj)).to.equal(2);
  });

  it('is halfway at the middle of a segment that is symmetric in time', () => {
    // At rest at both ends, and with equal end velocities: the spline is point-symmetric about the middle.
    const rest = trajectory([{ positions: [1, -2], velocities: [0, 0], timeFromStart: 2 }]);
    expect(Array.from(sampleTrajectory(rest, [0, 0], 1))).to.deep.equal([0.5, -1]);
    const moving = trajectory([
      { positions: [1, 1], velocities: [0.8, 0.8], timeFromStart: 1 },
      { positions: [3, 2], velocities: [0.8, 0.8], timeFromStart: 3 },
    ]);
    const mid = sampleTrajectory(moving, [0, 0], 2);
    expect(mid[0]).to.be.closeTo(2, 1e-12);
    expect(mid[1]).to.be.closeTo(1.5, 1e-12);
  });

  it('uses the velocities of the points (cubic Hermite) and starts at rest', () => {
    // From rest at 0 to 1 at rest over 1 s: -2s^3 + 3s^2.
    const one = trajectory([{ positions: [1], velocities: [0], timeFromStart: 1 }], ['a']);
    expect(sampleTrajectory(one, [0], 0.25)[0]).to.be.closeTo(0.15625, 1e-12);
    // Arriving at 1 with velocity 2 adds h11 * h * v1 = (s^3 - s^2) * 1 * 2.
    const fast = trajectory([{ positions: [1], velocities: [2], timeFromStart: 1 }], ['a']);
    expect(sampleTrajectory(fast, [0], 0.25)[0]).to.be.closeTo(0.15625 + 2 * (0.015625 - 0.0625), 1e-12);
    // Starting at rest: the slope right after t = 0 is ~0, not the 1 m/s of a straight line.
    const early = sampleTrajectory(one, [0], 1e-4)[0];
    expect(early / 1e-4).to.be.lessThan(1e-3);
  });

  it('interpolates linearly where a point has no velocities, as the controller does', () => {
    const positionsOnly = trajectory([{ positions: [1, 2], timeFromStart: 1 }]);
    const p = sampleTrajectory(positionsOnly, [0, 0], 0.25);
    expect(p[0]).to.be.closeTo(0.25, 1e-12);
    expect(p[1]).to.be.closeTo(0.5, 1e-12);
  });

  it('is monotone for a monotone trajectory with zero velocities', () => {
    const stairs = trajectory([
      { positions: [0.2, 0], velocities: [0, 0], timeFromStart: 0.3 },
      { positions: [0.9, -0.4], velocities: [0, 0], timeFromStart: 0.7 },
      { positions: [1.0, -1.5], velocities: [0, 0], timeFromStart: 1.6 },
      { positions: [2.5, -1.6], velocities: [0, 0], timeFromStart: 2.0 },
    ]);
    let previous = Array.from(sampleTrajectory(stairs, [0, 0], 0));
    for (let t = 0.001; t <= 2.1; t += 0.001) {
      const p = sampleTrajectory(stairs, [0, 0], t);
      expect(p[0], `joint a at ${t}`).to.be.at.least(previous[0]);
      expect(p[1], `joint b at ${t}`).to.be.at.most(previous[1]);
      previous = Array.from(p);
    }
    expect(previous).to.deep.equal([2.5, -1.6]);
  });

  it('gives the start for a trajectory without points, and rejects bad sizes and NaN', () => {
    const empty: JointTrajectory = { header: traj.header, joint_names: ['a', 'b'], points: [] };
    expect(Array.from(sampleTrajectory(empty, start, 1))).to.deep.equal(start);
    expect(trajectoryDuration(empty)).to.equal(0);
    expect(() => sampleTrajectory(traj, [0], 0.5)).to.throw(MessageError, /start positions/);
    expect(() => sampleTrajectory(traj, start, NaN)).to.throw(MessageError, /NaN/);
    const bad: JointTrajectory = { ...traj, points: [{ ...traj.points[0], positions: [1] }] };
    expect(() => sampleTrajectory(bad, start, 0.1)).to.throw(MessageError, /points\[0\]\.positions/);
  });

  it('returns a new array that does not alias the start or the points', () => {
    const s = [0.5, -0.25];
    const out = sampleTrajectory(traj, s, 0);
    out[0] = 99;
    expect(s[0]).to.equal(0.5);
    const end = sampleTrajectory(traj, s, 5);
    end[0] = 99;
    expect(traj.points[2].positions[0]).to.equal(1.1);
  });

  it('keeps streamed positions between the end points of their segment (no Hermite overshoot)', () => {
    // Fast through the first point and back: the spline overshoots 1.0 on the way there.
    const traj = buildJointTrajectory({
      stamp: { sec: 0, nanosec: 0 },
      jointNames: ['a'],
      points: [
        { positions: [1.0], velocities: [3.0], timeFromStart: 1 },
        { positions: [0.0], velocities: [0.0], timeFromStart: 2 },
      ],
    });
    const free = Array.from({ length: 19 }, (_, i) => sampleTrajectory(traj, [0], 0.1 * (i + 1))[0]);
    expect(Math.max(...free)).to.be.greaterThan(1.0);
    const bounded = Array.from({ length: 19 }, (_, i) => sampleTrajectory(traj, [0], 0.1 * (i + 1), { withinSegment: true })[0]);
    expect(Math.max(...bounded)).to.be.at.most(1.0);
    expect(Math.min(...bounded)).to.be.at.least(0.0);
    // Where the spline does not overshoot, both agree.
    expect(bounded[4]).to.equal(free[4]);
  });
});
