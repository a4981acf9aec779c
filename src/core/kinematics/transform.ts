/**
 * Rigid transforms and rotations in double precision, as the kinematics needs them.
 *
 * A transform is a Float64Array(12): the 3x4 matrix [R | p] row by row. Everything works in
 * place on caller-owned arrays because forward kinematics and the IK loop run thousands of times
 * per chunk; a general matrix library (gl-matrix is float32 by default, ml-matrix allocates per
 * operation) would allocate in that loop, and only these few operations are needed.
 *
 * Euler angles follow ROS/URDF: roll, pitch, yaw about the fixed x, y, z axes, R = Rz Ry Rx.
 */

export type Transform = Float64Array;
export type Vec3 = [number, number, number];

export function identity(out: Transform = new Float64Array(12)): Transform {
  out.fill(0);
  out[0] = 1;
  out[5] = 1;
  out[10] = 1;
  return out;
}

/** out = a * b (out may alias a or b). */
export function compose(out: Transform, a: Transform, b: Transform): Transform {
  const a00 = a[0], a01 = a[1], a02 = a[2], a03 = a[3];
  const a10 = a[4], a11 = a[5], a12 = a[6], a13 = a[7];
  const a20 = a[8], a21 = a[9], a22 = a[10], a23 = a[11];
  const b00 = b[0], b01 = b[1], b02 = b[2], b03 = b[3];
  const b10 = b[4], b11 = b[5], b12 = b[6], b13 = b[7];
  const b20 = b[8], b21 = b[9], b22 = b[10], b23 = b[11];
  out[0] = a00 * b00 + a01 * b10 + a02 * b20;
  out[1] = a00 * b01 + a01 * b11 + a02 * b21;
  out[2] = a00 * b02 + a01 * b12 + a02 * b22;
  out[3] = a00 * b03 + a01 * b13 + a02 * b23 + a03;
  out[4] = a10 * b00 + a11 * b10 + a12 * b20;
  out[5] = a10 * b01 + a11 * b11 + a12 * b21;
  out[6] = a10 * b02 + a11 * b12 + a12 * b22;
  out[7] = a10 * b03 + a11 * b13 + a12 * b23 + a13;
  out[8] = a20 * b00 + a21 * b10 + a22 * b20;
  out[9] = a20 * b01 + a21 * b11 + a22 * b21;
  out[10] = a20 * b02 + a21 * b12 + a22 * b22;
  out[11] = a20 * b03 + a21 * b13 + a22 * b23 + a23;
  return out;
}

/** Rotation part of `out` from roll, pitch, yaw (R = Rz(yaw) Ry(pitch) Rx(roll)); translation untouched. */
export function setRpy(out: Transform, roll: number, pitch: number, yaw: number): Transform {
  const cr = Math.cos(roll), sr = Math.sin(roll);
  const cp = Math.cos(pitch), sp = Math.sin(pitch);
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  out[0] = cy * cp;
  out[1] = cy * sp * sr - sy * cr;
  out[2] = cy * sp * cr + sy * sr;
  out[4] = sy * cp;
  out[5] = sy * sp * sr + cy * cr;
  out[6] = sy * sp * cr - cy * sr;
  out[8] = -sp;
  out[9] = cp * sr;
  out[10] = cp * cr;
  return out;
}

/** Rotation part of `out` from a unit axis and an angle (Rodrigues); translation untouched. */
export function setAxisAngle(out: Transform, x: number, y: number, z: number, angle: number): Transform {
  const c = Math.cos(angle), s = Math.sin(angle), t = 1 - c;
  out[0] = t * x * x + c;
  out[1] = t * x * y - s * z;
  out[2] = t * x * z + s * y;
  out[4] = t * x * y + s * z;
  out[5] = t * y * y + c;
  out[6] = t * y * z - s * x;
  out[8] = t * x * z - s * y;
  out[9] = t * y * z + s * x;
  out[10] = t * z * z + c;
  return out;
}

/** Rotation from a rotation vector (axis times angle, radians). */
export function setRotationVector(out: Transform, rx: number, ry: number, rz: number): Transform {
  const angle = Math.hypot(rx, ry, rz);
  if (angle < 1e-12) {
    // First-order rotation; exact enough below 1e-12 rad.
    out[0] = 1; out[1] = -rz; out[2] = ry;
    out[4] = rz; out[5] = 1; out[6] = -rx;
    out[8] = -ry; out[9] = rx; out[10] = 1;
    return out;
  }
  return setAxisAngle(out, rx / angle, ry / angle, rz / angle, angle);
}

/** A transform from a translation and roll, pitch, yaw (a URDF <origin>). */
export function fromXyzRpy(xyz: ArrayLike<number>, rpy: ArrayLike<number>): Transform {
  const out = identity();
  setRpy(out, rpy[0], rpy[1], rpy[2]);
  out[3] = xyz[0];
  out[7] = xyz[1];
  out[11] = xyz[2];
  return out;
}

export function translationOf(t: Transform): Vec3 {
  return [t[3], t[7], t[11]];
}

/** Roll, pitch, yaw of the rotation part (ROS convention; pitch in [-pi/2, pi/2]). */
export function rpyOf(t: Transform): Vec3 {
  const pitch = Math.asin(Math.max(-1, Math.min(1, -t[8])));
  if (Math.abs(t[8]) > 1 - 1e-12) {
    // Gimbal lock: only roll - yaw (or roll + yaw) is defined; put it all in yaw.
    return [0, pitch, Math.atan2(-t[1], t[5])];
  }
  return [Math.atan2(t[9], t[10]), pitch, Math.atan2(t[4], t[0])];
}

/**
 * Rotation vector (axis times angle) of the rotation part of `t`, written into out[offset..+3].
 * Robust near 0 and near pi, where the plain formula loses its axis.
 */
export function rotationVectorOf(t: ArrayLike<number>, out: Float64Array | number[], offset = 0): void {
  const trace = t[0] + t[5] + t[10];
  const cosAngle = Math.max(-1, Math.min(1, (trace - 1) / 2));
  const angle = Math.acos(cosAngle);
  const wx = t[9] - t[6];
  const wy = t[2] - t[8];
  const wz = t[4] - t[1];
  if (angle < 1e-6) {
    out[offset] = wx / 2;
    out[offset + 1] = wy / 2;
    out[offset + 2] = wz / 2;
    return;
  }
  if (angle < Math.PI - 1e-3) {
    const k = angle / (2 * Math.sin(angle));
    out[offset] = wx * k;
    out[offset + 1] = wy * k;
    out[offset + 2] = wz * k;
    return;
  }
  // Near pi: the axis is the column of (R + I) / 2 with the largest diagonal, signed by the skew part.
  const xx = Math.sqrt(Math.max(0, (t[0] + 1) / 2));
  const yy = Math.sqrt(Math.max(0, (t[5] + 1) / 2));
  const zz = Math.sqrt(Math.max(0, (t[10] + 1) / 2));
  let ax: number, ay: number, az: number;
  if (xx >= yy && xx >= zz) {
    ax = xx;
    ay = (t[1] + t[4]) / (4 * xx);
    az = (t[2] + t[8]) / (4 * xx);
  } else if (yy >= zz) {
    ay = yy;
    ax = (t[1] + t[4]) / (4 * yy);
    az = (t[6] + t[9]) / (4 * yy);
  } else {
    az = zz;
    ax = (t[2] + t[8]) / (4 * zz);
    ay = (t[6] + t[9]) / (4 * zz);
  }
  const norm = Math.hypot(ax, ay, az);
  const sign = ax * wx + ay * wy + az * wz < 0 ? -1 : 1;
  out[offset] = (sign * angle * ax) / norm;
  out[offset + 1] = (sign * angle * ay) / norm;
  out[offset + 2] = (sign * angle * az) / norm;
}

/**
 * Pose error of `current` towards `target`, both in the same frame: out[0..3] = translation
 * difference, out[3..6] = rotation vector of target * current^T (the rotation still to make,
 * expressed in that frame).
 */
export function poseError(target: Transform, current: Transform, out: Float64Array): void {
  out[0] = target[3] - current[3];
  out[1] = target[7] - current[7];
  out[2] = target[11] - current[11];
  // R = Rt * Rc^T
  const r = scratchRotation;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      r[i * 4 + j] = target[i * 4] * current[j * 4] + target[i * 4 + 1] * current[j * 4 + 1] + target[i * 4 + 2] * current[j * 4 + 2];
    }
  }
  rotationVectorOf(r, out, 3);
}
const scratchRotation = new Float64Array(12);

/** Position distance (m) and rotation angle (rad) between two poses. */
export function poseDistance(a: Transform, b: Transform): { position: number; rotation: number } {
  const e = new Float64Array(6);
  poseError(a, b, e);
  return { position: Math.hypot(e[0], e[1], e[2]), rotation: Math.hypot(e[3], e[4], e[5]) };
}

/** Rotation part of `out` from a unit quaternion (x, y, z, w), normalised first; translation untouched. */
export function setQuaternion(out: Transform, x: number, y: number, z: number, w: number): Transform {
  const norm = Math.hypot(x, y, z, w);
  x /= norm;
  y /= norm;
  z /= norm;
  w /= norm;
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - z * w);
  out[2] = 2 * (x * z + y * w);
  out[4] = 2 * (x * y + z * w);
  out[5] = 1 - 2 * (x * x + z * z);
  out[6] = 2 * (y * z - x * w);
  out[8] = 2 * (x * z - y * w);
  out[9] = 2 * (y * z + x * w);
  out[10] = 1 - 2 * (x * x + y * y);
  return out;
}

/** out = t^-1 (a rigid transform: R^T, -R^T p). out must not alias t. */
export function invert(out: Transform, t: Transform): Transform {
  out[0] = t[0]; out[1] = t[4]; out[2] = t[8];
  out[4] = t[1]; out[5] = t[5]; out[6] = t[9];
  out[8] = t[2]; out[9] = t[6]; out[10] = t[10];
  out[3] = -(out[0] * t[3] + out[1] * t[7] + out[2] * t[11]);
  out[7] = -(out[4] * t[3] + out[5] * t[7] + out[6] * t[11]);
  out[11] = -(out[8] * t[3] + out[9] * t[7] + out[10] * t[11]);
  return out;
}

/** The point p mapped by t. */
export function applyToPoint(t: Transform, p: { x: number; y: number; z: number }): { x: number; y: number; z: number } {
  return {
    x: t[0] * p.x + t[1] * p.y + t[2] * p.z + t[3],
    y: t[4] * p.x + t[5] * p.y + t[6] * p.z + t[7],
    z: t[8] * p.x + t[9] * p.y + t[10] * p.z + t[11],
  };
}

/** The rotation part of `m` as a unit quaternion (x, y, z, w) (Shepperd's method: the largest of the four first). */
export function rotationQuaternion(m: ArrayLike<number>): { x: number; y: number; z: number; w: number } {
  const [r00, r01, r02, r10, r11, r12, r20, r21, r22] = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const trace = r00 + r11 + r22;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    return { w: s / 4, x: (r21 - r12) / s, y: (r02 - r20) / s, z: (r10 - r01) / s };
  }
  if (r00 > r11 && r00 > r22) {
    const s = Math.sqrt(1 + r00 - r11 - r22) * 2;
    return { w: (r21 - r12) / s, x: s / 4, y: (r01 + r10) / s, z: (r02 + r20) / s };
  }
  if (r11 > r22) {
    const s = Math.sqrt(1 + r11 - r00 - r22) * 2;
    return { w: (r02 - r20) / s, x: (r01 + r10) / s, y: s / 4, z: (r12 + r21) / s };
  }
  const s = Math.sqrt(1 + r22 - r00 - r11) * 2;
  return { w: (r10 - r01) / s, x: (r02 + r20) / s, y: (r12 + r21) / s, z: s / 4 };
}
