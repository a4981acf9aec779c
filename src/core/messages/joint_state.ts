/**
 * Picking an arm's joint positions (and velocities) out of sensor_msgs/JointState, whose order and
 * membership are up to the publisher (joint_state_broadcaster sorts by name, grippers may be
 * merged in, etc.).
 */
import { MessageError } from './errors.js';
import type { JointState } from './types.js';

/** Positions of `names`, in that order. Throws MessageError when any is missing, not finite or beyond float32 range. */
export function jointPositions(msg: JointState, names: readonly string[]): Float64Array {
  return positionsAt(msg, names, indicesOf(msg, names));
}

/**
 * Positions and velocities of `names` (velocities null when the message lacks them), reading the
 * message's names once. Throws as jointPositions does.
 */
export function jointMotion(msg: JointState, names: readonly string[]): { positions: Float64Array; velocities: Float64Array | null } {
  const indices = indicesOf(msg, names);
  return { positions: positionsAt(msg, names, indices), velocities: velocitiesAt(msg, indices) };
}

function positionsAt(msg: JointState, names: readonly string[], indices: number[]): Float64Array {
  if (msg.name.length !== msg.position.length) {
    throw new MessageError(
      'length_mismatch',
      `joint_state: expected as many positions as names (${msg.name.length}), got ${msg.position.length}`,
    );
  }
  const missing = names.filter((_, i) => indices[i] < 0);
  if (missing.length > 0) {
    throw new MessageError(
      'missing_joint',
      `joint_state: missing joint(s) ${missing.join(', ')}; the message has [${msg.name.join(', ')}]`,
    );
  }
  const out = Float64Array.from(indices, (k) => msg.position[k]);
  const bad = names.flatMap((n, i) => (inFloat32Range(out[i]) ? [] : [`${n}=${out[i]}`]));
  if (bad.length > 0) {
    throw new MessageError('non_finite', `joint_state position: expected finite values within float32 range (the model's input), got ${bad.join(', ')}`);
  }
  return out;
}

/**
 * Velocities at `indices`, or null when the message does not give a finite velocity for every
 * one of them (the velocity field is optional in JointState).
 */
function velocitiesAt(msg: JointState, indices: number[]): Float64Array | null {
  if (msg.velocity.length !== msg.name.length || indices.some((k) => k < 0)) return null;
  const out = Float64Array.from(indices, (k) => msg.velocity[k]);
  return out.every(inFloat32Range) ? out : null;
}

/** Largest finite float32. A value beyond it is finite here but Infinity in a model's float32 input. */
const FLOAT32_MAX = 3.4028234663852886e38;

function inFloat32Range(value: number): boolean {
  return value >= -FLOAT32_MAX && value <= FLOAT32_MAX;
}

/** Index in the message of each of `names` (-1 when absent); the first occurrence of a name wins. */
function indicesOf(msg: JointState, names: readonly string[]): number[] {
  const index = new Map<string, number>();
  msg.name.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });
  return names.map((n) => index.get(n) ?? -1);
}
