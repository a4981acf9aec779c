/**
 * Whole steps for the benchmarks, through the same ReasoningSession the node runs: messages in,
 * FrameSync, the reasoning worker, markers, the CommandPlanner and SafetyGuard, and the controller
 * output, which here sends into nothing. A step is timed from its first message to the
 * trajectory leaving the output.
 *
 * The clock is the benchmark's: each step's messages move it far past the previous chunk, so the
 * default open_loop policy reasons about every frame (no chunk is still running).
 */
import type { NodeSettings } from '../../config/settings.js';
import type { CameraInfo, CompressedImage, Image, JointState, JointTrajectory } from '../../core/messages/types.js';
import { timeFromSeconds, toSeconds } from '../../core/messages/time.js';
import type { ReasoningStep } from '../../core/model/types.js';
import type { CommandTransport, GoalClient, GoalHandle } from '../../pipeline/outputs/transport.js';
import { ReasoningSession, type StepTiming } from '../../pipeline/session.js';

/** One synchronised set of messages as a camera driver and joint_state_broadcaster send them. */
export interface BenchMessages {
  rgb: Image | CompressedImage;
  depth: Image;
  cameraInfo: CameraInfo;
  joints: JointState;
  /** Images of the model's further cameras, by camera name. */
  extraImages?: { camera: string; image: Image | CompressedImage }[];
}

export interface BenchStep {
  /** First message in to trajectory out, wall clock. */
  wallMs: number;
  step: ReasoningStep;
  timing: StepTiming;
  trajectory: JointTrajectory;
}

/** What the session did with a frame: the trajectory sent, or why none was. */
interface Outcome {
  trajectory: JointTrajectory | null;
  refusal: string | null;
}

/** Controllers that take everything and do nothing; timers run on the event loop. */
class DiscardTransport implements CommandTransport {
  constructor(private readonly clock: () => number) {}

  publisher<M>(): (msg: M) => void {
    return () => {};
  }

  /** Every goal is accepted and succeeds at once. */
  actionClient(): GoalClient {
    const succeeded = 4; // action_msgs/GoalStatus STATUS_SUCCEEDED
    const handle: GoalHandle = {
      isAccepted: () => true,
      status: succeeded,
      cancelGoal: () => Promise.resolve({}),
      getResult: () => Promise.resolve({ status: succeeded, result: {} }),
    };
    return { isActionServerAvailable: () => true, sendGoal: () => Promise.resolve(handle), destroy: () => {} };
  }

  timer(periodSec: number, callback: () => void): { cancel(): void } {
    const handle = setInterval(callback, periodSec * 1000);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }

  now(): number {
    return this.clock();
  }

  log(): void {}
}

export class BenchSession {
  private nowSec = 0;
  private pending: { resolve(outcome: Outcome): void } | null = null;
  private lastStep: { step: ReasoningStep; timing: StepTiming } | null = null;
  private readonly warnings: string[] = [];

  private constructor(private session: ReasoningSession | null) {}

  /** Starts the session with the model of `settings`, the arm of `urdfFile`, actuation enabled. */
  static async start(settings: NodeSettings, urdfFile: string, instruction: string): Promise<BenchSession> {
    const bench = new BenchSession(null);
    const session = await ReasoningSession.start(settings, {
      now: () => timeFromSeconds(bench.nowSec),
      log: { info: () => {}, warn: (m) => bench.warn(m), error: (m) => bench.warn(m) },
      transport: new DiscardTransport(() => bench.nowSec),
      markers: () => {},
      reasoning: () => {},
      traceImage: { publish: () => {}, wanted: () => false },
      depthImage: { publish: () => {}, wanted: () => false },
      observer: {
        onStep: (step, timing) => {
          bench.lastStep = { step, timing };
        },
        onCommand: (trajectory, refusal) => {
          const pending = bench.pending;
          bench.pending = null;
          pending?.resolve({ trajectory, refusal });
        },
      },
    });
    bench.session = session;
    if (!session.modelSummary) {
      await session.shutdown();
      throw new Error(session.modelLoadError ?? `the model in ${settings.modelDir} could not be loaded`);
    }
    session.setRobotDescriptionFile(urdfFile);
    session.setInstruction(instruction);
    const enabled = session.setEnabled(true);
    if (!session.armModel) {
      await session.shutdown();
      throw new Error(`cannot benchmark commands: ${enabled.message}`);
    }
    return bench;
  }

  /** One whole step; throws when the session commands nothing (a refusal, a failed step). */
  async step(messages: BenchMessages): Promise<BenchStep> {
    const session = this.session!;
    // The clock stands just after the messages' stamp, as it would when they arrive.
    this.nowSec = toSeconds(messages.rgb.header.stamp) + 0.005;
    this.lastStep = null;
    this.warnings.length = 0;
    const commanded = new Promise<Outcome>((resolve) => {
      this.pending = { resolve };
    });
    const start = performance.now();
    session.addCameraInfo(messages.cameraInfo);
    session.addJointState(messages.joints);
    for (const extra of messages.extraImages ?? []) session.addExtraImage(extra.camera, extra.image);
    session.addDepth(messages.depth);
    session.addRgb(messages.rgb);
    const outcome = await Promise.race([commanded, session.idle().then(() => this.sessionIdle(commanded))]);
    const wallMs = performance.now() - start;
    const stepped = this.lastStep as { step: ReasoningStep; timing: StepTiming } | null;
    if (!outcome.trajectory || !stepped) {
      throw new Error(`the session commanded nothing: ${outcome.refusal ?? (this.warnings.join('; ') || 'no step was made')}`);
    }
    return { wallMs, step: stepped.step, timing: stepped.timing, trajectory: outcome.trajectory };
  }

  async close(): Promise<void> {
    await this.session?.shutdown();
    this.session = null;
  }

  /** Once the session is idle, either the command has come or none will. */
  private sessionIdle(commanded: Promise<Outcome>): Promise<Outcome> | Outcome {
    if (this.pending === null) return commanded;
    this.pending = null;
    return { trajectory: null, refusal: null };
  }

  private warn(message: string): void {
    this.warnings.push(message);
  }
}
