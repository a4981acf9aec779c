/**
 * The parts of a manifest that only a remote model has: which server protocol it speaks and its
 * fields, and the camera images it takes (how each is cropped and resized before it is sent).
 * See docs/model-format.md.
 */
import { FieldReader, has, join } from './manifest_fields.js';

export const PROTOCOLS = ['molmoact-text', 'act-json'] as const;
export type RemoteProtocol = (typeof PROTOCOLS)[number];
export const IMAGE_FORMATS = ['png', 'jpeg'] as const;
/** Vocabularies whose action strings this package has a table of (src/reasoning/remote/). */
export const ACTION_TOKEN_TABLES = ['qwen2'] as const;

/** MolmoAct (v1) behind an OpenAI-compatible chat-completions endpoint. */
export interface MolmoActTextSpec {
  /** The model name the server was started with (the request's "model"). */
  model: string;
  maxTokens: number;
  /** Prompt templates; `{instruction}` is replaced by the task. `steer`: null when the model cannot be steered. */
  prompt: { reason: string; steer: string | null };
  /** How a person's trace is drawn onto the first image for the steering prompt. */
  traceLine: { width: number; color: [number, number, number] };
  imageFormat: (typeof IMAGE_FORMATS)[number];
  actionTokens: (typeof ACTION_TOKEN_TABLES)[number];
}

/** The `/act` convention: one JSON object in (json_numpy arrays), one out. */
export interface ActJsonSpec {
  instructionKey: string;
  /** Null: the server takes no robot state. */
  stateKey: string | null;
  /** The request key of each camera's image, in the manifest's camera order. */
  imageKeys: string[];
  /** Constant fields sent with every request (e.g. num_steps). */
  extra: Record<string, string | number | boolean>;
  /** Key of the action chunk in the answer; '' when the answer is the array itself (OpenVLA). */
  actionsKey: string;
  /** Key of the server's own inference time in ms, if it reports one. */
  serverMsKey: string | null;
}

interface RemoteBase {
  /** scheme://host[:port] of the server; the node's remote_server parameter replaces it. */
  server: string;
  /** The endpoint's path on the server. */
  path: string;
}

export type RemoteSpec =
  | (RemoteBase & { protocol: 'molmoact-text'; text: MolmoActTextSpec })
  | (RemoteBase & { protocol: 'act-json'; act: ActJsonSpec });

/** One camera image a remote model takes, and how it is prepared before it is sent. */
export interface CameraSpec {
  name: string;
  /** Null for the first camera: the node's main colour camera. Otherwise a (relative) topic name. */
  topic: string | null;
  /** Size the image is resized to (stretching, after the crop). */
  width: number;
  height: number;
  /** Fraction of the image's area kept by a centre crop before resizing (LIBERO's 0.9); 1 keeps all. */
  cropArea: number;
  /** Turn the image by 180 degrees first (LIBERO's simulator renders upside down). */
  rotate180: boolean;
}

const DEFAULT_PATHS: Record<RemoteProtocol, string> = { 'molmoact-text': '/v1/chat/completions', 'act-json': '/act' };

export function parseRemote(v: FieldReader, remote: Record<string, unknown>, cameraCount: number): RemoteSpec {
  const protocol = v.oneOf(remote, 'protocol', PROTOCOLS, 'remote');
  const server = checkServerUrl(v, v.string(remote, 'server', 'remote'), 'remote.server');
  const path = has(remote, 'path') ? v.string(remote, 'path', 'remote') : DEFAULT_PATHS[protocol];
  if (!path.startsWith('/')) v.fail('remote.path', `expected a path starting with "/", got ${JSON.stringify(path)}`);
  if (protocol === 'molmoact-text') {
    v.onlyKeys(remote, ['protocol', 'server', 'path', 'model', 'max_tokens', 'prompt', 'trace_line', 'image_format', 'action_tokens'], 'remote');
    return { protocol, server, path, text: parseText(v, remote) };
  }
  v.onlyKeys(remote, ['protocol', 'server', 'path', 'request', 'response'], 'remote');
  return { protocol, server, path, act: parseAct(v, remote, cameraCount) };
}

/** Checks a server address: http(s), a host, nothing after the port. Returns it without a trailing slash. */
export function checkServerUrl(v: FieldReader, text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return v.fail(field, `expected a server address such as http://gpu-box:8000, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') v.fail(field, `expected http:// or https://, got ${JSON.stringify(text)}`);
  if (url.pathname !== '/' || url.search || url.hash) v.fail(field, `expected scheme://host:port only (the path is remote.path), got ${JSON.stringify(text)}`);
  return `${url.protocol}//${url.host}`;
}

function parseText(v: FieldReader, remote: Record<string, unknown>): MolmoActTextSpec {
  const prompt = v.object(remote.prompt, 'remote.prompt');
  v.onlyKeys(prompt, ['reason', 'steer'], 'remote.prompt');
  const template = (key: string): string => {
    const text = v.string(prompt, key, 'remote.prompt');
    if (!text.includes('{instruction}')) v.fail(`remote.prompt.${key}`, 'expected the placeholder {instruction} in the template');
    return text;
  };
  const line = v.object(remote.trace_line, 'remote.trace_line');
  const color = v.numberArray(line, 'color', 3, 'remote.trace_line');
  color.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 255) v.fail(`remote.trace_line.color[${i}]`, `expected an integer in [0, 255], got ${c}`);
  });
  return {
    model: v.string(remote, 'model', 'remote'),
    maxTokens: v.integer(remote, 'max_tokens', 1, 'remote'),
    prompt: { reason: template('reason'), steer: has(prompt, 'steer') ? template('steer') : null },
    traceLine: { width: v.number(line, 'width', { min: 0.5, max: 20 }, 'remote.trace_line'), color: color as [number, number, number] },
    imageFormat: has(remote, 'image_format') ? v.oneOf(remote, 'image_format', IMAGE_FORMATS, 'remote') : 'png',
    actionTokens: v.oneOf(remote, 'action_tokens', ACTION_TOKEN_TABLES, 'remote'),
  };
}

function parseAct(v: FieldReader, remote: Record<string, unknown>, cameraCount: number): ActJsonSpec {
  const request = v.object(remote.request, 'remote.request');
  const response = v.object(remote.response, 'remote.response');
  v.onlyKeys(request, ['instruction', 'state', 'images', 'extra'], 'remote.request');
  v.onlyKeys(response, ['actions', 'server_ms'], 'remote.response');
  const imageKeys = v.stringArray(request, 'images', 'remote.request');
  if (imageKeys.length !== cameraCount) {
    v.fail('remote.request.images', `expected one key per camera (${cameraCount}), got ${imageKeys.length}`);
  }
  // No prototype: a key named "__proto__" is a field like any other.
  const extra: Record<string, string | number | boolean> = Object.create(null);
  const extraFields = v.optionalObject(request, 'extra', 'remote.request');
  for (const [key, value] of Object.entries(extraFields ?? {})) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) v.fail(`remote.request.extra.${key}`, 'expected a string, number or boolean');
    extra[key] = value as string | number | boolean;
  }
  const used = [v.string(request, 'instruction', 'remote.request'), ...imageKeys];
  const stateKey = has(request, 'state') ? v.string(request, 'state', 'remote.request') : null;
  if (stateKey) used.push(stateKey);
  used.push(...Object.keys(extra));
  const duplicate = used.find((key, i) => used.indexOf(key) !== i);
  if (duplicate) v.fail('remote.request', `the key ${JSON.stringify(duplicate)} is used twice`);
  const actionsKey = response.actions === '' ? '' : v.string(response, 'actions', 'remote.response');
  return {
    instructionKey: used[0],
    stateKey,
    imageKeys,
    extra,
    actionsKey,
    serverMsKey: has(response, 'server_ms') ? v.string(response, 'server_ms', 'remote.response') : null,
  };
}

export function parseCameras(v: FieldReader, value: unknown): CameraSpec[] {
  if (!Array.isArray(value) || value.length === 0) v.fail('cameras', 'missing (expected a list with at least the main camera)');
  const names = new Set<string>();
  return value.map((item, i) => {
    const field = `cameras[${i}]`;
    const camera = v.object(item, field);
    v.onlyKeys(camera, ['name', 'topic', 'width', 'height', 'crop_area', 'rotate_180'], field);
    const name = v.string(camera, 'name', field);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) v.fail(join(field, 'name'), `expected lowercase letters, digits and _, got ${JSON.stringify(name)}`);
    if (names.has(name)) v.fail(join(field, 'name'), `duplicate camera name ${JSON.stringify(name)}`);
    names.add(name);
    let topic: string | null = null;
    if (i === 0 && has(camera, 'topic')) v.fail(join(field, 'topic'), "the first camera is the node's main colour camera; its topic is the node's");
    if (i > 0) topic = v.string(camera, 'topic', field);
    return {
      name,
      topic,
      width: v.integer(camera, 'width', 1, field),
      height: v.integer(camera, 'height', 1, field),
      cropArea: has(camera, 'crop_area') ? v.number(camera, 'crop_area', { min: 0.05, max: 1 }, field) : 1,
      rotate180: has(camera, 'rotate_180') ? v.boolean(camera, 'rotate_180', field) : false,
    };
  });
}
