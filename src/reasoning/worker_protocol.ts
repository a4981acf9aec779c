/**
 * Messages between the Reasoner (main thread) and its worker. Image payloads travel in the
 * transfer list, so they move instead of being copied.
 */
import type { BackendOptions } from './backend.js';
import type { RotationConvention } from './manifest.js';
import type { RgbImage, Frame, ReasoningStep } from './types.js';
import type { StepTask } from './frame_step.js';
import type { ProprioSource } from './proprioception.js';

export interface WorkerInit {
  modelDir: string;
  /** Joints (and gripper) the model's proprioception is read from. */
  proprio: ProprioSource;
  /** How the model's runtime uses the CPU. */
  backend: BackendOptions;
}

/** What the worker reports once its model is loaded. */
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

export interface RenderRequest {
  /** Draw the trace and instruction over the frame. */
  traceImage: boolean;
  /** Colourise the metric depth. */
  depthImage: boolean;
}

export type ToWorker =
  | { type: 'init'; init: WorkerInit }
  | { type: 'step'; id: number; frame: Frame; task: StepTask; render: RenderRequest };

/** An error as it crosses the thread boundary (class instances do not survive structured clone). */
export interface WorkerError {
  name: string;
  code?: string;
  message: string;
}

export type FromWorker =
  | { type: 'ready'; model: ModelSummary }
  | { type: 'init_failed'; error: WorkerError }
  | { type: 'step'; id: number; step: ReasoningStep; workerMs: number }
  | { type: 'step_failed'; id: number; error: WorkerError }
  | { type: 'images'; id: number; traceImage?: RgbImage; depthImage?: RgbImage; renderMs: number }
  | { type: 'render_failed'; id: number; error: WorkerError };

export function toWorkerError(err: unknown): WorkerError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : undefined, message: err.message };
  }
  return { name: 'Error', message: String(err) };
}
