/**
 * numpy arrays inside JSON, as the Python package json_numpy writes them (the `/act` servers of
 * OpenVLA and MolmoAct2 patch their JSON with it):
 *
 *   {"__numpy__": "<base64 of the raw bytes, C order>", "dtype": "<f4", "shape": [2, 8]}
 *
 * `dtype` is numpy's array-protocol descriptor: byte order (`<` little, `>` big, `|` not
 * applicable), kind and item size. `shape` [] is a scalar. Written here because no npm package
 * reads this format; it is a few lines over Buffer and DataView.
 */

/** A decoded array: its values as numbers (row-major) and its shape. */
export interface NdArray {
  dtype: string;
  shape: number[];
  values: Float64Array;
}

/** An array in the wire form json_numpy writes. */
export interface EncodedNdArray {
  __numpy__: string;
  dtype: string;
  shape: number[];
}

/** A json_numpy value that cannot be read; the message quotes what was wrong. */
export class JsonNumpyError extends Error {
  override name = 'JsonNumpyError';
}

type Reader = (view: DataView, offset: number, littleEndian: boolean) => number;

const READERS: Readonly<Record<string, { size: number; read: Reader }>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, { size: number; read: Reader }>, {
    f4: { size: 4, read: (v: DataView, o: number, le: boolean) => v.getFloat32(o, le) },
    f8: { size: 8, read: (v: DataView, o: number, le: boolean) => v.getFloat64(o, le) },
    i1: { size: 1, read: (v: DataView, o: number) => v.getInt8(o) },
    u1: { size: 1, read: (v: DataView, o: number) => v.getUint8(o) },
    b1: { size: 1, read: (v: DataView, o: number) => (v.getUint8(o) === 0 ? 0 : 1) },
    i2: { size: 2, read: (v: DataView, o: number, le: boolean) => v.getInt16(o, le) },
    u2: { size: 2, read: (v: DataView, o: number, le: boolean) => v.getUint16(o, le) },
    i4: { size: 4, read: (v: DataView, o: number, le: boolean) => v.getInt32(o, le) },
    u4: { size: 4, read: (v: DataView, o: number, le: boolean) => v.getUint32(o, le) },
    i8: { size: 8, read: (v: DataView, o: number, le: boolean) => Number(v.getBigInt64(o, le)) },
    u8: { size: 8, read: (v: DataView, o: number, le: boolean) => Number(v.getBigUint64(o, le)) },
  }),
);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True for an object in json_numpy's array form (it has a `__numpy__` key). */
export function isEncodedNdArray(value: unknown): value is EncodedNdArray {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, '__numpy__');
}

/** Encodes float32 values (little-endian, as numpy writes them on every common machine). */
export function encodeFloat32(values: ArrayLike<number>, shape: number[] = [values.length]): EncodedNdArray {
  checkShape(shape, values.length);
  const data = Float32Array.from(values);
  const bytes = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) bytes.writeFloatLE(data[i], i * 4);
  return { __numpy__: bytes.toString('base64'), dtype: '<f4', shape: [...shape] };
}

/**
 * The JSON text of an encoded array, without JSON.stringify scanning its base64 (which holds
 * nothing to escape): for request bodies that carry images.
 */
export function ndArrayJson(array: EncodedNdArray): string {
  return `{"__numpy__":"${array.__numpy__}","dtype":${JSON.stringify(array.dtype)},"shape":${JSON.stringify(array.shape)}}`;
}

/** Reads an array in json_numpy's form; `where` names it in errors (e.g. "actions"). */
export function decodeNdArray(value: unknown, where: string): NdArray {
  if (!isEncodedNdArray(value)) throw new JsonNumpyError(`${where}: expected a json_numpy array ({"__numpy__", "dtype", "shape"}), got ${preview(value)}`);
  const { __numpy__: data, dtype, shape } = value as { __numpy__: unknown; dtype: unknown; shape: unknown };
  if (typeof data !== 'string' || !BASE64.test(data)) throw new JsonNumpyError(`${where}: "__numpy__" is not base64 text: ${preview(data)}`);
  if (typeof dtype !== 'string') throw new JsonNumpyError(`${where}: "dtype" is not a string: ${preview(dtype)}`);
  const match = /^([<>|=])([a-z])(\d+)$/.exec(dtype);
  const reader = match ? READERS[`${match[2]}${match[3]}`] : undefined;
  if (!match || !reader) throw new JsonNumpyError(`${where}: dtype ${JSON.stringify(dtype)} is not a numeric dtype this client reads (f4, f8, integers, b1)`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new JsonNumpyError(`${where}: "shape" is not a list of sizes: ${preview(shape)}`);
  }
  const bytes = Buffer.from(data, 'base64');
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  if (bytes.length !== count * reader.size) {
    throw new JsonNumpyError(`${where}: shape [${shape.join(', ')}] of ${dtype} needs ${count * reader.size} bytes, "__numpy__" holds ${bytes.length}`);
  }
  // '=' is native order; every machine this runs on is little-endian, as numpy's '<'.
  const littleEndian = match[1] !== '>';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(view, i * reader.size, littleEndian);
  return { dtype, shape: [...shape], values };
}

/** Rows of a 2-D array ([rows, cols]) as nested number lists. */
export function toRows(array: NdArray, where: string): number[][] {
  if (array.shape.length !== 2) throw new JsonNumpyError(`${where}: expected a 2-D array, got shape [${array.shape.join(', ')}]`);
  const [rows, cols] = array.shape;
  return Array.from({ length: rows }, (_, r) => Array.from(array.values.subarray(r * cols, (r + 1) * cols)));
}

function checkShape(shape: number[], length: number): void {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== length) throw new JsonNumpyError(`shape [${shape.join(', ')}] holds ${count} values, got ${length}`);
}

/** A short, printable quote of a value for an error message. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
