import { expect } from 'chai';
import { stopTrajectory } from '../src/core/control/stop_trajectory.js';
import { violation, type JointLimits } from '../src/core/control/joint_limits.js';
import { cubicPositionAt, cubicPositionRange, cubicVelocityRange } from '../src/core/control/cubic_segment.js';
import { toSeconds } from '../src/core/messages/time.js';

const limits: JointLimits = { names: ['a', 'b'], min: [-1, -2], max: [1, 2], maxVelocity: [1, 1], margin: 0.05 };

describe('stopTrajectory (a moving arm to rest through the trajectory topic)', () => {
  it('holds an arm at rest where it was measured, one chunk step ahead', () => {
    for (const velocities of [[0, 0], null]) {
      const stop = stopTrajectory({ positions: [0.2, -0.3], velocities, ageSec: 0, limits, minDurationSec: 0.1, deceleration: 5 });
      expect(stop.joint_names).to.deep.equal(['a', 'b']);
      expect(stop.header.stamp).to.deep.equal({ sec: 0, nanosec: 0 });
      expect(stop.points).to.have.length(1);
      expect(stop.points[0].positions).to.deep.equal([0.2, -0.3]);
      expect(stop.points[0].velocities).to.deep.equal([0, 0]);
      expect(toSeconds(stop.points[0].time_from_start)).to.be.closeTo(0.1, 1e-9);
    }
  });

  it('slows every joint down evenly at the deceleration of the fastest, and never turns back', () => {
    const positions = [0, 0.5];
    const velocities = [0.8, -0.4];
    const stop = stopTrajectory({ positions, velocities, ageSec: 0, limits, minDurationSec: 0.1, deceleration: 4 });
    const duration = toSeconds(stop.points[0].time_from_start);
    expect(duration).to.be.closeTo(0.2, 1e-9); // 0.8 rad/s at 4 rad/s^2
    expect(stop.points[0].positions[0]).to.be.closeTo(0.08, 1e-12); // v T / 2
    expect(stop.points[0].positions[1]).to.be.closeTo(0.46, 1e-12);
    // As the controller moves it: the speed falls linearly, so each joint only moves forward.
    for (let j = 0; j < 2; j++) {
      const ends = { p0: positions[j], v0: velocities[j], p1: stop.points[0].positions[j], v1: 0, duration };
      let previous = positions[j];
      for (let k = 1; k <= 100; k++) {
        const p = cubicPositionAt(ends, k / 100);
        expect(Math.sign(p - previous) * Math.sign(velocities[j])).to.be.at.least(0);
        const expectedSpeed = Math.abs(velocities[j]) * (1 - (k - 0.5) / 100);
        expect(Math.abs(p - previous) / (duration / 100)).to.be.closeTo(expectedSpeed, 1e-3);
        previous = p;
      }
    }
    expect(violation(stop, positions, limits, { velocity: velocities, ageSec: 0 })).to.equal(null);
  });

  it('stops harder where a joint would otherwise come to rest beyond its limit', () => {
    const positions = [0.9, 0];
    const velocities = [1, 0.5];
    const stop = stopTrajectory({ positions, velocities, ageSec: 0, limits, minDurationSec: 0.1, deceleration: 2 });
    // 0.05 rad of room to 0.95 at 1 rad/s: T = 2 * 0.05 / 1 = 0.1 s instead of 0.5 s.
    expect(toSeconds(stop.points[0].time_from_start)).to.be.closeTo(0.1, 1e-9);
    expect(stop.points[0].positions[0]).to.be.closeTo(0.95, 1e-12);
    expect(violation(stop, positions, limits, { velocity: velocities, ageSec: 0 })).to.equal(null);
  });

  it('never stops faster than one chunk step: short room means the margin\'s edge, and the momentum stays in the margin', () => {
    const stop = stopTrajectory({ positions: [0.94, 0], velocities: [1, 0], ageSec: 0, limits, minDurationSec: 0.1, deceleration: 2 });
    const duration = toSeconds(stop.points[0].time_from_start);
    expect(duration).to.be.closeTo(0.1, 1e-12);
    expect(stop.points[0].positions[0]).to.be.closeTo(0.95, 1e-12);
    const [, hi] = cubicPositionRange({ p0: 0.94, v0: 1, p1: 0.95, v1: 0, duration });
    expect(hi).to.be.at.most(0.95 + (4 / 27) * 1 * 0.1 + 1e-12);
    expect(hi).to.be.below(limits.max[0]);
  });

  it('holds a joint that has drifted past the margin\'s edge without rushing the others', () => {
    const stop = stopTrajectory({ positions: [0.9501, 0], velocities: [0.001, 0.8], ageSec: 0, limits, minDurationSec: 0.1, deceleration: 5 });
    expect(toSeconds(stop.points[0].time_from_start)).to.be.closeTo(0.16, 1e-12); // 0.8 rad/s at 5 rad/s^2
    expect(stop.points[0].positions[0]).to.be.closeTo(0.9501, 1e-12);
    expect(stop.points[0].positions[1]).to.be.closeTo(0.064, 1e-12);
  });

  it('trusts a velocity reading only up to the limit, and starts from where the arm is by now', () => {
    const stop = stopTrajectory({ positions: [0, 0], velocities: [50, 0.5], ageSec: 0.1, limits, minDurationSec: 0.1, deceleration: 5 });
    const duration = toSeconds(stop.points[0].time_from_start);
    expect(duration).to.be.closeTo(0.2, 1e-12); // 1 rad/s (the limit) at 5 rad/s^2
    // Carried forward by v * age: 0.1 and 0.05, then v T / 2 further.
    expect(stop.points[0].positions[0]).to.be.closeTo(0.1 + 0.1, 1e-12);
    expect(stop.points[0].positions[1]).to.be.closeTo(0.05 + 0.05, 1e-12);
    const [, fastest] = cubicVelocityRange({ p0: 0.1, v0: 1, p1: 0.2, v1: 0, duration });
    expect(fastest).to.be.at.most(1 + 1e-12);
  });
});
