/**
 * URDF -> the robot's kinematic tree: links, joints, their origins, axes, limits and mimics.
 *
 * Geometry, inertia, meshes and transmissions are ignored; only what kinematics and limits need is
 * read. The document must be a tree (one parent per link, no loop); anything that is wrong gives one
 * UrdfError that names the element and what is wrong with it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const JOINT_TYPES = ['revolute', 'continuous', 'prismatic', 'fixed', 'floating', 'planar'] as const;
export type JointType = (typeof JOINT_TYPES)[number];

export interface UrdfJoint {
  name: string;
  type: JointType;
  parent: string;
  child: string;
  /** <origin xyz>, metres. */
  xyz: [number, number, number];
  /** <origin rpy>, radians. */
  rpy: [number, number, number];
  /** Unit axis in the joint frame. */
  axis: [number, number, number];
  /** Position limits; -Infinity/Infinity for continuous joints. */
  lower: number;
  upper: number;
  /** Velocity limit (rad/s or m/s); Infinity where the URDF gives none. */
  velocity: number;
  mimic?: { joint: string; multiplier: number; offset: number };
}

export interface RobotDescription {
  name: string;
  links: Set<string>;
  joints: Map<string, UrdfJoint>;
  /** child link -> the joint that moves it. */
  parentJoint: Map<string, UrdfJoint>;
}

export class UrdfError extends Error {
  override name = 'UrdfError';
}

type XmlElement = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (_name, jpath, _leaf, isAttribute) => !isAttribute && (jpath === 'robot.link' || jpath === 'robot.joint'),
});

/**
 * Bounds on what is read. The largest real robots (humanoids, dual arms with hands) have a few
 * hundred links; a description far beyond that is a mistake or an attack, and it may arrive on
 * /robot_description, to be parsed on the executor thread.
 */
export const MAX_URDF_BYTES = 16 * 2 ** 20;
export const MAX_URDF_ELEMENTS = 2000;

export function parseUrdf(xml: string): RobotDescription {
  if (typeof xml !== 'string' || xml.trim().length === 0) throw new UrdfError('the URDF is empty');
  if (xml.length > MAX_URDF_BYTES) {
    throw new UrdfError(`the URDF is ${(xml.length / 2 ** 20).toFixed(1)} MiB: more than the ${MAX_URDF_BYTES / 2 ** 20} MiB a robot description may have`);
  }
  // Counted in the text before parsing (an upper bound: comments count too), so that an oversized
  // description costs a scan, not a parse.
  for (const element of ['link', 'joint']) {
    const count = countTags(xml, element);
    if (count > MAX_URDF_ELEMENTS) {
      throw new UrdfError(`the URDF has ${count} <${element}> elements: more than the ${MAX_URDF_ELEMENTS} a robot description may have`);
    }
  }
  const robot = parseRobotElement(xml);

  const linkElements = (robot.link as XmlElement[] | undefined) ?? [];
  const jointElements = (robot.joint as XmlElement[] | undefined) ?? [];
  const links = new Set<string>();
  for (const link of linkElements) {
    const name = requireName(link, 'link');
    if (links.has(name)) throw new UrdfError(`link '${name}' is defined twice`);
    links.add(name);
  }
  if (links.size === 0) {
    if (looksLikeXacro(xml)) {
      throw new UrdfError('this looks like a xacro file, not a URDF: expand it first (ros2 run xacro xacro robot.urdf.xacro > robot.urdf)');
    }
    throw new UrdfError('the URDF has no <link>');
  }

  const joints = new Map<string, UrdfJoint>();
  const parentJoint = new Map<string, UrdfJoint>();
  for (const element of jointElements) {
    const joint = readJoint(element);
    if (joints.has(joint.name)) throw new UrdfError(`joint '${joint.name}' is defined twice`);
    for (const end of ['parent', 'child'] as const) {
      if (!links.has(joint[end])) throw new UrdfError(`joint '${joint.name}': its ${end} link '${joint[end]}' is not defined`);
    }
    const existing = parentJoint.get(joint.child);
    if (existing) {
      throw new UrdfError(`link '${joint.child}' has two parent joints ('${existing.name}' and '${joint.name}'): a URDF must be a tree`);
    }
    joints.set(joint.name, joint);
    parentJoint.set(joint.child, joint);
  }
  for (const joint of joints.values()) {
    if (joint.mimic && !joints.has(joint.mimic.joint)) {
      throw new UrdfError(`joint '${joint.name}' mimics '${joint.mimic.joint}', which is not defined`);
    }
  }
  findLoop(links, parentJoint);
  return { name: String(robot.name ?? ''), links, joints, parentJoint };
}

/** The <robot> element; every problem of the XML itself becomes a UrdfError. */
function parseRobotElement(xml: string): XmlElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new UrdfError(`the URDF is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let document: XmlElement;
  try {
    document = parser.parse(xml) as XmlElement;
  } catch (err) {
    // The parser refuses names such as __proto__, external entities and very deep nesting.
    throw new UrdfError(`the URDF cannot be read: ${(err as Error).message}`);
  }
  const robot = document.robot;
  if (!robot || typeof robot !== 'object' || Array.isArray(robot)) throw new UrdfError('the URDF has no <robot> element');
  return robot as XmlElement;
}

/** Occurrences of `<name` followed by a space, '/' or '>' (an opening tag of that element). */
function countTags(xml: string, name: string): number {
  const tag = `<${name}`;
  let count = 0;
  for (let at = xml.indexOf(tag); at >= 0; at = xml.indexOf(tag, at + tag.length)) {
    const next = xml.charCodeAt(at + tag.length);
    // space, tab, newline, carriage return, '/', '>'
    if (next === 32 || next === 9 || next === 10 || next === 13 || next === 47 || next === 62) count++;
  }
  return count;
}

function looksLikeXacro(xml: string): boolean {
  return /<xacro:|xmlns:xacro/.test(xml);
}

/**
 * Throws if following parents from some link comes back to it. Each link is walked over once:
 * a walk stops at a link an earlier walk has cleared (linear in the links, for long chains too).
 */
function findLoop(links: Set<string>, parentJoint: Map<string, UrdfJoint>): void {
  const cleared = new Set<string>();
  for (const start of links) {
    const path = new Set<string>();
    let link: string | undefined = start;
    while (link !== undefined && !cleared.has(link)) {
      if (path.has(link)) throw new UrdfError(`the joints form a loop through link '${link}': a URDF must be a tree`);
      path.add(link);
      link = parentJoint.get(link)?.parent;
    }
    for (const visited of path) cleared.add(visited);
  }
}

function readJoint(element: XmlElement): UrdfJoint {
  const name = requireName(element, 'joint');
  const where = `joint '${name}'`;
  const type = element.type as string;
  if (!(JOINT_TYPES as readonly string[]).includes(type)) {
    throw new UrdfError(`${where}: unknown type '${type ?? ''}' (expected one of ${JOINT_TYPES.join(', ')})`);
  }
  const parent = (element.parent as XmlElement | undefined)?.link;
  const child = (element.child as XmlElement | undefined)?.link;
  if (typeof parent !== 'string' || typeof child !== 'string') {
    throw new UrdfError(`${where}: needs <parent link=...> and <child link=...>`);
  }
  const origin = element.origin as XmlElement | undefined;
  const xyz = vector(origin?.xyz, [0, 0, 0], `${where} <origin xyz>`);
  const rpy = vector(origin?.rpy, [0, 0, 0], `${where} <origin rpy>`);
  let axis = vector((element.axis as XmlElement | undefined)?.xyz, [1, 0, 0], `${where} <axis xyz>`);
  const moving = type === 'revolute' || type === 'continuous' || type === 'prismatic';
  if (moving) {
    const norm = Math.hypot(...axis);
    if (!(norm > 1e-9)) throw new UrdfError(`${where}: its axis is zero`);
    axis = [axis[0] / norm, axis[1] / norm, axis[2] / norm];
  }

  const limit = element.limit as XmlElement | undefined;
  let lower = -Infinity;
  let upper = Infinity;
  if (type === 'revolute' || type === 'prismatic') {
    if (!limit) throw new UrdfError(`${where}: a ${type} joint needs a <limit> element`);
    lower = number(limit.lower ?? '0', `${where} <limit lower>`);
    upper = number(limit.upper ?? '0', `${where} <limit upper>`);
    if (!(lower <= upper)) throw new UrdfError(`${where}: lower limit ${lower} is above upper limit ${upper}`);
  }
  let velocity = Infinity;
  if (limit?.velocity !== undefined) {
    velocity = number(limit.velocity, `${where} <limit velocity>`);
    if (!(velocity > 0)) velocity = Infinity; // 0 or less means "not given" in many URDFs
  }

  const mimicElement = element.mimic as XmlElement | undefined;
  const mimic = mimicElement
    ? {
        joint: requireString(mimicElement.joint, `${where} <mimic joint>`),
        multiplier: number(mimicElement.multiplier ?? '1', `${where} <mimic multiplier>`),
        offset: number(mimicElement.offset ?? '0', `${where} <mimic offset>`),
      }
    : undefined;
  return { name, type: type as JointType, parent, child, xyz, rpy, axis, lower, upper, velocity, mimic };
}

function requireName(element: XmlElement, kind: string): string {
  return requireString(element.name, `a <${kind}> without a name`);
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new UrdfError(`${where}: missing`);
  return value;
}

function number(value: unknown, where: string): number {
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) {
    throw new UrdfError(`${where}: '${String(value)}' is not a number`);
  }
  return n;
}

function vector(value: unknown, fallback: [number, number, number], where: string): [number, number, number] {
  if (value === undefined) return fallback;
  const parts = String(value).trim().split(/\s+/);
  if (parts.length !== 3) throw new UrdfError(`${where}: expected three numbers, got '${String(value)}'`);
  return parts.map((p) => number(p, where)) as [number, number, number];
}

/** Joints from `base` down to `tip`, in order; throws if tip is not below base. */
export function jointsBetween(robot: RobotDescription, base: string, tip: string): UrdfJoint[] {
  for (const [role, link] of [['base', base], ['tip', tip]] as const) {
    if (!robot.links.has(link)) throw new UrdfError(`${role} link '${link}' is not in the URDF (robot '${robot.name}')`);
  }
  const path: UrdfJoint[] = [];
  let link = tip;
  while (link !== base) {
    const joint = robot.parentJoint.get(link);
    if (!joint) throw new UrdfError(`tip link '${tip}' is not below base link '${base}'`);
    path.push(joint);
    link = joint.parent;
  }
  return path.reverse();
}
