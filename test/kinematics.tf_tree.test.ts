import { expect } from 'chai';
import { TfTree, TfLookupError } from '../src/core/kinematics/tf_tree.js';
import { applyToPoint } from '../src/core/kinematics/transform.js';
import type { TransformStamped } from '../src/core/messages/types.js';
import { timeFromSeconds } from '../src/core/messages/time.js';

/** parent -> child: child's origin at `xyz` in the parent, rotated by `yaw` about z. */
function edge(parent: string, child: string, xyz: [number, number, number], yaw = 0, stampSec = 100): TransformStamped {
  return {
    header: { stamp: timeFromSeconds(stampSec), frame_id: parent },
    child_frame_id: child,
    transform: {
      translation: { x: xyz[0], y: xyz[1], z: xyz[2] },
      rotation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) },
    },
  };
}

describe('kinematics/tf_tree', () => {
  const close = (p: { x: number; y: number; z: number }, q: [number, number, number]) => {
    expect(p.x).to.be.closeTo(q[0], 1e-12);
    expect(p.y).to.be.closeTo(q[1], 1e-12);
    expect(p.z).to.be.closeTo(q[2], 1e-12);
  };

  it('maps points down, up and across the tree through the common ancestor', () => {
    const tf = new TfTree();
    tf.add([edge('base_link', 'camera_link', [1, 0, 0.5], Math.PI / 2), edge('base_link', 'tool', [0, 2, 0])], true);
    // The origin of camera_link is at (1, 0, 0.5) in base_link.
    close(applyToPoint(tf.lookup('base_link', 'camera_link', 100), { x: 0, y: 0, z: 0 }), [1, 0, 0.5]);
    // camera_link's x axis points along base_link's y (yaw 90 degrees).
    close(applyToPoint(tf.lookup('base_link', 'camera_link', 100), { x: 1, y: 0, z: 0 }), [1, 1, 0.5]);
    // And back: base_link's (1, 1, 0.5) is camera_link's (1, 0, 0).
    close(applyToPoint(tf.lookup('camera_link', 'base_link', 100), { x: 1, y: 1, z: 0.5 }), [1, 0, 0]);
    // Across siblings: the tool origin (0, 2, 0) in base is (2, 1, -0.5) in camera_link.
    close(applyToPoint(tf.lookup('camera_link', 'tool', 100), { x: 0, y: 0, z: 0 }), [2, 1, -0.5]);
    // A frame to itself, even one nobody published, is the identity.
    close(applyToPoint(tf.lookup('somewhere', 'somewhere', 100), { x: 3, y: 4, z: 5 }), [3, 4, 5]);
  });

  it('accepts leading slashes, and the newest transform of an edge wins', () => {
    const tf = new TfTree();
    tf.add([edge('/base_link', 'cam', [1, 0, 0])], false);
    tf.add([edge('base_link', '/cam', [2, 0, 0])], false);
    close(applyToPoint(tf.lookup('base_link', 'cam', 100), { x: 0, y: 0, z: 0 }), [2, 0, 0]);
  });

  it('says which frames are not connected, and refuses old dynamic transforms but not static ones', () => {
    const tf = new TfTree(1);
    tf.add([edge('base_link', 'camera_link', [1, 0, 0], 0, 100)], true);
    tf.add([edge('base_link', 'hand', [0, 0, 1], 0, 100)], false);
    expect(() => tf.lookup('base_link', 'map', 100)).to.throw(TfLookupError, /'map' and 'base_link'/);
    expect(() => tf.lookup('camera_link', 'hand', 100.5)).not.to.throw();
    expect(() => tf.lookup('camera_link', 'hand', 105)).to.throw(TfLookupError, /base_link -> hand is 5\.0 s old/);
    expect(() => tf.lookup('base_link', 'camera_link', 1e6)).not.to.throw();
  });

  it('skips malformed transforms and counts them', () => {
    const tf = new TfTree();
    const bad = edge('base_link', 'x', [NaN, 0, 0]);
    const zeroQuaternion = edge('base_link', 'y', [0, 0, 0]);
    zeroQuaternion.transform.rotation = { x: 0, y: 0, z: 0, w: 0 };
    expect(tf.add([bad, zeroQuaternion, edge('a', 'a', [0, 0, 0]), edge('base_link', 'ok', [1, 0, 0])], false)).to.equal(3);
    expect(() => tf.lookup('base_link', 'x', 100)).to.throw(TfLookupError);
    expect(() => tf.lookup('base_link', 'ok', 100)).not.to.throw();
  });
});
