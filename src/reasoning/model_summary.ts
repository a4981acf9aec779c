/**
 * The few facts about a loaded model that the main thread needs (it never loads the model itself).
 */
import type { ModelManifest } from './manifest.js';
import type { ModelSummary } from './worker_protocol.js';

export function summarizeModel(manifest: ModelManifest): ModelSummary {
  return {
    name: manifest.name,
    actionSpace: manifest.action.space,
    actionDim: manifest.action.dim,
    chunkLength: manifest.action.chunk,
    proprioDim: manifest.proprio.dim,
    tracePoints: manifest.trace.points,
    depthRows: manifest.depth.rows,
    depthCols: manifest.depth.cols,
    rotation: manifest.action.rotation,
    deltaFrame: manifest.action.frame,
    gripperIndex: manifest.action.gripper,
  };
}
