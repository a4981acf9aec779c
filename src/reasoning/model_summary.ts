/**
 * The few facts about a loaded model that the main thread needs (it never loads the model itself).
 */
import type { ModelManifest } from './manifest.js';
import type { ModelSummary } from './worker_protocol.js';

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
