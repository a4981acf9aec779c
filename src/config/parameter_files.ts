/**
 * ROS parameter files as this package writes them ('/**:' then 'ros__parameters:'), read without
 * ROS: for the command-line tools, which set the node's parameters up as the launch file does
 * (defaults, robot preset, the model's params.yaml, then what the user gives).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, checkParameterValue, type ParameterSpec, type ParameterValue } from './schema.js';

/** The '/**' ros__parameters of a parameter file. */
export function readParameterFile(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  const root = doc as Record<string, { ros__parameters?: unknown } | undefined> | null;
  const params = root && Object.hasOwn(root, '/**') ? root['/**']?.ros__parameters : undefined;
  if (!params || typeof params !== 'object' || Array.isArray(params)) {
    throw new ConfigError(`${file}: expected '/**:' then 'ros__parameters:' at the top`);
  }
  return params as Record<string, unknown>;
}

/** `values` with the file's parameters applied, each checked against the schema. */
export function applyParameters(
  values: ReadonlyMap<string, ParameterValue>,
  schema: readonly ParameterSpec[],
  params: Record<string, unknown>,
  where: string,
): Map<string, ParameterValue> {
  const next = new Map(values);
  for (const [name, value] of Object.entries(params)) {
    const spec = schema.find((s) => s.name === name);
    if (!spec) throw new ConfigError(`${where}: unknown parameter ${name}`);
    next.set(name, checkParameterValue(spec, value, `${where}: ${name}`));
  }
  return next;
}

