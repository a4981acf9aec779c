import { expect } from 'chai';
import {
  compose,
  fromXyzRpy,
  identity,
  poseDistance,
  poseError,
  rotationVectorOf,
  rpyOf,
  setAxisAngle,
  setRotationVector,
  setRpy,
  translationOf,
  type Transform,
} from '../src/core/kinematics/transform.js';
import { seededRandom, uniform, type Random } from '../src/core/util/random.js';

/** Largest absolute difference between two transforms (all 12 entries). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < 12; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Plain 3x3 rotation products, written independently of transform.ts. */
type M3 = number[][];
function mul3(a: M3, b: M3): M3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j]));
}
const rotX = (a: number): M3 => [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
const rotY = (a: number): M3 => [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];
const rotZ = (a: number): M3 => [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
function rotationOf(t: Transform): M3 {
  return [[t[0], t[1], t[2]], [t[4], t[5], t[6]], [t[8], t[9], t[10]]];
}
function maxDiff3(a: M3, b: M3): number {
  let d = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
  return d;
}

function randomTransform(random: Random): Transform {
  const t = identity();
  setRpy(t, uniform(random, -Math.PI, Math.PI), uniform(random, -1.5, 1.5), uniform(random, -Math.PI, Math.PI));
  t[3] = uniform(random, -2, 2);
  t[7] = uniform(random, -2, 2);
  t[11] = uniform(random, -2, 2);
  return t;
}

function randomUnit(random: Random): [number, number, number] {
  for (;;) {
    const v: [number, number, number] = [uniform(random, -1, 1), uniform(random, -1, 1), uniform(random, -1, 1)];
    const n = Math.hypot(...v);
    if (n > 0.1 && n <= 1) return [v[0] / n, v[1] / n, v[2] / n];
  }
}

/** Angle wrapped into (-pi, pi]. */
function wrap(a: number): number {
  let w = a % (2 * Math.PI);
  if (w > Math.PI) w -= 2 * Math.PI;
  if (w <= -Math.PI) w += 2 * Math.PI;
  return w;
}

describe('kinematics/transform', () => {
  describe('setRpy / rpyOf', () => {
    it('builds R = Rz(yaw) Ry(pitch) Rx(roll) about the fixed axes', () => {
      const random = seededRandom(11);
      for (let k = 0; k < 50; k++) {
        const [r, p, y] = [uniform(random, -3, 3), uniform(random, -3, 3), uniform(random, -3, 3)];
        const expected = mul3(rotZ(y), mul3(rotY(p), rotX(r)));
        expect(maxDiff3(rotationOf(setRpy(identity(), r, p, y)), expected)).to.be.below(1e-14);
      }
    });

    it('leaves the translation of the transform untouched', () => {
      const t = identity();
      t[3] = 1.5;
      t[7] = -2.5;
      t[11] = 3.5;
      setRpy(t, 0.3, -0.2, 0.1);
      expect(translationOf(t)).to.deep.equal([1.5, -2.5, 3.5]);
    });

    it('round trips roll, pitch, yaw away from gimbal lock', () => {
      const random = seededRandom(12);
      for (let k = 0; k < 500; k++) {
        const rpy: [number, number, number] = [
          uniform(random, -Math.PI + 1e-6, Math.PI - 1e-6),
          uniform(random, -Math.PI / 2 + 1e-3, Math.PI / 2 - 1e-3),
          uniform(random, -Math.PI + 1e-6, Math.PI - 1e-6),
        ];
        const back = rpyOf(setRpy(identity(), ...rpy));
        for (let i = 0; i < 3; i++) expect(back[i]).to.be.closeTo(rpy[i], 1e-9);
      }
    });

    it('returns pitch in [-pi/2, pi/2] and the same rotation for angles outside the canonical ranges', () => {
      const random = seededRandom(13);
      for (let k = 0; k < 200; k++) {
        const t = setRpy(identity(), uniform(random, -6, 6), uniform(random, -6, 6), uniform(random, -6, 6));
        const [r, p, y] = rpyOf(t);
        expect(p).to.be.within(-Math.PI / 2, Math.PI / 2);
        expect(maxDiff(setRpy(identity(), r, p, y), t)).to.be.below(1e-9);
      }
    });

    it('at gimbal lock puts the whole defined angle into yaw and keeps the rotation', () => {
      for (const [roll, yaw] of [[0.4, 1.1], [-2.5, 0.7], [3.0, -3.0], [0, 0]]) {
        // pitch = +pi/2: only yaw - roll is defined.
        const up = setRpy(identity(), roll, Math.PI / 2, yaw);
        const [r1, p1, y1] = rpyOf(up);
        expect(r1).to.equal(0);
        expect(p1).to.be.closeTo(Math.PI / 2, 1e-12);
        expect(wrap(y1 - (yaw - roll))).to.be.closeTo(0, 1e-12);
        expect(maxDiff(setRpy(identity(), r1, p1, y1), up)).to.be.below(1e-12);
        // pitch = -pi/2: only yaw + roll is defined.
        const down = setRpy(identity(), roll, -Math.PI / 2, yaw);
        const [r2, p2, y2] = rpyOf(down);
        expect(r2).to.equal(0);
        expect(p2).to.be.closeTo(-Math.PI / 2, 1e-12);
        expect(wrap(y2 - (yaw + roll))).to.be.closeTo(0, 1e-12);
        expect(maxDiff(setRpy(identity(), r2, p2, y2), down)).to.be.below(1e-12);
      }
    });

    it('stays consistent just next to gimbal lock', () => {
      for (const eps of [1e-5, 1e-7, 1e-9, 1e-12]) {
        for (const sign of [1, -1]) {
          const t = setRpy(identity(), 0.8, sign * (Math.PI / 2 - eps), -1.3);
          const back = rpyOf(t);
          expect(maxDiff(setRpy(identity(), ...back), t)).to.be.below(1e-6);
        }
      }
    });
  });

  describe('rotation vectors', () => {
    function roundTrip(v: [number, number, number]): [number, number, number] {
      const t = setRotationVector(identity(), ...v);
      const out: [number, number, number] = [NaN, NaN, NaN];
      rotationVectorOf(t, out);
      return out;
    }

    it('setRotationVector matches Rodrigues about the coordinate axes', () => {
      expect(maxDiff3(rotationOf(setRotationVector(identity(), 0.7, 0, 0)), rotX(0.7))).to.be.below(1e-15);
      expect(maxDiff3(rotationOf(setRotationVector(identity(), 0, -1.2, 0)), rotY(-1.2))).to.be.below(1e-15);
      expect(maxDiff3(rotationOf(setRotationVector(identity(), 0, 0, 2.9)), rotZ(2.9))).to.be.below(1e-15);
    });

    it('round trips random rotation vectors with angles in (0, pi)', () => {
      const random = seededRandom(21);
      for (let k = 0; k < 1000; k++) {
        const axis = randomUnit(random);
        const angle = uniform(random, 1e-3, Math.PI - 2e-3);
        const v: [number, number, number] = [axis[0] * angle, axis[1] * angle, axis[2] * angle];
        const back = roundTrip(v);
        for (let i = 0; i < 3; i++) expect(back[i]).to.be.closeTo(v[i], 1e-9);
      }
    });

    it('round trips tiny angles, including exactly zero, without losing the axis', () => {
      const random = seededRandom(22);
      expect(roundTrip([0, 0, 0]).map(Math.abs)).to.deep.equal([0, 0, 0]);
      for (const angle of [1e-15, 1e-12, 1e-10, 1e-8, 1e-7, 1e-6, 2e-6, 1e-5, 1e-4]) {
        for (let k = 0; k < 20; k++) {
          const axis = randomUnit(random);
          const v: [number, number, number] = [axis[0] * angle, axis[1] * angle, axis[2] * angle];
          const back = roundTrip(v);
          // Relative accuracy: the direction must survive even at 1e-15 rad.
          for (let i = 0; i < 3; i++) expect(back[i]).to.be.closeTo(v[i], angle * 1e-6 + 1e-18);
        }
      }
    });

    it('round trips angles near pi, where the skew part alone loses the axis', () => {
      const random = seededRandom(23);
      for (const gap of [1e-2, 1.5e-3, 1e-3, 9.99e-4, 5e-4, 1e-4, 1e-5, 1e-6, 1e-7]) {
        for (let k = 0; k < 50; k++) {
          const axis = randomUnit(random);
          const angle = Math.PI - gap;
          const v: [number, number, number] = [axis[0] * angle, axis[1] * angle, axis[2] * angle];
          const back = roundTrip(v);
          // Below pi the rotation vector is unique, sign included.
          for (let i = 0; i < 3; i++) expect(back[i]).to.be.closeTo(v[i], 5e-6);
          expect(Math.hypot(...back)).to.be.closeTo(angle, 1e-6);
        }
      }
    });

    it('at exactly pi returns a vector of length pi along the axis (either sign)', () => {
      const random = seededRandom(24);
      const axes: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, -1, 0]];
      for (let k = 0; k < 50; k++) axes.push(randomUnit(random));
      for (const axis of axes) {
        const t = setAxisAngle(identity(), ...axis, Math.PI);
        const back: [number, number, number] = [0, 0, 0];
        rotationVectorOf(t, back);
        expect(Math.hypot(...back)).to.be.closeTo(Math.PI, 1e-6);
        const dot = (back[0] * axis[0] + back[1] * axis[1] + back[2] * axis[2]) / Math.hypot(...back);
        expect(Math.abs(dot)).to.be.closeTo(1, 1e-9);
        // The angle comes from the trace, which pins it down only to ~1e-8 rad next to pi.
        expect(maxDiff(setRotationVector(identity(), ...back), t)).to.be.below(1e-7);
      }
    });

    it('writes at the given offset and nowhere else', () => {
      const out = new Float64Array(8).fill(7);
      rotationVectorOf(setRotationVector(identity(), 0.1, -0.2, 0.3), out, 4);
      expect(Array.from(out.subarray(0, 4))).to.deep.equal([7, 7, 7, 7]);
      expect(out[4]).to.be.closeTo(0.1, 1e-12);
      expect(out[5]).to.be.closeTo(-0.2, 1e-12);
      expect(out[6]).to.be.closeTo(0.3, 1e-12);
      expect(out[7]).to.equal(7);
    });
  });

  describe('compose', () => {
    it('is the 3x4 matrix product of rigid transforms', () => {
      const a = fromXyzRpy([1, 2, 3], [0, 0, Math.PI / 2]);
      const b = fromXyzRpy([1, 0, 0], [0, 0, 0]);
      const c = compose(identity(), a, b);
      // b's x offset, rotated 90 degrees about z, lands along +y of a.
      expect(translationOf(c)[0]).to.be.closeTo(1, 1e-15);
      expect(translationOf(c)[1]).to.be.closeTo(3, 1e-15);
      expect(translationOf(c)[2]).to.be.closeTo(3, 1e-15);
    });

    it('has the identity as neutral element on both sides', () => {
      const random = seededRandom(31);
      for (let k = 0; k < 20; k++) {
        const t = randomTransform(random);
        expect(maxDiff(compose(identity(), identity(), t), t)).to.equal(0);
        expect(maxDiff(compose(identity(), t, identity()), t)).to.equal(0);
      }
    });

    it('is associative', () => {
      const random = seededRandom(32);
      for (let k = 0; k < 100; k++) {
        const [a, b, c] = [randomTransform(random), randomTransform(random), randomTransform(random)];
        const left = compose(identity(), compose(identity(), a, b), c);
        const right = compose(identity(), a, compose(identity(), b, c));
        expect(maxDiff(left, right)).to.be.below(1e-13);
      }
    });

    it('is not commutative for rotations about different axes', () => {
      const a = fromXyzRpy([0, 0, 0], [0.5, 0, 0]);
      const b = fromXyzRpy([0, 0, 0], [0, 0.5, 0]);
      expect(maxDiff(compose(identity(), a, b), compose(identity(), b, a))).to.be.above(0.01);
    });

    it('gives the same result when out aliases either operand', () => {
      const random = seededRandom(33);
      for (let k = 0; k < 20; k++) {
        const a = randomTransform(random);
        const b = randomTransform(random);
        const expected = compose(identity(), a, b);
        const a2 = Float64Array.from(a);
        expect(maxDiff(compose(a2, a2, b), expected)).to.equal(0);
        const b2 = Float64Array.from(b);
        expect(maxDiff(compose(b2, a, b2), expected)).to.equal(0);
        const s = Float64Array.from(a);
        const squared = compose(identity(), a, a);
        expect(maxDiff(compose(s, s, s), squared)).to.equal(0);
      }
    });

    it('composes rotations about one axis by adding angles', () => {
      const a = setRotationVector(identity(), 0, 0, 0.4);
      const b = setRotationVector(identity(), 0, 0, 1.9);
      expect(maxDiff(compose(identity(), a, b), setRotationVector(identity(), 0, 0, 2.3))).to.be.below(1e-15);
    });
  });

  describe('fromXyzRpy', () => {
    it('puts the translation in the last column and the rpy rotation in front', () => {
      const t = fromXyzRpy([0.1, -0.2, 0.3], [0.4, -0.5, 0.6]);
      expect(translationOf(t)).to.deep.equal([0.1, -0.2, 0.3]);
      expect(maxDiff3(rotationOf(t), mul3(rotZ(0.6), mul3(rotY(-0.5), rotX(0.4))))).to.be.below(1e-15);
    });
  });

  describe('poseError / poseDistance', () => {
    it('is zero for equal poses', () => {
      const random = seededRandom(41);
      const e = new Float64Array(6);
      for (let k = 0; k < 50; k++) {
        const t = randomTransform(random);
        e.fill(NaN);
        poseError(t, Float64Array.from(t), e);
        for (let i = 0; i < 6; i++) expect(Math.abs(e[i])).to.be.below(1e-12);
        const d = poseDistance(t, t);
        expect(d.position).to.equal(0);
        expect(d.rotation).to.be.below(1e-12);
      }
    });

    it('gives the translation difference and the rotation still to make, in the common frame', () => {
      const random = seededRandom(42);
      const e = new Float64Array(6);
      for (let k = 0; k < 100; k++) {
        const current = randomTransform(random);
        const axis = randomUnit(random);
        const angle = uniform(random, 0.01, 3);
        const v = [axis[0] * angle, axis[1] * angle, axis[2] * angle];
        const move: [number, number, number] = [uniform(random, -1, 1), uniform(random, -1, 1), uniform(random, -1, 1)];
        // target = rotation v applied in the common frame after current, then shifted by move.
        const target = compose(identity(), setRotationVector(identity(), v[0], v[1], v[2]), current);
        target[3] = current[3] + move[0];
        target[7] = current[7] + move[1];
        target[11] = current[11] + move[2];
        poseError(target, current, e);
        for (let i = 0; i < 3; i++) expect(e[i]).to.be.closeTo(move[i], 1e-12);
        for (let i = 0; i < 3; i++) expect(e[3 + i]).to.be.closeTo(v[i], 1e-9);
        const d = poseDistance(target, current);
        expect(d.position).to.be.closeTo(Math.hypot(...move), 1e-12);
        expect(d.rotation).to.be.closeTo(angle, 1e-9);
      }
    });

    it('points from current towards target (the sign matters)', () => {
      const current = identity();
      const target = fromXyzRpy([0.5, 0, 0], [0, 0, 0.25]);
      const e = new Float64Array(6);
      poseError(target, current, e);
      [0.5, 0, 0, 0, 0, 0.25].forEach((x, i) => expect(e[i]).to.be.closeTo(x, 1e-12));
      poseError(current, target, e);
      expect(e[0]).to.be.closeTo(-0.5, 1e-15);
      expect(e[5]).to.be.closeTo(-0.25, 1e-12);
    });

    it('is independent of the translation for the rotation part', () => {
      const a = fromXyzRpy([0, 0, 0], [0.1, 0.2, 0.3]);
      const b = fromXyzRpy([5, -5, 5], [0.1, 0.2, 0.3]);
      const d = poseDistance(a, b);
      expect(d.position).to.be.closeTo(Math.sqrt(75), 1e-12);
      expect(d.rotation).to.be.below(1e-12);
    });
  });
});

describe('kinematics/transform: rotationQuaternion', () => {
  it('gives back the quaternion a rotation was made from (up to sign), in every branch', async () => {
    const { identity, setQuaternion, rotationQuaternion } = await import('../src/core/kinematics/transform.js');
    const cases: [number, number, number, number][] = [
      [0, 0, 0, 1],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0.2, -0.5, 0.3, 0.7],
      [-0.6, 0.1, 0.2, -0.1],
      [0.1, 0.7, -0.6, 0.05],
    ];
    for (const [x, y, z, w] of cases) {
      const n = Math.hypot(x, y, z, w);
      const q = rotationQuaternion(setQuaternion(identity(), x, y, z, w));
      const sign = Math.sign(q.x * x + q.y * y + q.z * z + q.w * w) || 1;
      expect(sign * q.x).to.be.closeTo(x / n, 1e-12);
      expect(sign * q.y).to.be.closeTo(y / n, 1e-12);
      expect(sign * q.z).to.be.closeTo(z / n, 1e-12);
      expect(sign * q.w).to.be.closeTo(w / n, 1e-12);
    }
  });
});
