import { expect } from 'chai';
import { chunkToJointTargets, chunkToTrajectory, NotDrivableError, timedTrajectory } from '../src/core/control/chunk_to_trajectory.js';
import { checkLimits, LimitError, violation, type JointLimits, type StartState } from '../src/core/control/joint_limits.js';
import { toSeconds } from '../src/core/messages/time.js';

const limits: JointLimits = {
  names: ['a', 'b'],
  min: [-1, -2],
  max: [1, 2],
  maxVelocity: [1, 0.5],
  margin: 0.05,
};

describe('chunkToTrajectory', () => {
  it('accumulates joint deltas from the current positions, one chunk step apart, first point ahead of t=0', () => {
    const plan = chunkToTrajectory({
      space: 'joint_delta',
      chunk: [
        [0.01, -0.01],
        [0.01, -0.01],
        [0.01, -0.01],
      ],
      current: [0.2, 0.3],
      limits,
      stepSec: 0.1,
    });
    const { trajectory } = plan;
    expect(trajectory.joint_names).to.deep.equal(['a', 'b']);
    expect(trajectory.header.stamp).to.deep.equal({ sec: 0, nanosec: 0 });
    const times = trajectory.points.map((p) => toSeconds(p.time_from_start));
    [0.1, 0.2, 0.3].forEach((t, i) => expect(times[i]).to.be.closeTo(t, 1e-9));
    expect(trajectory.points[2].positions[0]).to.be.closeTo(0.23, 1e-12);
    expect(trajectory.points[2].positions[1]).to.be.closeTo(0.27, 1e-12);
    expect(trajectory.points[0].velocities[0]).to.be.closeTo(0.1, 1e-9);
    expect(trajectory.points[2].velocities).to.deep.equal([0, 0]);
    expect(plan.clampedPoints).to.equal(0);
    expect(plan.slowdown).to.be.closeTo(1, 1e-9);
    expect(violation(trajectory, [0.2, 0.3], limits)).to.equal(null);
  });

  it('clamps absolute targets inside the limits less the margin', () => {
    const plan = chunkToTrajectory({ space: 'joint_position', chunk: [[5, -5]], current: [0.9, -1.9], limits, stepSec: 0.1 });
    expect(plan.trajectory.points[0].positions).to.deep.equal([0.95, -1.95]);
    expect(plan.clampedPoints).to.equal(1);
  });

  it('slows a step down instead of exceeding a velocity limit, along the controller\'s cubic', () => {
    const plan = chunkToTrajectory({ space: 'joint_position', chunk: [[0.5, 0]], current: [0, 0], limits, stepSec: 0.1 });
    // 0.5 rad at 1 rad/s on average would take 0.5 s; from rest to rest the cubic then peaks at
    // 1.5 rad/s, so the step takes 0.75 s.
    expect(toSeconds(plan.trajectory.points[0].time_from_start)).to.be.closeTo(0.75, 1e-5);
    expect(plan.slowdown).to.be.closeTo(7.5, 1e-4);
    expect(violation(plan.trajectory, [0, 0], limits)).to.equal(null);
  });

  it('gives the first step more time when the arm\'s velocity is not measured or its position is old', () => {
    const input = { space: 'joint_position', chunk: [[0.1, 0], [0.2, 0]], current: [0, 0], limits, stepSec: 0.1 };
    const first = (start?: StartState): number => {
      const targets = chunkToJointTargets(input).targets;
      return toSeconds(timedTrajectory(targets, input.current, limits, input.stepSec, undefined, start).trajectory.points[0].time_from_start);
    };
    const atRestNow = first();
    const unmeasured = first({ velocity: null, ageSec: 0 });
    const old = first({ velocity: [0, 0], ageSec: 0.1 });
    expect(unmeasured).to.be.above(atRestNow * 1.2);
    expect(old).to.be.above(atRestNow * 1.2);
    for (const start of [{ velocity: null, ageSec: 0 }, { velocity: [0, 0], ageSec: 0.1 }]) {
      const targets = chunkToJointTargets(input).targets;
      const { trajectory } = timedTrajectory(targets, input.current, limits, input.stepSec, undefined, start);
      expect(violation(trajectory, input.current, limits, start)).to.equal(null);
      // Checked as if the arm were at rest where measured, the same trajectory is merely slow.
      expect(violation(trajectory, input.current, limits)).to.equal(null);
    }
  });

  it('lets the first segment keep the arm\'s speed only in the direction it moves', () => {
    const start = { velocity: [1.3, 0], ageSec: 0 };
    const { trajectory } = timedTrajectory([[-0.1, 0]], [0, 0], limits, 0.1, undefined, start);
    expect(violation(trajectory, [0, 0], limits, start)).to.equal(null);
    // Turned back within one chunk step, the joint would reach well beyond -1 rad/s backwards.
    const hasty = structuredClone(trajectory);
    hasty.points[0].time_from_start = { sec: 0, nanosec: 100_000_000 };
    expect(violation(hasty, [0, 0], limits, start)).to.match(/^point 0: a would reach -[0-9.]+ < -1 between the points/);
  });

  it('commands an arm parked at its margin\'s edge away from it, however old (within limits) the joint state', () => {
    const tight: JointLimits = { ...limits, margin: 0.02 };
    const start = { velocity: [-0.001, 0], ageSec: 0.021 };
    const { trajectory } = timedTrajectory([[-0.9, 0]], [-0.98, 0], tight, 0.1, undefined, start);
    expect(violation(trajectory, [-0.98, 0], tight, start)).to.equal(null);
  });

  it('lets the first segment start as fast as the arm already moves, but no faster', () => {
    const targets = [[0.3, 0]];
    const start = { velocity: [1.2, 0], ageSec: 0 };
    const { trajectory } = timedTrajectory(targets, [0, 0], limits, 0.1, undefined, start);
    expect(violation(trajectory, [0, 0], limits, start)).to.equal(null);
    expect(Math.abs(trajectory.points[0].velocities[0])).to.be.at.most(1);
    // The same trajectory from an arm at the limit speed would go beyond it.
    expect(violation(trajectory, [0, 0], limits, { velocity: [1.0, 0], ageSec: 0 })).to.match(/^point 0: a would reach 1\.[0-9]+ > 1 between the points/);
  });

  it('refuses end-effector actions without a robot model, non-finite actions and too few values', () => {
    expect(() => chunkToTrajectory({ space: 'ee_delta', chunk: [[0, 0, 0, 0, 0, 0, 1]], current: [0, 0], limits, stepSec: 0.1 }))
      .to.throw(NotDrivableError, /robot model/);
    expect(() => chunkToTrajectory({ space: 'joint_delta', chunk: [[NaN, 0]], current: [0, 0], limits, stepSec: 0.1 }))
      .to.throw(NotDrivableError, /not finite/);
    expect(() => chunkToTrajectory({ space: 'joint_delta', chunk: [[0]], current: [0, 0], limits, stepSec: 0.1 }))
      .to.throw(NotDrivableError, /1 values/);
    expect(() => chunkToTrajectory({ space: 'joint_delta', chunk: [], current: [0, 0], limits, stepSec: 0.1 }))
      .to.throw(NotDrivableError, /empty/);
  });

  it('keeps every point of random chunks inside position and velocity limits', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 500; trial++) {
      const space = trial % 2 === 0 ? 'joint_delta' : 'joint_position';
      const chunk = Array.from({ length: 1 + Math.floor(random() * 10) }, () => [random() * 6 - 3, random() * 6 - 3]);
      const current = [random() * 1.8 - 0.9, random() * 3.8 - 1.9];
      const plan = chunkToTrajectory({ space, chunk, current, limits, stepSec: 0.02 + random() * 0.2 });
      expect(violation(plan.trajectory, current, limits), `trial ${trial}`).to.equal(null);
    }
  });
});

describe('joint limits', () => {
  it('names the parameter whose length does not fit joint_names', () => {
    expect(() => checkLimits({ ...limits, max: [1] })).to.throw(LimitError, /joint_position_max has 1 values/);
    expect(() => checkLimits({ ...limits, min: [0.99, -2], max: [1, 2] })).to.throw(LimitError, /joint a/);
    expect(() => checkLimits({ ...limits, maxVelocity: [0, 1] })).to.throw(LimitError, /velocity/);
  });

  it('finds a point outside the limits, a jump too fast and a non-increasing time', () => {
    const base = chunkToTrajectory({ space: 'joint_position', chunk: [[0.1, 0.1], [0.2, 0.2]], current: [0, 0], limits, stepSec: 0.5 });
    const outside = structuredClone(base.trajectory);
    outside.points[1].positions[0] = 0.99;
    expect(violation(outside, [0, 0], limits)).to.match(/outside/);
    const fast = structuredClone(base.trajectory);
    fast.points[0].time_from_start = { sec: 0, nanosec: 10_000_000 };
    expect(violation(fast, [0, 0], limits)).to.match(/would move at/);
    const backwards = structuredClone(base.trajectory);
    backwards.points[1].time_from_start = backwards.points[0].time_from_start;
    expect(violation(backwards, [0, 0], limits)).to.match(/does not increase/);
    // Every point within the limits, yet from rest to rest the cubic peaks at 1.5 times the average.
    const peaky = chunkToTrajectory({ space: 'joint_position', chunk: [[0.5, 0]], current: [0, 0], limits, stepSec: 0.1 }).trajectory;
    peaky.points[0].time_from_start = { sec: 0, nanosec: 500_000_000 };
    expect(violation(peaky, [0, 0], limits)).to.match(/a would reach 1\.500 > 1 between the points/);
    // A point velocity that carries the joint past its limit before it turns back.
    const overshoot = chunkToTrajectory({ space: 'joint_position', chunk: [[0.9, 0], [0.8, 0]], current: [0.8, 0], limits, stepSec: 1 }).trajectory;
    expect(violation(overshoot, [0.8, 0], limits)).to.equal(null);
    overshoot.points[0].velocities[0] = 1;
    expect(violation(overshoot, [0.8, 0], limits)).to.match(/^point 1: a would overshoot to 1\.026[0-9]*, outside \[-1, 1\]/);
    const noVelocities = structuredClone(base.trajectory);
    noVelocities.points[0].velocities = [];
    expect(violation(noVelocities, [0, 0], limits)).to.match(/0 velocities for 2 joints/);
    const wrongNames = structuredClone(base.trajectory);
    wrongNames.joint_names = ['b', 'a'];
    expect(violation(wrongNames, [0, 0], limits)).to.match(/joint names/);
  });
});
