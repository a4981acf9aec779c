/**
 * Picking an arm's joint positions out of sensor_msgs/JointState, whose order and membership are
 * up to the publisher (joint_state_broadcaster sorts by name, grippers may be merged in, etc.).
 */
import { MessageError } from './errors.js';
import type { JointState } from './types.js';

/** Positions of `names`, in that order. Throws MessageError when any is missing or not finite. */
export function jointPositions(msg: JointState, names: readonly string[]): Float64Array {
  if (msg.name.length !== msg.position.length) {
    throw new MessageError(
      'length_mismatch',
      `joint_state: expected as many positions as names (${msg.name.length}), got ${msg.position.length}`,
    );
  }
  const index = new Map<string, number>();
  // The first occurrence of a name wins, like a lookup by name in the message's order.
  msg.name.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });

  const missing = names.filter((n) => !index.has(n));
  if (missing.length > 0) {
    throw new MessageError(
      'missing_joint',
      `joint_state: missing joint(s) ${missing.join(', ')}; the message has [${msg.name.join(', ')}]`,
    );
  }
  const out = new Float64Array(names.length);
  const bad: string[] = [];
  names.forEach((n, i) => {
    const value = msg.position[index.get(n)!];
    if (!Number.isFinite(value)) bad.push(`${n}=${value}`);
    out[i] = value;
  });
  if (bad.length > 0) {
    throw new MessageError('non_finite', `joint_state position: expected finite values, got ${bad.join(', ')}`);
  }
  return out;
}
