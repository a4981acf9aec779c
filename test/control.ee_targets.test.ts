import { expect } from 'chai';
import { pandaForTests, PANDA_READY } from './support/panda_arm.js';
import { applyDelta, eeDeltaTargets, IkFailure, type EeDeltaSpec } from '../src/core/control/ee_targets.js';

const READY = PANDA_READY;

const panda = pandaForTests;

// Plain 3x3 rotations (row-major number[][]) written out here, independent of transform.ts.
type M3 = number[][];
const rx = (a: number): M3 => [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
const ry = (a: number): M3 => [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];
const rz = (a: number): M3 => [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
const mul = (a: M3, b: M3): M3 => a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
const apply = (r: M3, v: number[]): number[] => r.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]);

/** Rodrigues: I + sin(t) K + (1 - cos(t)) K^2 for the rotation vector v. */
function rodrigues(v: number[]): M3 {
  const t = Math.hypot(v[0], v[1], v[2]);
  const [x, y, z] = v.map((c) => c / t);
  const k: M3 = [[0, -z, y], [z, 0, -x], [-y, x, 0]];
  const k2 = mul(k, k);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 : 0) + Math.sin(t) * k[i][j] + (1 - Math.cos(t)) * k2[i][j]));
}

function pose(r: M3, p: number[]): Float64Array {
  return Float64Array.from([r[0][0], r[0][1], r[0][2], p[0], r[1][0], r[1][1], r[1][2], p[1], r[2][0], r[2][1], r[2][2], p[2]]);
}
const rotationOf = (t: ArrayLike<number>): M3 => [[t[0], t[1], t[2]], [t[4], t[5], t[6]], [t[8], t[9], t[10]]];
const positionOf = (t: ArrayLike<number>): number[] => [t[3], t[7], t[11]];

function expectPose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void {
  expect(actual).to.have.length(12);
  for (let i = 0; i < 12; i++) expect(actual[i], `element ${i}`).to.be.closeTo(expected[i], tolerance);
}

/** Angle of Ra^T Rb. */
function angleBetween(a: M3, b: M3): number {
  const m = (i: number, j: number): number => a[0][i] * b[0][j] + a[1][i] * b[1][j] + a[2][i] * b[2][j];
  const cos = (m(0, 0) + m(1, 1) + m(2, 2) - 1) / 2;
  const sin = Math.hypot(m(2, 1) - m(1, 2), m(0, 2) - m(2, 0), m(1, 0) - m(0, 1)) / 2;
  return Math.atan2(sin, cos);
}

describe('control/ee_targets', () => {
  describe('applyDelta', () => {
    const start = pose(rz(Math.PI / 2), [0.3, -0.1, 0.5]);
    const c = Math.cos(0.2);
    const s = Math.sin(0.2);

    it('base frame, euler_xyz: adds the translation in the base frame and rotates in it (R = Rd R)', () => {
      const next = applyDelta(start, [0.01, 0.02, -0.03, 0.2, 0, 0], { rotation: 'euler_xyz', frame: 'base' });
      // Rx(0.2) Rz(90 deg), written out by hand.
      const expected = pose(
        [
          [0, -1, 0],
          [c, 0, -s],
          [s, 0, c],
        ],
        [0.31, -0.08, 0.47],
      );
      expectPose(next, expected);
      // The input pose is left alone.
      expectPose(start, pose(rz(Math.PI / 2), [0.3, -0.1, 0.5]));
    });

    it('tool frame, euler_xyz: translates along the tool axes and rotates about them (T = T D)', () => {
      const next = applyDelta(start, [0.01, 0.02, -0.03, 0.2, 0, 0], { rotation: 'euler_xyz', frame: 'tool' });
      // Tool x is base y and tool y is base -x: (0.01, 0.02, -0.03) in the tool is (-0.02, 0.01, -0.03) in the base.
      // Rotation Rz(90 deg) Rx(0.2), by hand.
      const expected = pose(
        [
          [0, -c, s],
          [1, 0, 0],
          [0, s, c],
        ],
        [0.28, -0.09, 0.47],
      );
      expectPose(next, expected);
    });

    it('base frame, axis_angle: a rotation vector about z adds to the yaw', () => {
      const next = applyDelta(start, [0, 0, 0, 0, 0, 0.4], { rotation: 'axis_angle', frame: 'base' });
      const a = Math.PI / 2 + 0.4;
      expectPose(
        next,
        pose(
          [
            [Math.cos(a), -Math.sin(a), 0],
            [Math.sin(a), Math.cos(a), 0],
            [0, 0, 1],
          ],
          [0.3, -0.1, 0.5],
        ),
      );
    });

    it('tool frame, axis_angle: the rotation vector is in the tool frame (R = R Rodrigues(v)), the translation too', () => {
      const v = [0.1, -0.2, 0.25];
      const next = applyDelta(start, [0.01, 0, 0.02, ...v], { rotation: 'axis_angle', frame: 'tool' });
      const r = mul(rz(Math.PI / 2), rodrigues(v));
      const p = [0.3, -0.1, 0.5].map((x, i) => x + apply(rz(Math.PI / 2), [0.01, 0, 0.02])[i]);
      expectPose(next, pose(r, p));
    });

    it('euler_xyz is roll, pitch, yaw about fixed axes (Rz Ry Rx) and differs from a rotation vector of the same numbers', () => {
      const identityPose = pose(rz(0), [0, 0, 0]);
      const euler = applyDelta(identityPose, [0, 0, 0, 0.1, 0.2, 0.3], { rotation: 'euler_xyz', frame: 'base' });
      const vector = applyDelta(identityPose, [0, 0, 0, 0.1, 0.2, 0.3], { rotation: 'axis_angle', frame: 'base' });
      expectPose(euler, pose(mul(rz(0.3), mul(ry(0.2), rx(0.1))), [0, 0, 0]));
      expectPose(vector, pose(rodrigues([0.1, 0.2, 0.3]), [0, 0, 0]));
      expect(angleBetween(rotationOf(euler), rotationOf(vector))).to.be.greaterThan(0.01);
    });

    it('base and tool frames agree when the tool is aligned with the base, and differ when it is not', () => {
      const delta = [0.02, -0.01, 0.03, 0.1, 0.05, -0.2];
      for (const rotation of ['euler_xyz', 'axis_angle'] as const) {
        const aligned = pose(rz(0), [0.4, 0, 0.3]);
        expectPose(applyDelta(aligned, delta, { rotation, frame: 'base' }), applyDelta(aligned, delta, { rotation, frame: 'tool' }));
        const base = applyDelta(start, delta, { rotation, frame: 'base' });
        const tool = applyDelta(start, delta, { rotation, frame: 'tool' });
        expect(Math.hypot(...positionOf(base).map((x, i) => x - positionOf(tool)[i]))).to.be.greaterThan(0.01);
      }
    });
  });

  describe('eeDeltaTargets on the Panda', () => {
    const arm = panda();

    /** Pose after each step, accumulated here from the start pose with the test's own matrices. */
    function accumulate(chunk: number[][], spec: EeDeltaSpec): { r: M3; p: number[] }[] {
      const start = arm.forward(READY);
      let r = rotationOf(start);
      let p = positionOf(start);
      return chunk.map((d) => {
        const rd = spec.rotation === 'euler_xyz' ? mul(rz(d[5]), mul(ry(d[4]), rx(d[3]))) : rodrigues(d.slice(3, 6));
        if (spec.frame === 'base') {
          p = p.map((x, i) => x + d[i]);
          r = mul(rd, r);
        } else {
          p = p.map((x, i) => x + apply(r, d.slice(0, 3))[i]);
          r = mul(r, rd);
        }
        return { r, p };
      });
    }

    const cases: { spec: EeDeltaSpec; step: number[] }[] = [
      { spec: { rotation: 'euler_xyz', frame: 'base' }, step: [0.004, -0.003, 0.005, 0.02, -0.015, 0.01, 1] },
      { spec: { rotation: 'axis_angle', frame: 'tool' }, step: [0.003, 0.004, -0.002, -0.01, 0.02, 0.015] },
    ];
    for (const { spec, step } of cases) {
      it(`${spec.rotation}, ${spec.frame} frame: the targets' FK follows the straight-line chunk within 1 mm / 0.01 rad, without joint jumps`, () => {
        const chunk = Array.from({ length: 8 }, () => step);
        const result = eeDeltaTargets(arm, chunk, READY, spec);
        const expected = accumulate(chunk, spec);
        expect(result.targets).to.have.length(8);
        expect(result.poses).to.have.length(8);
        expectPose(result.startPose, arm.forward(READY));
        let previous = READY;
        result.targets.forEach((q, k) => {
          // The poses asked for are the accumulated ones.
          expect(Math.hypot(...positionOf(result.poses[k]).map((x, i) => x - expected[k].p[i]))).to.be.below(1e-12);
          expect(angleBetween(rotationOf(result.poses[k]), expected[k].r)).to.be.below(1e-9);
          // The solutions reach them.
          const reached = arm.forward(q);
          expect(Math.hypot(...positionOf(reached).map((x, i) => x - expected[k].p[i])), `step ${k} position`).to.be.below(0.001);
          expect(angleBetween(rotationOf(reached), expected[k].r), `step ${k} rotation`).to.be.below(0.01);
          // Warm starts keep the arm on one branch: no jumps between steps.
          const jump = Math.max(...Array.from(q, (v, j) => Math.abs(v - previous[j])));
          expect(jump, `step ${k} largest joint change`).to.be.below(0.2);
          previous = Array.from(q);
        });
        // The motion is real: the end effector has moved 8 steps along the line.
        const travelled = Math.hypot(...positionOf(arm.forward(result.targets[7])).map((x, i) => x - positionOf(result.startPose)[i]));
        expect(travelled).to.be.closeTo(8 * Math.hypot(step[0], step[1], step[2]), 0.002);
      });
    }

    it('throws IkFailure naming the step when the chunk leaves the reach of the arm', () => {
      const chunk = [
        [0.01, 0, 0, 0, 0, 0],
        [0.01, 0, 0, 0, 0, 0],
        [2, 0, 0, 0, 0, 0],
        [0.01, 0, 0, 0, 0, 0],
      ];
      expect(() => eeDeltaTargets(arm, chunk, READY, { rotation: 'euler_xyz', frame: 'base' }))
        .to.throw(IkFailure, /IK did not reach step 2 of the chunk/);
      expect(() => eeDeltaTargets(arm, [[0, 0, 2, 0, 0, 0]], READY, { rotation: 'axis_angle', frame: 'tool' }))
        .to.throw(IkFailure, /step 0 .*out of reach/);
    });

    it('throws IkFailure naming the action with a non-finite or missing value', () => {
      const spec: EeDeltaSpec = { rotation: 'euler_xyz', frame: 'base' };
      expect(() => eeDeltaTargets(arm, [[0, 0, 0, 0, 0, 0], [0, NaN, 0, 0, 0, 0]], READY, spec)).to.throw(IkFailure, /action 1 needs 6 finite/);
      expect(() => eeDeltaTargets(arm, [[0, 0, 0, 0, Infinity, 0]], READY, spec)).to.throw(IkFailure, /action 0 needs 6 finite/);
      expect(() => eeDeltaTargets(arm, [[0, 0, 0]], READY, spec)).to.throw(IkFailure, /action 0 needs 6 finite/);
    });
  });
});
