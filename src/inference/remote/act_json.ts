/**
 * The act-json protocol: the `/act` convention of OpenVLA's deploy.py that MolmoAct2's servers
 * follow (examples/droid/host_server_droid.py: images, "instruction" and "state" in, {"actions":
 * [N, D], "dt_ms"} out). Arrays travel as json_numpy objects; an answer may also give plain
 * nested lists (MolmoAct2's experiments/scripts/serve_policy.py does).
 */
import { RemoteError, quote } from './http.js';
import { JsonNumpyError, decodeNdArray, encodeFloat32, isEncodedNdArray, ndArrayJson } from './json_numpy.js';
import { base64Length, writeBase64, type ScratchBuffers } from '../../media/base64.js';
import type { ActJsonSpec } from '../../core/model/manifest_remote.js';
import type { RgbImage } from '../../core/model/types.js';

export interface ActRequestInput {
  instruction: string;
  /** One image per camera, in the manifest's order. */
  images: RgbImage[];
  state: Float32Array;
}

/**
 * The request body, in pieces: each image as a json_numpy array whose base64 goes in as the bytes
 * it is (written into `scratch`), the rest by JSON.stringify.
 */
export function actRequest(spec: ActJsonSpec, input: ActRequestInput, scratch: ScratchBuffers): Buffer[] {
  const pieces: Buffer[] = [];
  spec.imageKeys.forEach((key, i) => {
    const image = input.images[i];
    const base64 = scratch.get(`act:${i}`, base64Length(image.data.length));
    const length = writeBase64(image.data, base64, 0);
    pieces.push(Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(key)}:{"__numpy__":"`), base64.subarray(0, length));
    pieces.push(Buffer.from(`","dtype":"|u1","shape":[${image.height},${image.width},3]}`));
  });
  const rest: string[] = [`${JSON.stringify(spec.instructionKey)}:${JSON.stringify(input.instruction)}`];
  if (spec.stateKey) rest.push(`${JSON.stringify(spec.stateKey)}:${ndArrayJson(encodeFloat32(input.state))}`);
  for (const [key, value] of Object.entries(spec.extra)) rest.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  pieces.push(Buffer.from(`${pieces.length === 0 ? '{' : ','}${rest.join(',')}}`));
  return pieces;
}

export interface ActAnswer {
  /** [step][dim], as the server sent them (robot units). */
  actions: number[][];
  /** The server's own inference time, when it reports one. */
  serverMs: number | null;
}

/** Reads the action chunk of an answer; anything but a finite [N, dim] chunk is refused. */
export function readActAnswer(spec: ActJsonSpec, json: unknown, url: string, dim: number): ActAnswer {
  // OpenVLA's deploy.py answers the string "error" with HTTP 200 when inference fails.
  if (typeof json === 'string') throw new RemoteError('protocol', `${url} answered ${quote(json)} instead of actions`);
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && Object.hasOwn(json, 'error')) {
    throw new RemoteError('protocol', `${url} reported an error: ${quote(String((json as { error: unknown }).error))}`);
  }
  let value: unknown = json;
  if (spec.actionsKey !== '') {
    if (typeof json !== 'object' || json === null || !Object.hasOwn(json, spec.actionsKey)) {
      throw new RemoteError('protocol', `${url} answered without "${spec.actionsKey}": ${quote(JSON.stringify(json) ?? '')}`);
    }
    value = (json as Record<string, unknown>)[spec.actionsKey];
  }
  const { values, shape } = readArray(value, spec.actionsKey || 'the answer');
  const actions = chunkRows(values, shape, dim);
  actions.forEach((row, s) =>
    row.forEach((x, j) => {
      if (!Number.isFinite(x)) throw new RemoteError('rejected', `actions[${s}][${j}] is ${x}`);
    }),
  );
  let serverMs: number | null = null;
  if (spec.serverMsKey && typeof json === 'object' && json !== null && Object.hasOwn(json, spec.serverMsKey)) {
    const ms = (json as Record<string, unknown>)[spec.serverMsKey];
    if (typeof ms === 'number' && Number.isFinite(ms)) serverMs = ms;
  }
  return { actions, serverMs };
}

/** A json_numpy array or a nested list of numbers -> flat values and shape. */
function readArray(value: unknown, where: string): { values: number[]; shape: number[] } {
  if (isEncodedNdArray(value)) {
    try {
      const array = decodeNdArray(value, where);
      return { values: Array.from(array.values), shape: array.shape };
    } catch (err) {
      if (err instanceof JsonNumpyError) throw new RemoteError('protocol', err.message);
      throw err;
    }
  }
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const values = Array.isArray(value) ? (value as unknown[]).flat(shape.length - 1) : [];
  const expected = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || values.length !== expected || !values.every((x) => typeof x === 'number' || x === null)) {
    throw new RemoteError('protocol', `${where} is not an array of numbers: ${quote(JSON.stringify(value) ?? String(value))}`);
  }
  // JSON has no NaN; a null stands where one was.
  return { values: values.map((x) => (x === null ? NaN : (x as number))), shape };
}

/** [dim] (one action), [N, dim] or [1, N, dim] -> rows. */
function chunkRows(values: number[], shape: number[], dim: number): number[][] {
  const dims = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape.length === 1 ? [1, shape[0]] : shape;
  if (dims.length !== 2 || dims[1] !== dim || dims[0] < 1) {
    throw new RemoteError('rejected', `the actions have shape [${shape.join(', ')}], expected [N, ${dim}] (action.dim ${dim})`);
  }
  return Array.from({ length: dims[0] }, (_, s) => values.slice(s * dim, (s + 1) * dim));
}
