/**
 * The parameter schema (config/molmoact.yaml): names, types, defaults, ranges and descriptions.
 *
 * The ROS node declares its parameters from it and the CLI takes its defaults from it, so a
 * parameter exists in exactly one place.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from './package_root.js';

export type ParameterType =
  | 'bool'
  | 'integer'
  | 'double'
  | 'string'
  | 'bool_array'
  | 'integer_array'
  | 'double_array'
  | 'string_array';

export type ParameterValue = boolean | number | string | boolean[] | number[] | string[];

export interface ParameterSpec {
  name: string;
  type: ParameterType;
  default: ParameterValue;
  description: string;
  min?: number;
  max?: number;
  choices?: string[];
  readOnly: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const TYPES: ReadonlySet<string> = new Set([
  'bool',
  'integer',
  'double',
  'string',
  'bool_array',
  'integer_array',
  'double_array',
  'string_array',
]);

export function defaultSchemaPath(): string {
  return join(packageRoot(), 'config', 'molmoact.yaml');
}

export function loadParameterSchema(file: string = defaultSchemaPath()): ParameterSpec[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read parameter schema ${file}: ${(err as Error).message}`);
  }
  const entries = (doc as { parameters?: unknown })?.parameters;
  if (!isRecord(entries)) throw new ConfigError(`${file}: expected a top-level 'parameters' map`);

  return Object.entries(entries).map(([name, raw]) => {
    const where = `${file}: parameters.${name}`;
    if (!isRecord(raw)) throw new ConfigError(`${where}: expected a map`);
    const type = raw.type;
    if (typeof type !== 'string' || !TYPES.has(type)) {
      throw new ConfigError(`${where}.type: expected one of ${[...TYPES].join(', ')}, got ${String(type)}`);
    }
    if (typeof raw.description !== 'string' || raw.description.length === 0) {
      throw new ConfigError(`${where}.description: every parameter needs a description`);
    }
    const spec: ParameterSpec = {
      name,
      type: type as ParameterType,
      default: '',
      description: raw.description.trim(),
      min: optionalNumber(raw.min, `${where}.min`),
      max: optionalNumber(raw.max, `${where}.max`),
      choices: Array.isArray(raw.choices) ? raw.choices.map(String) : undefined,
      readOnly: raw.read_only === true,
    };
    spec.default = checkParameterValue(spec, raw.default, `${where}.default`);
    return spec;
  });
}

/** Checks a value against its spec (type, range, choices) and returns it; throws ConfigError. */
export function checkParameterValue(spec: ParameterSpec, value: unknown, where = spec.name): ParameterValue {
  const fail = (expected: string): never => {
    throw new ConfigError(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
  };
  const checkNumber = (n: unknown, integer: boolean): number => {
    if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      fail(integer ? 'an integer' : 'a finite number');
    }
    const x = n as number;
    if (spec.min !== undefined && x < spec.min) fail(`a value >= ${spec.min}`);
    if (spec.max !== undefined && x > spec.max) fail(`a value <= ${spec.max}`);
    return x;
  };
  switch (spec.type) {
    case 'bool':
      return typeof value === 'boolean' ? value : fail('true or false');
    case 'integer':
      return checkNumber(value, true);
    case 'double':
      return checkNumber(value, false);
    case 'string':
      if (typeof value !== 'string') return fail('a string');
      if (spec.choices && !spec.choices.includes(value)) return fail(`one of ${spec.choices.join(', ')}`);
      return value;
    case 'bool_array':
      return Array.isArray(value) && value.every((v) => typeof v === 'boolean') ? value : fail('a list of booleans');
    case 'integer_array':
      return Array.isArray(value) ? value.map((v) => checkNumber(v, true)) : fail('a list of integers');
    case 'double_array':
      return Array.isArray(value) ? value.map((v) => checkNumber(v, false)) : fail('a list of numbers');
    case 'string_array':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fail('a list of strings');
  }
}

/** The schema's defaults, by name. */
export function defaultValues(schema: ParameterSpec[]): Map<string, ParameterValue> {
  return new Map(schema.map((spec) => [spec.name, spec.default]));
}

function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(`${where}: expected a number`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
