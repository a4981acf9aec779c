import { expect } from 'chai';
import { MessageError } from '../src/core/messages/errors.js';
import type { JointState } from '../src/core/messages/types.js';
import { proprioMismatch, proprioSource, readProprioception } from '../src/core/model/proprioception.js';

function jointState(name: string[], position: number[]): JointState {
  return { header: { stamp: { sec: 5, nanosec: 0 }, frame_id: '' }, name, position, velocity: [], effort: [] };
}

describe('reasoning/proprioception', () => {
  const ARM = ['j1', 'j2', 'j3'];
  const source = proprioSource(ARM, { joints: ['finger'], openPosition: 0.04, closedPosition: 0 });

  it('reads the arm joints in joint_names order, without the gripper for a model that does not take it', () => {
    const { joints, proprio } = readProprioception(jointState(['finger', 'j3', 'j1', 'j2'], [0.04, 3, 1, 2]), source, false);
    expect(Array.from(joints)).to.deep.equal([1, 2, 3]);
    expect(Array.from(proprio)).to.deep.equal([1, 2, 3]);
  });

  it("appends the gripper's opening: 1 open, 0 closed, in between on an object, clamped to [0, 1]", () => {
    const opening = (finger: number): number =>
      readProprioception(jointState(['j1', 'j2', 'j3', 'finger'], [1, 2, 3, finger]), source, true).proprio[3];
    expect(opening(0.04)).to.equal(1);
    expect(opening(0)).to.equal(0);
    expect(opening(0.021)).to.be.closeTo(0.525, 1e-6);
    expect(opening(0.05)).to.equal(1);
    expect(opening(-0.001)).to.equal(0);
    const { joints, proprio } = readProprioception(jointState(['j1', 'j2', 'j3', 'finger'], [1, 2, 3, 0.02]), source, true);
    expect(Array.from(joints)).to.deep.equal([1, 2, 3]);
    expect(proprio).to.have.length(4);
  });

  it('follows an inverted gripper (closed position above the open one)', () => {
    const inverted = proprioSource(ARM, { joints: ['finger'], openPosition: 0, closedPosition: 0.8 });
    const opening = readProprioception(jointState(['j1', 'j2', 'j3', 'finger'], [1, 2, 3, 0.2]), inverted, true).proprio[3];
    expect(opening).to.be.closeTo(0.75, 1e-6);
  });

  it('names a missing or non-finite gripper joint', () => {
    expect(() => readProprioception(jointState(ARM, [1, 2, 3]), source, true))
      .to.throw(MessageError, /missing joint\(s\) finger/)
      .with.property('code', 'missing_joint');
    expect(() => readProprioception(jointState([...ARM, 'finger'], [1, 2, 3, NaN]), source, true)).to.throw(MessageError, /finger=NaN/);
  });

  it('says when the configuration cannot feed the model', () => {
    expect(proprioMismatch({ dim: 3, gripper: false }, source)).to.equal(null);
    expect(proprioMismatch({ dim: 4, gripper: true }, source)).to.equal(null);
    expect(proprioMismatch({ dim: 7, gripper: false }, source)).to.match(/takes 7 proprioception values, but joint_names gives 3 joint positions \(3\)/);
    expect(proprioMismatch({ dim: 3, gripper: true }, source)).to.match(/takes 3 .* gives 3 joint positions and the gripper's opening \(4\)/);
    const noGripper = proprioSource(ARM, { joints: [], openPosition: 0.04, closedPosition: 0 });
    expect(noGripper.gripper).to.equal(null);
    expect(proprioMismatch({ dim: 4, gripper: true }, noGripper)).to.match(/gripper_joints is empty/);
    const stuck = proprioSource(ARM, { joints: ['finger'], openPosition: 0.04, closedPosition: 0.04 });
    expect(proprioMismatch({ dim: 4, gripper: true }, stuck)).to.match(/gripper_open_position equals gripper_closed_position/);
  });
});
