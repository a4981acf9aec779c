/**
 * Chunk execution policy: what a new chunk does to the one that is running.
 *
 * replace:   the new chunk replaces the rest of the running one (the controller does that with
 *            any new trajectory).
 * open_loop: a chunk runs to its end before the next frame is reasoned about, as MolmoAct's
 *            LIBERO evaluation executes its chunks.
 * ensemble:  every chunk predicts the arm's targets for the next instants; for each point of the
 *            new chunk, the predictions of the recent chunks for the same instant are averaged
 *            with weights exp(-m * i), i = 0 for the oldest (ACT's temporal ensembling, which
 *            favours older predictions and so smooths the motion).
 *
 * Targets are joint positions (after IK for end-effector models); times are node-clock seconds.
 */
export type ExecutionPolicy = 'replace' | 'open_loop' | 'ensemble';

interface SentChunk {
  /** Time of the chunk's first point. */
  firstPointTime: number;
  stepSec: number;
  targets: number[][];
}

export class ChunkExecutor {
  private history: SentChunk[] = [];
  private runningUntil = -Infinity;

  constructor(
    readonly policy: ExecutionPolicy,
    private readonly ensembleWeight: number,
  ) {}

  /** Whether a new frame should be reasoned about now (open_loop waits for the chunk's end). */
  acceptsFrame(now: number): boolean {
    return this.policy !== 'open_loop' || now >= this.runningUntil;
  }

  /**
   * The targets to send for a new chunk whose points are meant for now + (k + 1) * stepSec.
   * Only ensemble changes them.
   */
  blend(targets: number[][], now: number, stepSec: number): number[][] {
    if (this.policy !== 'ensemble') return targets;
    this.history = this.history.filter((c) => c.firstPointTime + (c.targets.length - 1) * c.stepSec >= now);
    return targets.map((target, k) => {
      const time = now + (k + 1) * stepSec;
      // Oldest first: this.history is in sending order, the new prediction comes last.
      const predictions: number[][] = [];
      for (const chunk of this.history) {
        const index = Math.round((time - chunk.firstPointTime) / chunk.stepSec);
        const predictedAt = chunk.firstPointTime + index * chunk.stepSec;
        if (index >= 0 && index < chunk.targets.length && Math.abs(predictedAt - time) <= chunk.stepSec / 2) {
          predictions.push(chunk.targets[index]);
        }
      }
      predictions.push(target);
      const weights = predictions.map((_, i) => Math.exp(-this.ensembleWeight * i));
      const total = weights.reduce((a, b) => a + b, 0);
      return target.map((_, j) => predictions.reduce((sum, p, i) => sum + weights[i] * p[j], 0) / total);
    });
  }

  /**
   * Records a chunk that was sent: its raw prediction (for later ensembling) and when the
   * trajectory that carries it ends.
   */
  sent(prediction: number[][], now: number, stepSec: number, durationSec: number): void {
    this.runningUntil = now + durationSec;
    if (this.policy === 'ensemble') this.history.push({ firstPointTime: now + stepSec, stepSec, targets: prediction });
  }

  /** When the trajectory sent last ends (node clock, s; -Infinity when none was). */
  get runningUntilSec(): number {
    return this.runningUntil;
  }

  /**
   * Forgets the running chunk (after a stop, a disable or a new instruction). `runningUntil`: when
   * a trajectory sent instead of it (a stop) ends.
   */
  reset(runningUntil = -Infinity): void {
    this.history = [];
    this.runningUntil = runningUntil;
  }
}
