/**
 * Robot presets (config/robots/<name>.yaml) and the node's settings as the launch file builds
 * them, for the command-line tools: the parameter defaults, then the robot preset, then the
 * model folder's params.yaml, then what the user gives.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { packageRoot, resolvePackagePath } from './package_root.js';
import { applyParameters, readParameterFile } from './parameter_files.js';
import { ConfigError, defaultValues, loadParameterSchema, type ParameterValue } from './schema.js';
import { settingsFromValues, type NodeSettings } from './settings.js';

/** Names of the robot presets in config/robots (without .yaml). */
export function listRobotPresets(): string[] {
  const dir = join(packageRoot(), 'config', 'robots');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => basename(name, '.yaml'))
    .sort();
}

/** The ros__parameters of a robot preset (config/robots/<name>.yaml). */
export function readRobotPreset(name: string): Record<string, unknown> {
  const available = listRobotPresets();
  if (!available.includes(name)) throw new ConfigError(`no robot preset '${name}' (available: ${available.join(', ') || 'none'})`);
  const file = join(packageRoot(), 'config', 'robots', `${name}.yaml`);
  try {
    return readParameterFile(file);
  } catch (err) {
    throw new ConfigError((err as Error).message.replace(file, displayPath(file)));
  }
}

/** A preset's URDF: its robot_description_file, else config/robots/urdf/<name>.urdf. */
export function presetUrdfPath(name: string, descriptionFile: string | undefined): string {
  return descriptionFile ? resolvePackagePath(descriptionFile) : join(packageRoot(), 'config', 'robots', 'urdf', `${name}.urdf`);
}

/**
 * The node's settings for a model on a robot, as `ros2 launch ... robot:=<robot> model:=<dir>`
 * gives them, with `overrides` last. Throws ConfigError naming the file of a bad value.
 */
export function settingsForModel(modelDir: string, robot: string, overrides: Record<string, ParameterValue> = {}): NodeSettings {
  const schema = loadParameterSchema();
  let values = applyParameters(defaultValues(schema), schema, readRobotPreset(robot), `robot preset ${robot}`);
  const modelParams = join(modelDir, 'params.yaml');
  if (existsSync(modelParams)) values = applyParameters(values, schema, readParameterFile(modelParams), modelParams);
  values = applyParameters(values, schema, { model_dir: modelDir, ...overrides }, 'the command line');
  return settingsFromValues(values);
}

/** A path inside the package, relative to it; others as they are. */
export function displayPath(path: string): string {
  const rel = relative(packageRoot(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
