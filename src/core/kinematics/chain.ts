/**
 * A serial chain from a base link to a tip link of a URDF: forward kinematics and the geometric
 * Jacobian, both in the base frame.
 *
 * The chain's variables are its revolute, continuous and prismatic joints that do not mimic
 * another; a mimic joint inside the chain follows its leader (q = multiplier * leader + offset),
 * and fixed joints are folded into the next joint's origin.
 */
import { compose, fromXyzRpy, identity, setAxisAngle, type Transform } from './transform.js';
import { jointsBetween, UrdfError, type RobotDescription, type UrdfJoint } from './urdf.js';

interface Segment {
  /** Transform from the previous moving joint's frame (or the base) to this joint's frame. */
  origin: Transform;
  prismatic: boolean;
  axis: [number, number, number];
  /** Index of the chain variable that drives this joint. */
  variable: number;
  multiplier: number;
  offset: number;
}

export class KinematicChain {
  readonly baseLink: string;
  readonly tipLink: string;
  /** The chain's variables, base to tip. */
  readonly jointNames: string[];
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Velocity limits from the URDF (Infinity where none is given). */
  readonly velocity: Float64Array;
  private readonly segments: Segment[];
  private readonly tipOffset: Transform;
  // Scratch space for one evaluation: joint positions and axes in the base frame.
  private readonly jointOrigins: Float64Array;
  private readonly jointAxes: Float64Array;
  private readonly frame = identity();
  private readonly motion = identity();

  constructor(robot: RobotDescription, baseLink: string, tipLink: string) {
    this.baseLink = baseLink;
    this.tipLink = tipLink;
    const path = jointsBetween(robot, baseLink, tipLink);
    const variables = path.filter((j) => isMoving(j) && !j.mimic);
    if (variables.length === 0) throw new UrdfError(`no moving joint between '${baseLink}' and '${tipLink}'`);
    this.jointNames = variables.map((j) => j.name);
    this.lower = Float64Array.from(variables, (j) => j.lower);
    this.upper = Float64Array.from(variables, (j) => j.upper);
    this.velocity = Float64Array.from(variables, (j) => j.velocity);

    this.segments = [];
    let pending = identity();
    for (const joint of path) {
      if (joint.type === 'floating' || joint.type === 'planar') {
        throw new UrdfError(`joint '${joint.name}' between '${baseLink}' and '${tipLink}' is ${joint.type}, which a serial arm chain cannot have`);
      }
      const origin = compose(identity(), pending, fromXyzRpy(joint.xyz, joint.rpy));
      if (joint.type === 'fixed') {
        pending = origin;
        continue;
      }
      let variable = this.jointNames.indexOf(joint.name);
      let multiplier = 1;
      let offset = 0;
      if (joint.mimic) {
        variable = this.jointNames.indexOf(joint.mimic.joint);
        if (variable < 0) {
          throw new UrdfError(`joint '${joint.name}' mimics '${joint.mimic.joint}', which is not a free joint between '${baseLink}' and '${tipLink}'`);
        }
        multiplier = joint.mimic.multiplier;
        offset = joint.mimic.offset;
      }
      this.segments.push({ origin, prismatic: joint.type === 'prismatic', axis: joint.axis, variable, multiplier, offset });
      pending = identity();
    }
    this.tipOffset = pending;
    this.jointOrigins = new Float64Array(this.segments.length * 3);
    this.jointAxes = new Float64Array(this.segments.length * 3);
  }

  get dof(): number {
    return this.jointNames.length;
  }

  /** Pose of the tip in the base frame. */
  forward(q: ArrayLike<number>, out: Transform = identity()): Transform {
    this.walk(q, out);
    return out;
  }

  /**
   * Pose of the tip and the 6 x dof geometric Jacobian (row-major: rows vx, vy, vz, wx, wy, wz),
   * both in the base frame.
   */
  forwardWithJacobian(q: ArrayLike<number>, pose: Transform, jacobian: Float64Array): void {
    this.walk(q, pose);
    const n = this.dof;
    jacobian.fill(0, 0, 6 * n);
    const px = pose[3], py = pose[7], pz = pose[11];
    this.segments.forEach((segment, s) => {
      const zx = this.jointAxes[s * 3], zy = this.jointAxes[s * 3 + 1], zz = this.jointAxes[s * 3 + 2];
      const c = segment.variable;
      const m = segment.multiplier;
      if (segment.prismatic) {
        jacobian[c] += m * zx;
        jacobian[n + c] += m * zy;
        jacobian[2 * n + c] += m * zz;
        return;
      }
      const rx = px - this.jointOrigins[s * 3], ry = py - this.jointOrigins[s * 3 + 1], rz = pz - this.jointOrigins[s * 3 + 2];
      jacobian[c] += m * (zy * rz - zz * ry);
      jacobian[n + c] += m * (zz * rx - zx * rz);
      jacobian[2 * n + c] += m * (zx * ry - zy * rx);
      jacobian[3 * n + c] += m * zx;
      jacobian[4 * n + c] += m * zy;
      jacobian[5 * n + c] += m * zz;
    });
  }

  /** Clamps each variable into its position limits, in place. */
  clamp(q: Float64Array): Float64Array {
    for (let i = 0; i < q.length; i++) q[i] = Math.min(this.upper[i], Math.max(this.lower[i], q[i]));
    return q;
  }

  private walk(q: ArrayLike<number>, out: Transform): void {
    if (q.length !== this.dof) throw new RangeError(`${q.length} joint values for a chain of ${this.dof} joints`);
    const frame = identity(this.frame);
    const motion = this.motion;
    this.segments.forEach((segment, s) => {
      compose(frame, frame, segment.origin);
      const [ax, ay, az] = segment.axis;
      this.jointOrigins[s * 3] = frame[3];
      this.jointOrigins[s * 3 + 1] = frame[7];
      this.jointOrigins[s * 3 + 2] = frame[11];
      this.jointAxes[s * 3] = frame[0] * ax + frame[1] * ay + frame[2] * az;
      this.jointAxes[s * 3 + 1] = frame[4] * ax + frame[5] * ay + frame[6] * az;
      this.jointAxes[s * 3 + 2] = frame[8] * ax + frame[9] * ay + frame[10] * az;
      const value = segment.multiplier * q[segment.variable] + segment.offset;
      identity(motion);
      if (segment.prismatic) {
        motion[3] = ax * value;
        motion[7] = ay * value;
        motion[11] = az * value;
      } else {
        setAxisAngle(motion, ax, ay, az, value);
      }
      compose(frame, frame, motion);
    });
    compose(out, frame, this.tipOffset);
  }
}

function isMoving(joint: UrdfJoint): boolean {
  return joint.type === 'revolute' || joint.type === 'continuous' || joint.type === 'prismatic';
}
