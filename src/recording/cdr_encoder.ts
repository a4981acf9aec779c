/**
 * ROS 2 messages as CDR bytes (little endian, XCDR1 as rmw_fastrtps and rmw_cyclonedds send them),
 * checked field by field against the type's definition (ros2_definitions.ts) before anything is
 * written: a field of the wrong type, an integer out of range or a fixed-size array of the wrong
 * length throws a RecordingError that names the topic and the field. A field that is absent
 * (undefined) is written as the default of its definition (zero, false, "", an empty array, the
 * .msg default value such as a quaternion's w = 1, or a nested message of defaults). This is what
 * lets an object that predates a field of the Humble definition (a Marker without texture,
 * uv_coordinates or mesh_file, say) be recorded as it is.
 *
 * Strings are written as UTF-8, their CDR length counting bytes; this encoder is used rather than
 * @foxglove/rosmsg2-serialization's MessageWriter, which sizes strings by UTF-16 code units and so
 * corrupts any message with a non-ASCII string, and which quietly writes defaults in place of values
 * of the wrong type. For ASCII content the bytes are the same as MessageWriter's.
 */
import { parse } from '@foxglove/rosmsg';
import { fullMessageDefinition } from './ros2_definitions.js';

export type RecordedType =
  | 'sensor_msgs/msg/Image'
  | 'sensor_msgs/msg/CameraInfo'
  | 'sensor_msgs/msg/JointState'
  | 'trajectory_msgs/msg/JointTrajectory'
  | 'visualization_msgs/msg/MarkerArray'
  | 'std_msgs/msg/String'
  | 'molmoact_ros/msg/VisualTrace'
  | 'molmoact_ros/msg/ActionReasoning';

export const RECORDED_TYPES: readonly RecordedType[] = [
  'sensor_msgs/msg/Image',
  'sensor_msgs/msg/CameraInfo',
  'sensor_msgs/msg/JointState',
  'trajectory_msgs/msg/JointTrajectory',
  'visualization_msgs/msg/MarkerArray',
  'std_msgs/msg/String',
  'molmoact_ros/msg/VisualTrace',
  'molmoact_ros/msg/ActionReasoning',
];

/** A message that cannot be recorded, or a recorder used wrongly. */
export class RecordingError extends Error {
  /** The topic of the message, when there is one. */
  readonly topic: string | undefined;
  /** The field at fault, as a path (`points[2].positions[0]`), when one is. */
  readonly field: string | undefined;

  constructor(message: string, topic?: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordingError';
    this.topic = topic;
    this.field = field;
  }
}

type Definitions = ReturnType<typeof parse>;
type Field = Definitions[number]['definitions'][number];

interface CompiledType {
  /** The fields of the root message. */
  root: Field[];
  /** The fields of every nested type, by name (`pkg/Type`). */
  nested: Map<string, Field[]>;
  /** The complete ros2msg text. */
  text: string;
  /** The parsed text, for MessageReader. */
  parsed: Definitions;
}

const compiled = new Map<string, CompiledType>();

function compile(type: string): CompiledType {
  let c = compiled.get(type);
  if (c === undefined) {
    const text = fullMessageDefinition(type);
    const parsed = parse(text, { ros2: true });
    const nested = new Map<string, Field[]>();
    for (const d of parsed.slice(1)) nested.set(d.name ?? '', d.definitions);
    c = { root: parsed[0].definitions, nested, text, parsed };
    compiled.set(type, c);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// CDR encoding

/** Thrown inside the encoder; turned into a RecordingError with the topic. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const INTEGER_RANGES: ReadonlyMap<string, readonly [bigint, bigint]> = new Map<string, readonly [bigint, bigint]>([
  ['int8', [-(2n ** 7n), 2n ** 7n - 1n]],
  ['uint8', [0n, 2n ** 8n - 1n]],
  ['int16', [-(2n ** 15n), 2n ** 15n - 1n]],
  ['uint16', [0n, 2n ** 16n - 1n]],
  ['int32', [-(2n ** 31n), 2n ** 31n - 1n]],
  ['uint32', [0n, 2n ** 32n - 1n]],
  ['int64', [-(2n ** 63n), 2n ** 63n - 1n]],
  ['uint64', [0n, 2n ** 64n - 1n]],
]);

const SIZES: ReadonlyMap<string, number> = new Map(
  Object.entries({ bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, int64: 8, uint64: 8, float64: 8 }),
);

export const textEncoder = new TextEncoder();

/** A growing little-endian CDR buffer; alignment counts from after the 4-byte encapsulation header. */
class CdrBuffer {
  private bytes: Uint8Array;
  private view: DataView;
  private offset = 4;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
    this.view = new DataView(this.bytes.buffer);
    // Encapsulation: CDR_LE (0x0001), options 0.
    this.bytes[1] = 1;
  }

  get data(): Uint8Array {
    return this.bytes.subarray(0, this.offset);
  }

  private reserve(n: number): void {
    if (this.offset + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.offset + n));
    grown.set(this.bytes.subarray(0, this.offset));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  align(size: number): void {
    const misalignment = (this.offset - 4) % size;
    if (misalignment === 0) return;
    const pad = size - misalignment;
    this.reserve(pad);
    this.bytes.fill(0, this.offset, this.offset + pad);
    this.offset += pad;
  }

  scalar(type: string, value: number | bigint | boolean): void {
    const size = SIZES.get(type);
    if (size === undefined) throw new Error(`CDR: no size for type ${type}`);
    this.align(size);
    this.reserve(size);
    const v = this.view;
    const o = this.offset;
    switch (type) {
      case 'bool': v.setUint8(o, value ? 1 : 0); break;
      case 'int8': v.setInt8(o, value as number); break;
      case 'uint8': v.setUint8(o, value as number); break;
      case 'int16': v.setInt16(o, value as number, true); break;
      case 'uint16': v.setUint16(o, value as number, true); break;
      case 'int32': v.setInt32(o, value as number, true); break;
      case 'uint32': v.setUint32(o, value as number, true); break;
      case 'float32': v.setFloat32(o, value as number, true); break;
      case 'float64': v.setFloat64(o, value as number, true); break;
      case 'int64': v.setBigInt64(o, BigInt(value as number | bigint), true); break;
      case 'uint64': v.setBigUint64(o, BigInt(value as number | bigint), true); break;
      default: throw new Error(`no CDR writer for ${type}`);
    }
    this.offset += size;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** uint32 byte count including the terminating NUL, the UTF-8 bytes, NUL. */
  string(utf8: Uint8Array): void {
    this.scalar('uint32', utf8.length + 1);
    this.reserve(utf8.length + 1);
    this.bytes.set(utf8, this.offset);
    this.bytes[this.offset + utf8.length] = 0;
    this.offset += utf8.length + 1;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function isSequence(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

class Encoder {
  constructor(
    private readonly types: Map<string, Field[]>,
    private readonly out: CdrBuffer,
  ) {}

  struct(fields: readonly Field[], value: Record<string, unknown>, path: string): void {
    let any = false;
    for (const field of fields) {
      if (field.isConstant === true) continue;
      any = true;
      this.field(field, value[field.name], path === '' ? field.name : `${path}.${field.name}`);
    }
    // An empty .msg becomes a struct with one uint8 member (structure_needs_at_least_one_member).
    if (!any) this.out.scalar('uint8', 0);
  }

  private field(field: Field, value: unknown, path: string): void {
    if (field.isArray === true) this.array(field, value, path);
    else this.single(field, value === undefined ? field.defaultValue : value, path);
  }

  private single(field: Field, value: unknown, path: string): void {
    const type = field.type;
    if (field.isComplex === true) {
      this.complex(type, value, path);
    } else if (type === 'time' || type === 'duration') {
      this.time(type, value, path);
    } else if (type === 'string') {
      this.string(value, path, field.upperBound);
    } else {
      this.out.scalar(type, this.primitive(type, value, path));
    }
  }

  private complex(type: string, value: unknown, path: string): void {
    const fields = this.types.get(type);
    if (fields === undefined) throw new FieldError(path, `no definition of ${type}`);
    if (value === undefined) value = {};
    if (!isRecord(value)) throw new FieldError(path, `expected a ${type} object, got ${describeValue(value)}`);
    this.struct(fields, value, path);
  }

  private time(type: 'time' | 'duration', value: unknown, path: string): void {
    const name = type === 'time' ? 'builtin_interfaces/Time' : 'builtin_interfaces/Duration';
    if (value === undefined) value = {};
    if (!isRecord(value)) throw new FieldError(path, `expected a ${name} object {sec, nanosec}, got ${describeValue(value)}`);
    if (value.nanosec === undefined && value.nsec !== undefined) {
      throw new FieldError(path, `expected a ${name} object {sec, nanosec}, got {sec, nsec} (the ROS 1 layout)`);
    }
    const sec = this.primitive('int32', value.sec ?? 0, `${path}.sec`) as number;
    const nanosec = this.primitive('uint32', value.nanosec ?? 0, `${path}.nanosec`) as number;
    if (nanosec >= 1e9) throw new FieldError(`${path}.nanosec`, `expected nanoseconds in [0, 1e9), got ${nanosec}`);
    this.out.scalar('int32', sec);
    this.out.scalar('uint32', nanosec);
  }

  private string(value: unknown, path: string, upperBound: number | undefined): void {
    if (value === undefined) value = '';
    if (typeof value !== 'string') throw new FieldError(path, `expected a string, got ${describeValue(value)}`);
    if (value.includes('\0')) throw new FieldError(path, 'expected a string without NUL characters');
    const utf8 = textEncoder.encode(value);
    if (upperBound !== undefined && utf8.length > upperBound) {
      throw new FieldError(path, `expected at most ${upperBound} bytes, got ${utf8.length}`);
    }
    this.out.string(utf8);
  }

  /** The value of a number/bool field, checked; undefined gives the type's zero. */
  private primitive(type: string, value: unknown, path: string): number | bigint | boolean {
    if (type === 'bool') {
      if (value === undefined) return false;
      if (typeof value !== 'boolean') throw new FieldError(path, `expected bool (true or false), got ${describeValue(value)}`);
      return value;
    }
    if (type === 'float32' || type === 'float64') {
      if (value === undefined) return 0;
      if (typeof value !== 'number') throw new FieldError(path, `expected ${type} (a number), got ${describeValue(value)}`);
      return value;
    }
    const range = INTEGER_RANGES.get(type);
    if (range === undefined) {
      throw new FieldError(path, `type ${type} is not supported by this recorder`);
    }
    if (value === undefined) return 0;
    const wide = type === 'int64' || type === 'uint64';
    let big: bigint;
    if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
    else if (typeof value === 'bigint' && wide) big = value;
    else throw new FieldError(path, `expected ${type} (an integer${wide ? ' or bigint' : ''}), got ${describeValue(value)}`);
    if (big < range[0] || big > range[1]) {
      throw new FieldError(path, `expected ${type} in [${range[0]}, ${range[1]}], got ${String(value)}`);
    }
    return wide ? big : (value as number);
  }

  private array(field: Field, value: unknown, path: string): void {
    const type = field.type;
    if (value === undefined) value = field.defaultValue;
    if (value === undefined) value = field.arrayLength !== undefined ? new Array(field.arrayLength).fill(undefined) : [];
    const what = `${type}[${field.arrayLength ?? (field.arrayUpperBound !== undefined ? `<=${field.arrayUpperBound}` : '')}]`;
    const typedOk = field.isComplex !== true && type !== 'string' && type !== 'bool' && type !== 'time' && type !== 'duration';
    if (!(Array.isArray(value) || (typedOk && isSequence(value)))) {
      throw new FieldError(path, `expected ${what} (an array${typedOk ? ' or typed array' : ''}), got ${describeValue(value)}`);
    }
    const items = value as ArrayLike<unknown>;
    const n = items.length;
    if (field.arrayLength !== undefined && n !== field.arrayLength) {
      throw new FieldError(path, `expected ${what}: exactly ${field.arrayLength} values, got ${n}`);
    }
    if (field.arrayUpperBound !== undefined && n > field.arrayUpperBound) {
      throw new FieldError(path, `expected ${what}: at most ${field.arrayUpperBound} values, got ${n}`);
    }
    if (field.arrayLength === undefined) this.out.scalar('uint32', n);
    if (n === 0) return;

    if (type === 'uint8' && (items instanceof Uint8Array || items instanceof Uint8ClampedArray)) {
      this.out.raw(items instanceof Uint8Array ? items : new Uint8Array(items.buffer, items.byteOffset, items.length));
      return;
    }
    for (let i = 0; i < n; i++) {
      const item = items[i];
      const itemPath = `${path}[${i}]`;
      if (field.isComplex === true) this.complex(type, item, itemPath);
      else if (type === 'time' || type === 'duration') this.time(type, item, itemPath);
      else if (type === 'string') this.string(item, itemPath, field.upperBound);
      else this.out.scalar(type, this.primitive(type, item, itemPath));
    }
  }
}

/**
 * CDR encoding (with its 4-byte encapsulation header) of a message of one of the known types.
 * Throws a RecordingError naming the field (and `topic`, when given) for a message that does not fit
 * the type.
 */
export function serializeRos2Message(type: string, message: object, topic?: string): Uint8Array {
  const where = topic === undefined ? type : `topic ${topic} (${type})`;
  let c: CompiledType;
  try {
    c = compile(type);
  } catch (error) {
    throw new RecordingError(`cannot record ${where}: ${(error as Error).message}`, topic, undefined, { cause: error });
  }
  if (!isRecord(message)) {
    throw new RecordingError(`cannot record a message on ${where}: expected a ${type} object, got ${describeValue(message)}`, topic);
  }
  const out = new CdrBuffer(256);
  try {
    new Encoder(c.nested, out).struct(c.root, message, '');
  } catch (error) {
    if (error instanceof FieldError) {
      throw new RecordingError(`cannot record a message on ${where}: field ${error.field}: ${error.detail}`, topic, error.field);
    }
    throw error;
  }
  return out.data;
}

/** The complete ros2msg definition text of a known type (what goes into its MCAP schema). */
export function schemaText(type: string): string {
  return compile(type).text;
}
