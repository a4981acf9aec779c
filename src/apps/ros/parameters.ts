/**
 * ROS parameters from the schema (config/molmoact.yaml): declared with descriptors (type,
 * description, read-only, range), overridable from a --params-file or -p, and checked again on
 * every runtime change.
 */
import type * as rclnodejs from 'rclnodejs';
import { checkParameterValue, ConfigError, type ParameterSpec, type ParameterValue } from '../../config/schema.js';
import type { Rcl } from './rcl.js';

/** rcl_interfaces/msg/ParameterType values, by schema type. */
const ROS_TYPE: Record<ParameterSpec['type'], number> = {
  bool: 1,
  integer: 2,
  double: 3,
  string: 4,
  bool_array: 6,
  integer_array: 7,
  double_array: 8,
  string_array: 9,
};

/** rclnodejs carries integer parameters as bigint. */
function toRos(spec: ParameterSpec, value: ParameterValue): unknown {
  if (spec.type === 'integer') return BigInt(value as number);
  if (spec.type === 'integer_array') return (value as number[]).map((v) => BigInt(v));
  return value;
}

function fromRos(spec: ParameterSpec, value: unknown): unknown {
  if (spec.type === 'integer' && typeof value === 'bigint') return Number(value);
  if (spec.type === 'integer_array' && Array.isArray(value)) return value.map((v) => Number(v));
  // Array parameters may arrive as typed arrays; the schema checks plain arrays.
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** Declares every parameter of the schema and returns the values in force (overrides applied). */
export function declareParameters(rcl: Rcl, node: rclnodejs.Node, schema: ParameterSpec[]): Map<string, ParameterValue> {
  const values = new Map<string, ParameterValue>();
  for (const spec of schema) {
    const type = ROS_TYPE[spec.type] as rclnodejs.ParameterType;
    let rosRange: rclnodejs.Range | undefined;
    if (spec.type === 'double' && spec.min !== undefined && spec.max !== undefined) {
      rosRange = new rcl.FloatingPointRange(spec.min, spec.max, 0);
    } else if (spec.type === 'integer' && spec.min !== undefined && spec.max !== undefined) {
      rosRange = new rcl.IntegerRange(BigInt(spec.min), BigInt(spec.max), 1n) as unknown as rclnodejs.Range;
    }
    const description = spec.choices ? `${spec.description} One of: ${spec.choices.join(', ')}.` : spec.description;
    const descriptor = new rcl.ParameterDescriptor(spec.name, type, description, spec.readOnly, rosRange);
    let declared: rclnodejs.Parameter;
    try {
      declared = node.declareParameter(new rcl.Parameter(spec.name, type, toRos(spec, spec.default)), descriptor);
    } catch (err) {
      // rclnodejs refuses an override of another type (e.g. `1` for a double) or outside the
      // declared range with one vague message ("... does not  readonly"), so both are named here.
      const range = rosRange ? ` or its range [${spec.min}, ${spec.max}]` : '';
      const hint = spec.type.startsWith('double') ? ' (write doubles with a decimal point, e.g. 1.0)' : '';
      throw new ConfigError(
        `parameter ${spec.name}: the value given does not fit its type ${spec.type}${range}${hint} (rclnodejs: ${(err as Error).message})`,
      );
    }
    values.set(spec.name, checkParameterValue(spec, fromRos(spec, declared.value), `parameter ${spec.name}`));
  }
  return values;
}

/**
 * Checks proposed changes to the node's own parameters against the schema; returns the new
 * values, or throws ConfigError. Parameters outside the schema (use_sim_time) are left to rclnodejs.
 * `apply` decides whether the whole set is acceptable (cross-parameter checks).
 */
export function checkParameterChanges(
  schema: ParameterSpec[],
  current: ReadonlyMap<string, ParameterValue>,
  changes: { name: string; value: unknown }[],
): Map<string, ParameterValue> {
  const next = new Map(current);
  for (const change of changes) {
    const spec = schema.find((s) => s.name === change.name);
    // Not ours: rclnodejs declares use_sim_time on every node and checks its changes itself.
    if (!spec) continue;
    next.set(spec.name, checkParameterValue(spec, fromRos(spec, change.value), `parameter ${spec.name}`));
  }
  return next;
}
