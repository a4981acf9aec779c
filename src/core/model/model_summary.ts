/**
 * The few facts about a loaded model that the main thread needs (it never loads the model itself).
 */
import type { ModelManifest } from './manifest.js';
import type { RotationConvention } from '../control/ee_targets.js';

/** The facts about a model the main thread needs (what the worker reports once its model is loaded). */
export interface ModelSummary {
  name: string;
  backend: 'onnx' | 'remote';
  /** Remote models: the protocol and the server the requests go to. */
  remote?: { protocol: string; url: string };
  /** Cameras beyond the main one (remote models that take several views), with their topics. */
  extraCameras: { name: string; topic: string }[];
  /** Null when a person's trace can steer the model; otherwise why it cannot. */
  steeringUnavailable: string | null;
  actionSpace: string;
  actionDim: number;
  chunkLength: number;
  proprioDim: number;
  /** 0 for a model that gives no trace. */
  tracePoints: number;
  /** 0 for a model that gives no depth perception tokens. */
  depthRows: number;
  depthCols: number;
  /** ee_delta only: rotation convention and frame of the deltas, index of the gripper value. */
  rotation?: RotationConvention;
  deltaFrame?: string;
  /** Index of the gripper value in a step (any action space), if the model commands one. */
  gripperIndex?: number;
}

export function summarizeModel(manifest: ModelManifest, serverOverride = ''): ModelSummary {
  const remote = manifest.backend === 'remote' ? manifest.remote : null;
  return {
    name: manifest.name,
    backend: manifest.backend,
    remote: remote ? { protocol: remote.protocol, url: `${serverOverride || remote.server}${remote.path}` } : undefined,
    extraCameras:
      manifest.backend === 'remote'
        ? manifest.cameras.flatMap((c) => (c.topic === null ? [] : [{ name: c.name, topic: c.topic }]))
        : [],
    steeringUnavailable: steeringUnavailable(manifest),
    actionSpace: manifest.action.space,
    actionDim: manifest.action.dim,
    chunkLength: manifest.action.chunk,
    proprioDim: manifest.proprio.dim,
    tracePoints: manifest.trace?.points ?? 0,
    depthRows: manifest.depth?.rows ?? 0,
    depthCols: manifest.depth?.cols ?? 0,
    rotation: manifest.action.rotation,
    deltaFrame: manifest.action.frame,
    gripperIndex: manifest.action.gripper,
  };
}

/** Why a person's trace cannot steer this model, or null when it can. */
function steeringUnavailable(manifest: ModelManifest): string | null {
  if (manifest.backend === 'onnx') return null;
  const { remote } = manifest;
  if (remote.protocol === 'act-json') return `model ${manifest.name} (protocol act-json) takes no trace: its servers reason from images and state only`;
  if (!manifest.trace || remote.text.prompt.steer === null) return `model ${manifest.name} has no steering prompt (remote.prompt.steer) and trace section`;
  return null;
}
