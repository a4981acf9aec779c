import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { KinematicChain } from '../src/core/kinematics/chain.js';
import { identity, type Transform } from '../src/core/kinematics/transform.js';
import { parseUrdf, UrdfError, type RobotDescription } from '../src/core/kinematics/urdf.js';
import { seededRandom, uniform, type Random } from '../src/core/util/random.js';

function loadRobot(name: string): RobotDescription {
  return parseUrdf(readFileSync(fileURLToPath(new URL(`../../config/robots/urdf/${name}.urdf`, import.meta.url)), 'utf8'));
}

// ---- A deliberately plain forward kinematics with 4x4 matrices, independent of chain.ts/transform.ts.
type M4 = number[][];
function mul4(a: M4, b: M4): M4 {
  return [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j] + a[i][3] * b[3][j]));
}
const eye4 = (): M4 => [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
function rot4(m: number[][]): M4 {
  return [[...m[0], 0], [...m[1], 0], [...m[2], 0], [0, 0, 0, 1]];
}
const rx = (a: number): M4 => rot4([[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]]);
const ry = (a: number): M4 => rot4([[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]]);
const rz = (a: number): M4 => rot4([[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]]);
function trans(x: number, y: number, z: number): M4 {
  const m = eye4();
  m[0][3] = x;
  m[1][3] = y;
  m[2][3] = z;
  return m;
}
/** Rotation by `angle` about the (not necessarily unit) axis: exp(angle [k]x) = I + sin K + (1 - cos) K^2. */
function aboutAxis(axis: number[], angle: number): M4 {
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  const [x, y, z] = axis.map((v) => v / n);
  const K = [[0, -z, y], [z, 0, -x], [-y, x, 0]];
  const K2 = [0, 1, 2].map((i) => [0, 1, 2].map((j) => K[i][0] * K[0][j] + K[i][1] * K[1][j] + K[i][2] * K[2][j]));
  const s = Math.sin(angle), c = 1 - Math.cos(angle);
  return rot4([0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0) + s * K[i][j] + c * K2[i][j])));
}

/** Pose of `tip` in `base`, walking the parsed tree upwards; `values` by joint name (mimics resolved here). */
function naiveForward(robot: RobotDescription, base: string, tip: string, values: Record<string, number>): M4 {
  let pose = eye4();
  let link = tip;
  while (link !== base) {
    const joint = robot.parentJoint.get(link)!;
    let local = mul4(trans(...joint.xyz), mul4(rz(joint.rpy[2]), mul4(ry(joint.rpy[1]), rx(joint.rpy[0]))));
    let value = values[joint.name] ?? 0;
    if (joint.mimic) value = joint.mimic.multiplier * (values[joint.mimic.joint] ?? 0) + joint.mimic.offset;
    if (joint.type === 'revolute' || joint.type === 'continuous') local = mul4(local, aboutAxis(joint.axis, value));
    if (joint.type === 'prismatic') local = mul4(local, trans(joint.axis[0] * value, joint.axis[1] * value, joint.axis[2] * value));
    pose = mul4(local, pose);
    link = joint.parent;
  }
  return pose;
}

function namedValues(chain: KinematicChain, q: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(chain.jointNames.map((name, i) => [name, q[i]]));
}

function maxDiffTo4(t: Transform, m: M4): number {
  let d = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) d = Math.max(d, Math.abs(t[i * 4 + j] - m[i][j]));
  return d;
}

function randomWithinLimits(chain: KinematicChain, random: Random): Float64Array {
  return Float64Array.from(chain.lower, (lo, i) => {
    const hi = chain.upper[i];
    return Number.isFinite(lo) && Number.isFinite(hi) ? uniform(random, lo, hi) : uniform(random, -Math.PI, Math.PI);
  });
}

/** Angular velocity from two nearby rotations: the skew part of Ra Rb^T (valid to third order in the angle). */
function skewOfProduct(a: Transform, b: Transform): [number, number, number] {
  const m = (i: number, j: number): number => a[i * 4] * b[j * 4] + a[i * 4 + 1] * b[j * 4 + 1] + a[i * 4 + 2] * b[j * 4 + 2];
  return [(m(2, 1) - m(1, 2)) / 2, (m(0, 2) - m(2, 0)) / 2, (m(1, 0) - m(0, 1)) / 2];
}

/** Central finite differences of forward kinematics, as a 6 x n row-major matrix. */
function numericJacobian(chain: KinematicChain, q: Float64Array, h = 1e-6): Float64Array {
  const n = chain.dof;
  const J = new Float64Array(6 * n);
  for (let c = 0; c < n; c++) {
    const plus = Float64Array.from(q);
    const minus = Float64Array.from(q);
    plus[c] += h;
    minus[c] -= h;
    const a = chain.forward(plus);
    const b = chain.forward(minus);
    J[c] = (a[3] - b[3]) / (2 * h);
    J[n + c] = (a[7] - b[7]) / (2 * h);
    J[2 * n + c] = (a[11] - b[11]) / (2 * h);
    const w = skewOfProduct(a, b);
    for (let r = 0; r < 3; r++) J[(3 + r) * n + c] = w[r] / (2 * h);
  }
  return J;
}

function expectJacobianMatchesFiniteDifferences(chain: KinematicChain, random: Random, samples: number): void {
  const n = chain.dof;
  const pose = identity();
  const J = new Float64Array(6 * n).fill(NaN);
  for (let k = 0; k < samples; k++) {
    const q = randomWithinLimits(chain, random);
    chain.forwardWithJacobian(q, pose, J);
    const numeric = numericJacobian(chain, q);
    for (let i = 0; i < 6 * n; i++) {
      expect(J[i], `J[${Math.floor(i / n)}][${i % n}] at q=${Array.from(q).map((v) => v.toFixed(3))}`).to.be.closeTo(numeric[i], 1e-7);
    }
    // The pose that comes with the Jacobian is forward().
    const fk = chain.forward(q);
    for (let i = 0; i < 12; i++) expect(pose[i]).to.equal(fk[i]);
  }
}

// A hand-written chain with a mimic joint, a prismatic joint and fixed joints between them.
const MIMIC_URDF = `<?xml version="1.0"?>
<robot name="mimicbot">
  <link name="base"/><link name="l1"/><link name="l2"/><link name="l3"/><link name="l4"/><link name="l5"/><link name="tip"/>
  <link name="side"/>
  <joint name="j1" type="revolute">
    <parent link="base"/><child link="l1"/>
    <origin xyz="0 0 0.2"/><axis xyz="0 0 1"/><limit lower="-2" upper="2" velocity="1.5"/>
  </joint>
  <joint name="bracket" type="fixed">
    <parent link="l1"/><child link="l2"/>
    <origin xyz="0.1 0 0" rpy="0.3 0 0"/>
  </joint>
  <joint name="follower" type="revolute">
    <parent link="l2"/><child link="l3"/>
    <origin xyz="0.2 0 0"/><axis xyz="0 1 0"/><limit lower="-5" upper="5"/>
    <mimic joint="j1" multiplier="-2" offset="0.3"/>
  </joint>
  <joint name="slide" type="prismatic">
    <parent link="l3"/><child link="l4"/>
    <origin xyz="0 0.05 0" rpy="0 0 0.4"/><axis xyz="1 0 0"/><limit lower="0" upper="0.1" velocity="0.2"/>
  </joint>
  <joint name="wrist" type="continuous">
    <parent link="l4"/><child link="l5"/>
    <origin xyz="0.1 0 0" rpy="0 0.2 0"/><axis xyz="0 1 1"/>
  </joint>
  <joint name="flange" type="fixed">
    <parent link="l5"/><child link="tip"/>
    <origin xyz="0 0 0.07" rpy="0.1 -0.2 0.3"/>
  </joint>
  <joint name="side_joint" type="floating">
    <parent link="l2"/><child link="side"/>
  </joint>
</robot>`;

describe('kinematics/chain', () => {
  describe('structure', () => {
    it('takes the non-mimic moving joints as variables with their limits', () => {
      const panda = new KinematicChain(loadRobot('panda'), 'panda_link0', 'panda_hand');
      expect(panda.dof).to.equal(7);
      expect(panda.jointNames).to.deep.equal([1, 2, 3, 4, 5, 6, 7].map((i) => `panda_joint${i}`));
      expect(panda.lower[3]).to.equal(-3.1416);
      expect(panda.upper[5]).to.equal(3.8223);
      expect(panda.velocity[6]).to.equal(2.871);
      expect([panda.baseLink, panda.tipLink]).to.deep.equal(['panda_link0', 'panda_hand']);

      const mimic = new KinematicChain(parseUrdf(MIMIC_URDF), 'base', 'tip');
      expect(mimic.jointNames).to.deep.equal(['j1', 'slide', 'wrist']);
      expect(Array.from(mimic.lower)).to.deep.equal([-2, 0, -Infinity]);
      expect(Array.from(mimic.upper)).to.deep.equal([2, 0.1, Infinity]);
      expect(Array.from(mimic.velocity)).to.deep.equal([1.5, 0.2, Infinity]);
    });

    it('clamps into the limits in place', () => {
      const mimic = new KinematicChain(parseUrdf(MIMIC_URDF), 'base', 'tip');
      const q = Float64Array.from([3, -1, 100]);
      expect(mimic.clamp(q)).to.equal(q);
      expect(Array.from(q)).to.deep.equal([2, 0, 100]);
    });

    it('refuses a joint vector of the wrong length', () => {
      const ur = new KinematicChain(loadRobot('ur5e'), 'base_link', 'tool0');
      expect(() => ur.forward([0, 0, 0])).to.throw(RangeError, /3 joint values for a chain of 6 joints/);
      expect(() => ur.forwardWithJacobian(new Float64Array(7), identity(), new Float64Array(42))).to.throw(RangeError);
    });

    it('refuses a chain of fixed joints only, and base = tip', () => {
      expect(() => new KinematicChain(loadRobot('panda'), 'panda_link7', 'panda_hand')).to.throw(
        UrdfError,
        /no moving joint between 'panda_link7' and 'panda_hand'/,
      );
      expect(() => new KinematicChain(loadRobot('panda'), 'panda_link3', 'panda_link3')).to.throw(UrdfError, /no moving joint/);
    });

    it('refuses a floating (or planar) joint inside the chain', () => {
      expect(() => new KinematicChain(parseUrdf(MIMIC_URDF), 'base', 'side')).to.throw(
        UrdfError,
        /joint 'side_joint' between 'base' and 'side' is floating/,
      );
      const planar = parseUrdf(MIMIC_URDF.replace('type="floating"', 'type="planar"'));
      expect(() => new KinematicChain(planar, 'base', 'side')).to.throw(UrdfError, /joint 'side_joint' between 'base' and 'side' is planar/);
      // The floating joint on a side branch does not affect the arm chain.
      expect(new KinematicChain(parseUrdf(MIMIC_URDF), 'base', 'tip').dof).to.equal(3);
    });

    it('refuses a mimic joint whose leader is not in the chain', () => {
      // right_finger mimics left_finger, which is on a sibling branch.
      expect(() => new KinematicChain(loadRobot('wx250s'), 'base_link', 'right_finger_link')).to.throw(
        UrdfError,
        /joint 'right_finger' mimics 'left_finger', which is not a free joint between 'base_link' and 'right_finger_link'/,
      );
      expect(() => new KinematicChain(parseUrdf(MIMIC_URDF), 'l2', 'tip')).to.throw(UrdfError, /'follower' mimics 'j1'/);
    });

    it('passes on URDF errors for unknown links and a tip above the base', () => {
      expect(() => new KinematicChain(loadRobot('ur5e'), 'world', 'tool0')).to.throw(UrdfError, /base link 'world'/);
      expect(() => new KinematicChain(loadRobot('ur5e'), 'tool0', 'base_link')).to.throw(UrdfError, /not below/);
      // 'base' is a leaf beside the arm, not its root.
      expect(() => new KinematicChain(loadRobot('ur5e'), 'base', 'tool0')).to.throw(UrdfError, /not below base link 'base'/);
    });
  });

  describe('forward kinematics', () => {
    it('puts the Panda hand at (0.088, 0, 0.926) at all-zero joints, pointing down, turned -45 degrees', () => {
      // z: 0.333 (joint1) + 0.316 (joint3) + 0.384 (joint5) - 0.107 (flange, pointing down); x: 0.0825 - 0.0825 + 0.088.
      const chain = new KinematicChain(loadRobot('panda'), 'panda_link0', 'panda_hand');
      const t = chain.forward(new Float64Array(7));
      const c = Math.SQRT1_2;
      const expected = [c, c, 0, 0.088, c, -c, 0, 0, 0, 0, -1, 0.926];
      for (let i = 0; i < 12; i++) expect(t[i]).to.be.closeTo(expected[i], 1e-9);
    });

    it('puts the Panda hand at the flange plus the yaw of panda_hand_joint', () => {
      const robot = loadRobot('panda');
      const hand = new KinematicChain(robot, 'panda_link0', 'panda_hand');
      const flange = new KinematicChain(robot, 'panda_link0', 'panda_link8');
      const random = seededRandom(5);
      for (let k = 0; k < 10; k++) {
        const q = randomWithinLimits(hand, random);
        const a = hand.forward(q);
        const b = flange.forward(q);
        // Same position; x axis of the hand = flange x rotated by -45 degrees about flange z.
        for (const i of [3, 7, 11]) expect(a[i]).to.be.closeTo(b[i], 1e-12);
        for (const r of [0, 4, 8]) expect(a[r]).to.be.closeTo(Math.SQRT1_2 * (b[r] - b[r + 1]), 1e-9);
        for (const r of [2, 6, 10]) expect(a[r]).to.be.closeTo(b[r], 1e-12);
      }
    });

    it('puts UR5e tool0 at the DH position at all-zero joints (base_link is base turned by 180 degrees)', () => {
      // In the DH "base" frame: x = a2 + a3 = -0.8172, y = -(d4 + d6) = -0.2329, z = d1 - d5 = 0.0628,
      // tool z along -y. base_link is that frame turned half a turn about z.
      const chain = new KinematicChain(loadRobot('ur5e'), 'base_link', 'tool0');
      const t = chain.forward(new Float64Array(6));
      const expected = [-1, 0, 0, 0.8172, 0, 0, 1, 0.2329, 0, 1, 0, 0.0628];
      for (let i = 0; i < 12; i++) expect(t[i]).to.be.closeTo(expected[i], 1e-9);
    });

    it('puts the WX250s ee_gripper_link straight ahead at all-zero joints', () => {
      const chain = new KinematicChain(loadRobot('wx250s'), 'base_link', 'ee_gripper_link');
      const t = chain.forward(new Float64Array(6));
      const x = 0.04975 + 0.175 + 0.075 + 0.065 + 0.043 + 0.023 + 0.027575;
      const z = 0.072 + 0.03865 + 0.25;
      const expected = [1, 0, 0, x, 0, 1, 0, 0, 0, 0, 1, z];
      for (let i = 0; i < 12; i++) expect(t[i]).to.be.closeTo(expected[i], 1e-12);
    });

    for (const [name, base, tip] of [
      ['panda', 'panda_link0', 'panda_hand'],
      ['ur5e', 'base_link', 'tool0'],
      ['wx250s', 'base_link', 'ee_gripper_link'],
      ['wx250s', 'base_link', 'left_finger_link'],
      ['panda', 'panda_link2', 'panda_link6'],
    ] as const) {
      it(`${name} ${base} -> ${tip} agrees with a plain matrix product over the URDF joints`, () => {
        const robot = loadRobot(name);
        const chain = new KinematicChain(robot, base, tip);
        const random = seededRandom(100 + tip.length);
        for (let k = 0; k < 50; k++) {
          const q = randomWithinLimits(chain, random);
          const out = identity();
          expect(chain.forward(q, out)).to.equal(out);
          expect(maxDiffTo4(out, naiveForward(robot, base, tip, namedValues(chain, q)))).to.be.below(1e-12);
        }
      });
    }

    it('moves a mimic joint as multiplier * leader + offset', () => {
      const robot = parseUrdf(MIMIC_URDF);
      const chain = new KinematicChain(robot, 'base', 'tip');
      const random = seededRandom(7);
      for (let k = 0; k < 50; k++) {
        const q = randomWithinLimits(chain, random);
        const values = namedValues(chain, q);
        const t = chain.forward(q);
        // naiveForward applies follower = -2 * j1 + 0.3 from the URDF.
        expect(maxDiffTo4(t, naiveForward(robot, 'base', 'tip', values))).to.be.below(1e-12);
        // Spelled out without the mimic: the follower joint's value put in by hand.
        const unmimicked = parseUrdf(MIMIC_URDF.replace(/<mimic[^>]*\/>/, ''));
        const explicit = naiveForward(unmimicked, 'base', 'tip', { ...values, follower: -2 * q[0] + 0.3 });
        expect(maxDiffTo4(t, explicit)).to.be.below(1e-12);
        // ... and it is not the leader's value copied (multiplier and offset matter).
        const copied = naiveForward(unmimicked, 'base', 'tip', { ...values, follower: q[0] });
        expect(maxDiffTo4(t, copied)).to.be.above(1e-3);
      }
    });

    it('folds fixed joints in: the tip of a chain ending in fixed joints is the last moving frame times their origins', () => {
      const robot = loadRobot('ur5e');
      const tool = new KinematicChain(robot, 'base_link', 'tool0');
      const wrist = new KinematicChain(robot, 'base_link', 'wrist_3_link');
      const q = Float64Array.from([0.3, -1.2, 1.4, -0.7, 1.1, 2.5]);
      const a = tool.forward(q);
      const b = wrist.forward(q);
      // wrist_3-flange then flange-tool0: rpy (0, -pi/2, -pi/2) then (pi/2, 0, pi/2) = identity rotation.
      for (let i = 0; i < 12; i++) expect(a[i]).to.be.closeTo(b[i], 1e-9);
    });
  });

  describe('geometric Jacobian', () => {
    it('equals finite differences of FK for the Panda', () => {
      expectJacobianMatchesFiniteDifferences(new KinematicChain(loadRobot('panda'), 'panda_link0', 'panda_hand'), seededRandom(1), 30);
    });

    it('equals finite differences of FK for the UR5e', () => {
      expectJacobianMatchesFiniteDifferences(new KinematicChain(loadRobot('ur5e'), 'base_link', 'tool0'), seededRandom(2), 30);
    });

    it('equals finite differences of FK for the WX250s, to the gripper and to a finger (prismatic)', () => {
      const robot = loadRobot('wx250s');
      expectJacobianMatchesFiniteDifferences(new KinematicChain(robot, 'base_link', 'ee_gripper_link'), seededRandom(3), 30);
      const finger = new KinematicChain(robot, 'base_link', 'left_finger_link');
      expect(finger.dof).to.equal(7);
      expectJacobianMatchesFiniteDifferences(finger, seededRandom(4), 30);
    });

    it('equals finite differences of FK with a mimic joint, a prismatic joint and a continuous joint', () => {
      expectJacobianMatchesFiniteDifferences(new KinematicChain(parseUrdf(MIMIC_URDF), 'base', 'tip'), seededRandom(6), 50);
    });

    it('has a pure translation column for a prismatic joint: its axis in the base frame', () => {
      const chain = new KinematicChain(loadRobot('wx250s'), 'base_link', 'left_finger_link');
      const q = Float64Array.from([0.4, 0.2, -0.3, 0.5, 0.1, -0.6, 0.02]);
      const pose = identity();
      const J = new Float64Array(6 * 7);
      chain.forwardWithJacobian(q, pose, J);
      const finger = chain.forward(q);
      // left_finger's axis is +y of fingers_link, which has the finger link's orientation.
      for (let r = 0; r < 3; r++) expect(J[r * 7 + 6]).to.be.closeTo(finger[r * 4 + 1], 1e-12);
      for (let r = 3; r < 6; r++) expect(J[r * 7 + 6]).to.equal(0);
    });

    it('overwrites a Jacobian buffer holding old values', () => {
      const chain = new KinematicChain(loadRobot('ur5e'), 'base_link', 'tool0');
      const q = Float64Array.from([0.1, -0.5, 0.9, 0.2, -0.4, 1.0]);
      const fresh = new Float64Array(36);
      chain.forwardWithJacobian(q, identity(), fresh);
      const dirty = new Float64Array(36).fill(123);
      chain.forwardWithJacobian(q, identity(), dirty);
      expect(Array.from(dirty)).to.deep.equal(Array.from(fresh));
    });
  });
});
