/**
 * ROS parameters from the schema (config/molmoact.yaml): declared with descriptors (type,
 * description, read-only, range), overridable from a --params-file or -p, and checked again on
 * every runtime change.
 */
import type * as rclnodejs from 'rclnodejs';
import { checkParameterValue, ConfigError, type ParameterSpec, type ParameterValue } from '../config/schema.js';
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
    let range: rclnodejs.Range | undefined;
    if (spec.type === 'double' && spec.min !== undefined && spec.max !== undefined) {
      range = new rcl.FloatingPointRange(spec.min, spec.max, 0);
    } else if (spec.type === 'integer' && spec.min !== undefined && spec.max !== undefined) {
      range = new rcl.IntegerRange(BigInt(spec.min), BigInt(spec.max), 1n) as unknown as rclnodejs.Range;
    }
    const description = spec.choices ? `${spec.description} One of: ${spec.choices.join(', ')}.` : spec.description;
    const descriptor = new rcl.ParameterDescriptor(spec.name, type, description, spec.readOnly, range);
    let declared: rclnodejs.Parameter;
    try {
      declared = node.declareParameter(new rcl.Parameter(spec.name, type, toRos(spec, spec.default)), descriptor);
    } catch (err) {
      // rclnodejs refuses an override of another type (e.g. `1` for a double) with a vague message.
      throw new ConfigError(
        `parameter ${spec.name}: the value given does not fit its type ${spec.type}` +
          `${spec.type.startsWith('double') ? ' (write doubles with a decimal point, e.g. 1.0)' : ''}: ${(err as Error).message}`,
      );
    }
    values.set(spec.name, checkParameterValue(spec, fromRos(spec, declared.value), `parameter ${spec.name}`));
  }
  return values;
}

/**
 * Checks proposed changes against the schema; returns the new values, or throws ConfigError.
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
    if (!spec) throw new ConfigError(`unknown parameter ${change.name}`);
    next.set(spec.name, checkParameterValue(spec, fromRos(spec, change.value), `parameter ${spec.name}`));
  }
  return next;
}
