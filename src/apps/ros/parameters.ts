/**
 * ROS parameters from the schema (config/molmoact.yaml): declared with descriptors (type,
 * description, read-only, range), overridable from a --params-file or -p, and checked again on
 * every runtime change.
 */
import { checkParameterValue, ConfigError, type ParameterSpec, type ParameterValue } from '../../config/schema.js';
import type { RosNodeApi } from './ros_api.js';

/** Declares every parameter of the schema and returns the values in force (overrides applied). */
export function declareParameters(node: RosNodeApi, schema: ParameterSpec[]): Map<string, ParameterValue> {
  const values = new Map<string, ParameterValue>();
  for (const spec of schema) {
    const ranged = (spec.type === 'double' || spec.type === 'integer') && spec.min !== undefined && spec.max !== undefined;
    const range = ranged ? { min: spec.min!, max: spec.max! } : undefined;
    const description = spec.choices ? `${spec.description} One of: ${spec.choices.join(', ')}.` : spec.description;
    let declared: unknown;
    try {
      declared = node.declareParameter({ name: spec.name, type: spec.type, value: spec.default, description, readOnly: spec.readOnly, range });
    } catch (err) {
      // rclnodejs refuses an override of another type (e.g. `1` for a double) or outside the
      // declared range with one vague message ("... does not  readonly"), so both are named here.
      const within = range ? ` or its range [${range.min}, ${range.max}]` : '';
      const hint = spec.type.startsWith('double') ? ' (write doubles with a decimal point, e.g. 1.0)' : '';
      throw new ConfigError(
        `parameter ${spec.name}: the value given does not fit its type ${spec.type}${within}${hint} (rclnodejs: ${(err as Error).message})`,
      );
    }
    values.set(spec.name, checkParameterValue(spec, declared, `parameter ${spec.name}`));
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
    next.set(spec.name, checkParameterValue(spec, change.value, `parameter ${spec.name}`));
  }
  return next;
}
