/**
 * ROS 2 Humble .msg definitions of the message types this package records, and of every type they
 * depend on. The standard interfaces come from @foxglove/rosmsg-msgs-common, which ships Humble's
 * (`msgdefs/ros2humble/<pkg>/msg/<Type>.msg`, comments included): each file there is a type's full
 * definition, its own .msg text first and its dependencies after it; the own text is taken. The
 * molmoact_ros types are this package's own msg/VisualTrace.msg and msg/ActionReasoning.msg.
 *
 * `fullMessageDefinition()` concatenates a type with its dependencies the way rosbag2 does
 * (rosbag2_cpp LocalMessageDefinitionSource) for the `ros2msg` schema encoding of an MCAP file:
 * the root type's text first, then for each dependency, depth first, in sorted order and once
 * each, a newline, a line of 80 `=`, a line `MSG: pkg/Type` and that type's text. No library
 * builds that text for ROS 2, so it is written here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Humble's standard interfaces, as the npm package ships them. */
const HUMBLE_MSG_DIR = join(dirname(createRequire(import.meta.url).resolve('@foxglove/rosmsg-msgs-common')), '..', 'msgdefs', 'ros2humble');
/** This package's msg/ folder (this file runs from dist/src/recording/). */
const PACKAGE_MSG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'msg');
const OWN_PACKAGE = 'molmoact_ros';

/** The line that separates the definitions of a full message definition. */
export const DEFINITION_SEPARATOR = '='.repeat(80);

const definitionCache = new Map<string, string>();

const PRIMITIVE_TYPES = new Set([
  'bool', 'byte', 'char', 'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64',
  'string', 'wstring',
]);

/** `pkg/Type` or `pkg/msg/Type` as `{ pkg, name }`; throws on anything else. */
function splitTypeName(type: string): { pkg: string; name: string } {
  const m = /^([A-Za-z][A-Za-z0-9_]*)\/(?:msg\/)?([A-Za-z][A-Za-z0-9_]*)$/.exec(type);
  if (!m) throw new Error(`not a ROS 2 message type name: "${type}" (expected pkg/msg/Type or pkg/Type)`);
  return { pkg: m[1], name: m[2] };
}

/** The .msg text of a type given as `pkg/msg/Type` or `pkg/Type`. */
export function messageDefinitionText(type: string): string {
  const { pkg, name } = splitTypeName(type);
  const key = `${pkg}/msg/${name}`;
  let text = definitionCache.get(key);
  if (text === undefined) {
    const file = pkg === OWN_PACKAGE ? join(PACKAGE_MSG_DIR, `${name}.msg`) : join(HUMBLE_MSG_DIR, pkg, 'msg', `${name}.msg`);
    try {
      // A full definition: the type's own text ends where the first dependency's separator begins.
      text = readFileSync(file, 'utf8').split(`\n${DEFINITION_SEPARATOR}\n`)[0];
    } catch (err) {
      throw new Error(`no .msg definition known for ${type} (${(err as Error).message})`);
    }
    definitionCache.set(key, text);
  }
  return text;
}

/**
 * The complex types a .msg text refers to, as `pkg/Type` (types without a package are in
 * `pkg`, the package of the text), sorted, each once. Only the type at the start of a line counts:
 * comment lines and constants of primitive types add nothing.
 */
export function messageDependencies(text: string, pkg: string): string[] {
  const deps = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z0-9_/]+)(?:\[[^\]]*\])?(?:<=\d+)?\s+/.exec(line);
    if (!m) continue;
    const type = m[1];
    if (PRIMITIVE_TYPES.has(type)) continue;
    deps.add(type.includes('/') ? type : `${pkg}/${type}`);
  }
  return [...deps].sort();
}


/**
 * The complete `ros2msg` definition of `type` (`pkg/msg/Type`): its .msg text followed by those of
 * all types it depends on, recursively, each once, as rosbag2 stores it in an MCAP schema.
 */
export function fullMessageDefinition(type: string): string {
  const seen = new Set<string>();
  const append = (current: string, depth: number): string => {
    if (depth <= 0) throw new Error(`message definition of ${type} nests too deeply`);
    const text = messageDefinitionText(current);
    let result = text;
    for (const dep of messageDependencies(text, splitTypeName(current).pkg)) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      result += `\n${DEFINITION_SEPARATOR}\nMSG: ${dep}\n${append(dep, depth - 1)}`;
    }
    return result;
  };
  return append(type, 50);
}
