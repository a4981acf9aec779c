import { expect } from 'chai';
import { buildJointTrajectory, emptyMarker, makeHeader, MarkerAction, MarkerType } from '../src/core/messages/builders.js';
import { MessageError } from '../src/core/messages/errors.js';
import { ageSeconds, compareTime, durationFromSeconds, timeFromSeconds, toSeconds } from '../src/core/messages/time.js';

describe('messages/time', () => {
  it('splits seconds into sec and nanosec in [0, 1e9)', () => {
    expect(timeFromSeconds(1.5)).to.deep.equal({ sec: 1, nanosec: 500_000_000 });
    expect(timeFromSeconds(1.9999999999)).to.deep.equal({ sec: 2, nanosec: 0 });
    expect(durationFromSeconds(-0.25)).to.deep.equal({ sec: -1, nanosec: 750_000_000 });
    expect(toSeconds({ sec: 3, nanosec: 250_000_000 })).to.equal(3.25);
    expect(() => durationFromSeconds(NaN)).to.throw(MessageError, /got NaN/).with.property('code', 'non_finite');
  });

  it('compares stamps and measures age without losing nanoseconds at epoch scale', () => {
    const a = { sec: 1_700_000_000, nanosec: 1 };
    const b = { sec: 1_700_000_000, nanosec: 2 };
    expect(compareTime(a, b)).to.be.below(0);
    expect(compareTime(b, a)).to.be.above(0);
    expect(compareTime(a, { ...a })).to.equal(0);
    expect(compareTime({ sec: 2, nanosec: 0 }, { sec: 1, nanosec: 999_999_999 })).to.be.above(0);
    expect(ageSeconds(a, b)).to.be.closeTo(1e-9, 1e-15);
    expect(ageSeconds({ sec: 10, nanosec: 900_000_000 }, { sec: 12, nanosec: 100_000_000 })).to.be.closeTo(1.2, 1e-12);
  });
});

describe('messages/builders', () => {
  const stamp = { sec: 100, nanosec: 5 };

  it('makes a header with a copy of the stamp', () => {
    const header = makeHeader(stamp, 'panda_link0');
    expect(header).to.deep.equal({ stamp: { sec: 100, nanosec: 5 }, frame_id: 'panda_link0' });
    expect(header.stamp).to.not.equal(stamp);
  });

  it('builds a joint trajectory with every field set and durations normalised', () => {
    const traj = buildJointTrajectory({
      stamp,
      jointNames: ['j1', 'j2'],
      points: [
        { positions: new Float64Array([0.1, 0.2]), velocities: [0.5, 0], timeFromStart: 0.25 },
        { positions: [0.3, 0.4], timeFromStart: 1.5 },
      ],
    });
    expect(traj.header).to.deep.equal({ stamp, frame_id: '' });
    expect(traj.joint_names).to.deep.equal(['j1', 'j2']);
    expect(traj.points).to.deep.equal([
      { positions: [0.1, 0.2], velocities: [0.5, 0], accelerations: [], effort: [], time_from_start: { sec: 0, nanosec: 250_000_000 } },
      { positions: [0.3, 0.4], velocities: [], accelerations: [], effort: [], time_from_start: { sec: 1, nanosec: 500_000_000 } },
    ]);
  });

  it('rejects wrong lengths, non-finite values and times that are not positive and increasing', () => {
    const base = { stamp, jointNames: ['j1', 'j2'] };
    expect(() => buildJointTrajectory({ ...base, points: [{ positions: [1], timeFromStart: 1 }] }))
      .to.throw(MessageError, /points\[0\]\.positions: expected 2 values .*got 1/)
      .with.property('code', 'length_mismatch');
    expect(() => buildJointTrajectory({ ...base, points: [{ positions: [1, 2], velocities: [0, NaN], timeFromStart: 1 }] }))
      .to.throw(MessageError, /points\[0\]\.velocities\[1\]/)
      .with.property('code', 'non_finite');
    expect(() => buildJointTrajectory({ ...base, points: [{ positions: [1, 2], timeFromStart: 0 }] }))
      .to.throw(MessageError, /expected > 0 s/)
      .with.property('code', 'bad_trajectory');
    expect(() =>
      buildJointTrajectory({
        ...base,
        points: [
          { positions: [1, 2], timeFromStart: 1 },
          { positions: [1, 2], timeFromStart: 1 },
        ],
      }),
    )
      .to.throw(MessageError, /points\[1\]\.time_from_start: expected > 1 s/)
      .with.property('code', 'bad_trajectory');
    expect(() => buildJointTrajectory({ ...base, points: [] })).to.throw(MessageError).with.property('code', 'bad_trajectory');
    expect(() => buildJointTrajectory({ stamp, jointNames: [], points: [{ positions: [], timeFromStart: 1 }] }))
      .to.throw(MessageError)
      .with.property('code', 'length_mismatch');
  });

  it('defaults every Marker field, with an identity orientation', () => {
    const m = emptyMarker();
    expect(Object.keys(m).sort()).to.deep.equal(
      [
        'header', 'ns', 'id', 'type', 'action', 'pose', 'scale', 'color', 'lifetime', 'frame_locked', 'points', 'colors',
        'texture_resource', 'texture', 'uv_coordinates', 'text', 'mesh_resource', 'mesh_file', 'mesh_use_embedded_materials',
      ].sort(),
    );
    expect(m.pose.orientation).to.deep.equal({ x: 0, y: 0, z: 0, w: 1 });
    expect(m.action).to.equal(MarkerAction.ADD);
    expect(m.texture.data).to.be.instanceOf(Uint8Array);
    expect(m.mesh_file.data).to.be.instanceOf(Uint8Array);
    // Each call gives independent objects.
    emptyMarker().points.push({ x: 1, y: 2, z: 3 });
    expect(emptyMarker().points).to.deep.equal([]);
  });

  it('uses the visualization_msgs/Marker constant values', () => {
    expect(MarkerType).to.include({ ARROW: 0, LINE_STRIP: 4, SPHERE_LIST: 7, TEXT_VIEW_FACING: 9 });
    expect(MarkerAction).to.include({ ADD: 0, DELETE: 2, DELETEALL: 3 });
  });
});
