/**
 * The Reasoner used one step at a time, each awaited: for the training-data collection, which
 * drives a scripted expert and the model side by side instead of commanding through the pipeline.
 */
import { Reasoner } from './reasoner.js';
import type { StepTask } from './frame_step.js';
import type { Frame, ReasoningStep } from '../core/model/types.js';
import type { ModelSummary } from '../core/model/model_summary.js';
import type { ProprioSource } from '../core/model/proprioception.js';
import type { BackendOptions } from './backend.js';

export interface SteppedResult {
  step: ReasoningStep;
  timing: { workerMs: number; roundTripMs: number };
}

export class SteppingReasoner {
  private pending: { resolve(result: SteppedResult): void; reject(error: Error): void } | null = null;

  private constructor(
    private readonly reasoner: Reasoner,
    readonly model: ModelSummary,
  ) {}

  static async start(modelDir: string, proprio: ProprioSource, backend: BackendOptions): Promise<SteppingReasoner> {
    let self: SteppingReasoner | null = null;
    const reasoner = new Reasoner({
      init: { modelDir, proprio, backend },
      handlers: {
        onStep: (step, timing) => self?.settle((p) => p.resolve({ step, timing })),
        onError: (kind, error) => {
          if (kind !== 'render') self?.settle((p) => p.reject(new Error(`${kind}: ${error.message}`)));
        },
      },
    });
    const model = await reasoner.start();
    self = new SteppingReasoner(reasoner, model);
    return self;
  }

  /** Reasons about one frame; the frame's image buffers move to the worker. */
  step(frame: Frame, task: StepTask): Promise<SteppedResult> {
    if (this.pending) return Promise.reject(new Error('one step at a time: the previous step has not finished'));
    return new Promise<SteppedResult>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.reasoner.submit(frame, task);
    });
  }

  close(): Promise<void> {
    this.settle((p) => p.reject(new Error('the reasoner was closed')));
    return this.reasoner.close();
  }

  private settle(how: (pending: NonNullable<SteppingReasoner['pending']>) => void): void {
    const pending = this.pending;
    this.pending = null;
    if (pending) how(pending);
  }
}
