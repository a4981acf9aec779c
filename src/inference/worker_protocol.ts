/**
 * Messages between the Reasoner (main thread) and its worker. Image payloads travel in the
 * transfer list, so they move instead of being copied; where the Reasoner asks for them, the
 * frame's buffers come back (`returned`) once the worker is done with them, to be copied into
 * again (image_transfer.ts).
 */
import type { BackendOptions } from './backend.js';
import type { ModelSummary } from '../core/model/model_summary.js';
import type { RgbImage } from '../core/model/types.js';
import type { ColourFrame, StepTask, UnliftedStep } from './frame_step.js';
import type { ProprioSource } from '../core/model/proprioception.js';

export interface WorkerInit {
  modelDir: string;
  /** Joints (and gripper) the model's proprioception is read from. */
  proprio: ProprioSource;
  /** How the model's runtime uses the CPU. */
  backend: BackendOptions;
}

export interface RenderRequest {
  /** Draw the trace and instruction over the frame. */
  traceImage: boolean;
  /** Colourise the metric depth (the frame then carries its depth image). */
  depthImage: boolean;
}

export type ToWorker =
  | { type: 'init'; init: WorkerInit }
  | { type: 'step'; id: number; frame: ColourFrame; task: StepTask; render: RenderRequest; returnBuffers: boolean }
  /** New proprioception settings (the gripper's open and closed positions changed), from the next step on. */
  | { type: 'configure'; proprio: ProprioSource };

/** An error as it crosses the thread boundary (class instances do not survive structured clone). */
export interface WorkerError {
  name: string;
  code?: string;
  message: string;
}

export type FromWorker =
  | { type: 'ready'; model: ModelSummary }
  | { type: 'init_failed'; error: WorkerError }
  | { type: 'step'; id: number; step: UnliftedStep; workerMs: number; returned?: ArrayBuffer[] }
  | { type: 'step_failed'; id: number; error: WorkerError; returned?: ArrayBuffer[] }
  | { type: 'images'; id: number; traceImage?: RgbImage; depthImage?: RgbImage; renderMs: number; returned?: ArrayBuffer[] }
  | { type: 'render_failed'; id: number; error: WorkerError; returned?: ArrayBuffer[] };

export function toWorkerError(err: unknown): WorkerError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, code: typeof code === 'string' ? code : undefined, message: err.message };
  }
  return { name: 'Error', message: String(err) };
}
