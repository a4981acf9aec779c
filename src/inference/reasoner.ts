/**
 * The Reasoner: the main thread's handle on the one long-lived reasoning worker.
 *
 * - At most one step is in flight. A frame submitted meanwhile waits; a newer one replaces it
 *   (the replaced frame is counted as dropped). Frames are never queued.
 * - The depth image stays here: it is checked when the frame is submitted (a malformed one costs no
 *   model time) and read at the trace's pixels when the worker's answer comes (liftStep). It goes
 *   to the worker only with a frame whose depth picture is asked for.
 * - Image payloads move to the worker in the transfer list (no copy when the message owns them).
 *   Once an image's own buffer could not be moved (the middleware's memory), every image is
 *   copied into a buffer the worker has given back instead (image_transfer.ts).
 * - If the worker dies or a step hangs past `stepTimeoutMs`, the worker is replaced, with a
 *   growing delay between attempts; the step in flight is reported as failed and the waiting
 *   frame, if any, is reasoned about once the new worker is ready.
 */
import { Worker } from 'node:worker_threads';
import type { Frame, ReasoningStep, RgbImage } from '../core/model/types.js';
import { liftStep, type ColourFrame, type StepTask } from './frame_step.js';
import { toWorkerError, type FromWorker, type RenderRequest, type ToWorker, type WorkerError, type WorkerInit } from './worker_protocol.js';
import { depthSampler } from '../core/messages/image_codec.js';
import type { DepthSampler } from '../core/messages/images.js';
import type { CameraInfo, Image } from '../core/messages/types.js';
import type { ModelSummary } from '../core/model/model_summary.js';
import type { ProprioSource } from '../core/model/proprioception.js';
import type { Time } from '../core/messages/types.js';
import { BufferPool, postWithImages } from './image_transfer.js';

export interface StepImages {
  stamp: Time;
  frameId: string;
  traceImage?: RgbImage;
  depthImage?: RgbImage;
  renderMs: number;
}

export interface ReasonerHandlers {
  onStep(step: ReasoningStep, timing: { workerMs: number; roundTripMs: number }): void;
  onImages?(images: StepImages): void;
  /** Failed steps ('step'), pictures that could not be drawn ('render'), worker trouble ('worker'). */
  onError(kind: 'step' | 'render' | 'worker', error: WorkerError): void;
  /** The worker was replaced and has loaded the model again. */
  onRestart?(restarts: number): void;
}

export interface ReasonerOptions {
  init: WorkerInit;
  handlers: ReasonerHandlers;
  /** A step running longer than this is considered hung: the worker is replaced. */
  stepTimeoutMs?: number;
  /** First delay before replacing a dead worker; doubles up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

export interface ReasonerStats {
  submitted: number;
  completed: number;
  failed: number;
  /** Frames replaced by a newer one while waiting. */
  dropped: number;
  restarts: number;
  /** Image buffers moved to the worker without a copy / copied first (not owned by the message). */
  transferred: number;
  copied: number;
  /** Of the copies, those made into a buffer the worker had given back (no fresh memory). */
  reused: number;
}

export class ReasonerInitError extends Error {
  override name = 'ReasonerInitError';
  constructor(
    message: string,
    readonly workerError?: WorkerError,
  ) {
    super(message);
  }
}

/** 'rejected': the frame's depth image is malformed (reported through onError as a failed step). */
export type SubmitResult = 'started' | 'waiting' | 'replaced' | 'rejected';

interface Pending {
  frame: Frame;
  task: StepTask;
  render: RenderRequest;
  /** The frame's depth image, checked, for lifting the trace. */
  depth: DepthSampler;
}

/** What the answer to a step in flight is completed with on this side. */
interface InFlight {
  id: number;
  sentAt: number;
  timer: NodeJS.Timeout | null;
  depth: DepthSampler;
  cameraInfo: CameraInfo;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

export class Reasoner {
  private worker: Worker | null = null;
  private ready = false;
  private closed = false;
  private nextId = 1;
  private inFlight: InFlight | null = null;
  private waiting: Pending | null = null;
  private readonly frameOfStep = new Map<number, { stamp: Time; frameId: string }>();
  private restartDelay: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private modelSummary: ModelSummary | null = null;
  private readonly counters: ReasonerStats = {
    submitted: 0,
    completed: 0,
    failed: 0,
    dropped: 0,
    restarts: 0,
    transferred: 0,
    copied: 0,
    reused: 0,
  };
  /** Set once an image's own buffer could not be moved: from then on images are copied into the pool. */
  private copyImages = false;
  private readonly pool = new BufferPool();

  /** What a (re)started worker is initialised with; the proprioception may change at run time. */
  private init: WorkerInit;

  constructor(private readonly options: ReasonerOptions) {
    this.restartDelay = options.restartDelayMs ?? 500;
    this.init = options.init;
  }

  /** New proprioception settings: used from the next step on, and by a restarted worker. */
  configure(proprio: ProprioSource): void {
    this.init = { ...this.init, proprio };
    this.worker?.postMessage({ type: 'configure', proprio } satisfies ToWorker);
  }

  get stats(): Readonly<ReasonerStats> {
    return { ...this.counters };
  }

  get model(): ModelSummary | null {
    return this.modelSummary;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** A step in flight, or a frame waiting for one. */
  get hasWork(): boolean {
    return this.inFlight !== null || this.waiting !== null;
  }

  /** Starts the worker and loads the model; rejects with ReasonerInitError if the model cannot be loaded. */
  async start(): Promise<ModelSummary> {
    this.modelSummary = await this.spawn();
    return this.modelSummary;
  }

  /**
   * Hands a frame over; its images are the Reasoner's afterwards (colour moves to the worker, depth
   * is read here when the step comes back). A malformed depth image is refused at once.
   */
  submit(frame: Frame, task: StepTask, render: RenderRequest = { traceImage: false, depthImage: false }): SubmitResult {
    this.counters.submitted++;
    let depth: DepthSampler;
    try {
      depth = depthSampler(frame.depth);
    } catch (err) {
      this.counters.failed++;
      this.options.handlers.onError('step', toWorkerError(err));
      return 'rejected';
    }
    if (this.ready && !this.inFlight) {
      this.send({ frame, task, render, depth });
      return 'started';
    }
    const replaced = this.waiting !== null;
    if (replaced) this.counters.dropped++;
    this.waiting = { frame, task, render, depth };
    return replaced ? 'replaced' : 'waiting';
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.inFlight?.timer) clearTimeout(this.inFlight.timer);
    this.inFlight = null;
    this.waiting = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private spawn(): Promise<ModelSummary> {
    const worker = new Worker(WORKER_URL);
    this.worker = worker;
    return new Promise<ModelSummary>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready' && !settled) {
          settled = true;
          this.ready = true;
          this.restartDelay = this.options.restartDelayMs ?? 500;
          resolve(message.model);
          this.pump();
        } else if (message.type === 'init_failed' && !settled) {
          settled = true;
          this.worker = null;
          void worker.terminate();
          reject(new ReasonerInitError(`cannot load the model: ${message.error.message}`, message.error));
        } else {
          this.onMessage(message);
        }
      });
      worker.on('error', (err) => {
        if (!settled) {
          settled = true;
          reject(new ReasonerInitError(`the reasoning worker failed to start: ${err.message}`));
        }
        this.options.handlers.onError('worker', { name: err.name, message: err.message });
      });
      worker.on('exit', (code) => {
        if (!settled) {
          settled = true;
          reject(new ReasonerInitError(`the reasoning worker exited (code ${code}) before loading the model`));
        }
        if (this.worker === worker) this.onWorkerDeath(`exited with code ${code}`);
      });
      worker.postMessage({ type: 'init', init: this.init } satisfies ToWorker);
    });
  }

  private send(pending: Pending): void {
    const worker = this.worker!;
    const id = this.nextId++;
    this.frameOfStep.set(id, { stamp: pending.frame.stamp, frameId: pending.frame.frameId });
    const timeout = this.options.stepTimeoutMs ?? 30_000;
    const timer = setTimeout(() => this.onStepTimeout(id), timeout);
    timer.unref();
    this.inFlight = { id, sentAt: performance.now(), timer, depth: pending.depth, cameraInfo: pending.frame.cameraInfo };
    const frame: ColourFrame = { ...pending.frame, depth: pending.render.depthImage ? this.depthForPicture(pending.frame.depth) : undefined };
    const message: ToWorker = { type: 'step', id, frame, task: pending.task, render: pending.render, returnBuffers: this.copyImages };
    const images = [frame.rgb, ...(frame.depth ? [frame.depth] : []), ...(frame.extraImages ?? []).map((extra) => extra.image)];
    const count = postWithImages(worker, message, images, this.copyImages ? this.pool : null);
    if (count.unmovable > 0) this.copyImages = true;
    this.counters.transferred += count.transferred;
    this.counters.copied += count.copied;
    this.counters.reused += count.reused;
  }

  /**
   * The depth image for the worker's picture. This side reads it again when the step comes back,
   * so it must not be moved away: moving images, a copy of it is made here and moved (at most one
   * per picture period; counted as transferred); copying them, postWithImages copies it anyway.
   */
  private depthForPicture(depth: Image): Image {
    if (this.copyImages) return depth;
    return { ...depth, data: new Uint8Array(depth.data) };
  }

  private onMessage(message: FromWorker): void {
    const { handlers } = this.options;
    if ('returned' in message && message.returned) this.pool.give(message.returned);
    switch (message.type) {
      case 'step':
      case 'step_failed': {
        if (!this.inFlight || this.inFlight.id !== message.id) return; // from a replaced worker
        const sent = this.inFlight;
        const roundTripMs = performance.now() - sent.sentAt;
        if (sent.timer) clearTimeout(sent.timer);
        this.inFlight = null;
        if (message.type === 'step_failed') {
          this.stepFailed(message.id, message.error);
        } else {
          let lifted: ReasoningStep | null = null;
          try {
            lifted = liftStep(message.step, sent.depth, sent.cameraInfo);
          } catch (err) {
            this.stepFailed(message.id, toWorkerError(err));
          }
          if (lifted) {
            this.counters.completed++;
            handlers.onStep(lifted, { workerMs: message.workerMs, roundTripMs });
          }
        }
        this.pump();
        return;
      }
      case 'images': {
        const meta = this.frameOfStep.get(message.id);
        this.frameOfStep.delete(message.id);
        if (meta && handlers.onImages) {
          handlers.onImages({ ...meta, traceImage: message.traceImage, depthImage: message.depthImage, renderMs: message.renderMs });
        }
        return;
      }
      case 'render_failed':
        this.frameOfStep.delete(message.id);
        handlers.onError('render', message.error);
        return;
      default:
        return;
    }
  }

  private stepFailed(id: number, error: WorkerError): void {
    this.counters.failed++;
    this.frameOfStep.delete(id);
    this.options.handlers.onError('step', error);
  }

  private pump(): void {
    // Steps without pictures never send an 'images' message; forget all but the newest few.
    for (const id of this.frameOfStep.keys()) {
      if (this.frameOfStep.size <= 4) break;
      this.frameOfStep.delete(id);
    }
    if (!this.ready || this.inFlight || !this.waiting) return;
    const next = this.waiting;
    this.waiting = null;
    this.send(next);
  }

  private onStepTimeout(id: number): void {
    if (this.inFlight?.id !== id || !this.worker) return;
    const worker = this.worker;
    this.onWorkerDeath(`a step took longer than ${this.options.stepTimeoutMs ?? 30_000} ms`);
    void worker.terminate();
  }

  private onWorkerDeath(reason: string): void {
    this.worker = null;
    this.ready = false;
    if (this.closed) return;
    if (this.inFlight) {
      if (this.inFlight.timer) clearTimeout(this.inFlight.timer);
      this.inFlight = null;
      this.counters.failed++;
    }
    this.options.handlers.onError('worker', { name: 'WorkerDied', message: `reasoning worker ${reason}; restarting` });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 10_000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed) return;
      this.counters.restarts++;
      this.spawn().then(
        (model) => {
          this.modelSummary = model;
          this.options.handlers.onRestart?.(this.counters.restarts);
        },
        (err: Error) => {
          this.options.handlers.onError('worker', { name: err.name, message: err.message });
          this.scheduleRestart();
        },
      );
    }, delay);
  }
}
