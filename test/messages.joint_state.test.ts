import { expect } from 'chai';
import { MessageError } from '../src/core/messages/errors.js';
import { jointMotion, jointPositions } from '../src/core/messages/joint_state.js';
import type { JointState } from '../src/core/messages/types.js';

function jointState(name: string[], position: number[]): JointState {
  return { header: { stamp: { sec: 5, nanosec: 0 }, frame_id: '' }, name, position, velocity: [], effort: [] };
}

describe('messages/joint_state', () => {
  // joint_state_broadcaster publishes in its own order, with the gripper mixed in.
  const msg = jointState(
    ['panda_finger_joint1', 'panda_joint3', 'panda_joint1', 'panda_joint2'],
    [0.04, -0.3, 0.1, 0.2],
  );

  it('returns positions in the order asked for', () => {
    const out = jointPositions(msg, ['panda_joint1', 'panda_joint2', 'panda_joint3']);
    expect(out).to.be.instanceOf(Float64Array);
    expect(Array.from(out)).to.deep.equal([0.1, 0.2, -0.3]);
  });

  it('names every missing joint and what the message has', () => {
    expect(() => jointPositions(msg, ['panda_joint1', 'panda_joint4', 'panda_joint5']))
      .to.throw(MessageError, /missing joint\(s\) panda_joint4, panda_joint5; the message has \[panda_finger_joint1, panda_joint3/)
      .with.property('code', 'missing_joint');
  });

  it('rejects NaN and Inf positions of requested joints only', () => {
    const bad = jointState(['a', 'b', 'c'], [NaN, 1, Infinity]);
    expect(Array.from(jointPositions(bad, ['b']))).to.deep.equal([1]);
    expect(() => jointPositions(bad, ['a', 'b', 'c']))
      .to.throw(MessageError, /a=NaN, c=Infinity/)
      .with.property('code', 'non_finite');
  });

  it('rejects positions beyond float32 range, which would reach the model as Infinity', () => {
    const huge = jointState(['a', 'b', 'c'], [1e39, 3.4e38, -1e39]);
    expect(Array.from(jointPositions(huge, ['b']))).to.deep.equal([3.4e38]);
    expect(Math.fround(1e39)).to.equal(Infinity);
    expect(() => jointPositions(huge, ['a', 'b', 'c']))
      .to.throw(MessageError, /float32 range.*a=1e\+39, c=-1e\+39/)
      .with.property('code', 'non_finite');
  });

  it('gives no velocities when one is beyond float32 range', () => {
    const msg2: JointState = { ...jointState(['a', 'b'], [0, 0]), velocity: [0.1, 1e39] };
    expect(jointMotion(msg2, ['a', 'b']).velocities).to.equal(null);
    expect(Array.from(jointMotion(msg2, ['a']).velocities!)).to.deep.equal([0.1]);
  });

  it('rejects a message whose name and position lengths differ', () => {
    expect(() => jointPositions(jointState(['a', 'b'], [1]), ['a']))
      .to.throw(MessageError, /positions as names \(2\), got 1/)
      .with.property('code', 'length_mismatch');
  });
});
