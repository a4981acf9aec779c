/**
 * From a reasoning step's action chunk to a command that may leave the node, or the reason why
 * none may: chunk -> joint targets (IK for end-effector models) -> execution policy -> timed
 * trajectory -> SafetyGuard. The node, the simulation and the benchmark all command through this
 * one path, so what is measured and tested is what drives the arm.
 *
 * Without a robot model nothing is commanded: the workspace and end-effector limits could not be
 * checked, and the joint limits come from the URDF (narrowed by the configuration, see ArmModel).
 */
import type { JointTrajectory } from '../messages/types.js';
import type { ArmModel } from '../kinematics/arm_model.js';
import type { RotationConvention } from './ee_targets.js';
import { toSeconds } from '../messages/time.js';
import { chunkToJointTargets, NotDrivableError, timedTrajectory } from './chunk_to_trajectory.js';
import { ChunkExecutor, type ExecutionPolicy } from './execution.js';
import { gripperTarget, type GripperConfig, type GripperStep, type GripperTarget } from './gripper.js';
import { SafetyGuard, startState, type CommandContext, type SafetyLimits } from './safety_guard.js';
import type { JointLimits } from './joint_limits.js';

export interface PlannerSettings {
  chunkStepSec: number;
  safety: Omit<SafetyLimits, 'joints' | 'maxJointStateAge' | 'maxImageAge' | 'heldStillTolerance'>;
  maxJointStateAgeSec: number;
  maxFrameAgeSec: number;
  /** open_loop: a stale frame's chunk may still run while every joint is within this of the frame's. */
  openLoopJointTolerance: number;
  execution: { policy: ExecutionPolicy; ensembleWeight: number };
  gripper: GripperConfig;
}

/** What the planner needs to know about the model's actions. */
export interface ActionFormat {
  actionSpace: string;
  rotation?: RotationConvention;
  deltaFrame?: string;
  gripperIndex?: number;
}

export type CommandDecision =
  | {
      ok: true;
      trajectory: JointTrajectory;
      /**
       * The gripper command of each step that has a gripper value (models whose manifest names
       * one), timed with the trajectory's points: step i runs from point i-1 to point i.
       */
      gripper: GripperStep[];
      /** The chunk's own joint targets, before ensembling. */
      prediction: number[][];
      durationSec: number;
    }
  | { ok: false; reason: string };

export class CommandPlanner {
  private arm: ArmModel | null = null;
  private guard: SafetyGuard | null = null;
  private limits: JointLimits | null = null;
  private executor: ChunkExecutor;

  constructor(
    private settings: PlannerSettings,
    arm: ArmModel | null,
  ) {
    this.executor = new ChunkExecutor(settings.execution.policy, settings.execution.ensembleWeight);
    this.setArm(arm);
  }

  get armModel(): ArmModel | null {
    return this.arm;
  }

  /** The commanded joints' limits (null until the robot model is known). */
  get jointLimits(): JointLimits | null {
    return this.limits;
  }

  /** A new robot model (or none): limits and the guard follow it. */
  setArm(arm: ArmModel | null): void {
    this.arm = arm;
    this.limits = arm?.limits ?? null;
    this.guard =
      arm && this.limits
        ? new SafetyGuard(
            {
              ...this.settings.safety,
              joints: this.limits,
              maxJointStateAge: this.settings.maxJointStateAgeSec,
              maxImageAge: this.settings.maxFrameAgeSec,
              // Only open_loop holds the arm still while the model thinks; a tolerance of 0 turns the exception off.
              heldStillTolerance:
                this.settings.execution.policy === 'open_loop' && this.settings.openLoopJointTolerance > 0 ? this.settings.openLoopJointTolerance : null,
            },
            (q, out) => arm.forward(q, out),
          )
        : null;
  }

  /** New settings at run time (parameter changes); the running chunk is forgotten if the policy changes. */
  updateSettings(settings: PlannerSettings): void {
    const policyChanged =
      settings.execution.policy !== this.settings.execution.policy ||
      settings.execution.ensembleWeight !== this.settings.execution.ensembleWeight;
    this.settings = settings;
    if (policyChanged) {
      // The new policy starts afresh, but what runs on the arm runs on.
      const runningUntil = this.executor.runningUntilSec;
      this.executor = new ChunkExecutor(settings.execution.policy, settings.execution.ensembleWeight);
      this.executor.reset(runningUntil);
    }
    this.setArm(this.arm);
  }

  /** open_loop: false while a sent chunk is still running. */
  acceptsFrame(now: number): boolean {
    return this.executor.acceptsFrame(now);
  }

  /** When the trajectory sent last ends (node clock, s; -Infinity when none was). */
  get runningUntilSec(): number {
    return this.executor.runningUntilSec;
  }

  /** Forgets the running chunk; `runningUntil`: when what was sent instead of it (a stop) ends. */
  reset(runningUntil?: number): void {
    this.executor.reset(runningUntil);
  }

  /** Plans the command for a chunk; nothing is recorded until `sent` is called. */
  plan(actions: number[][], format: ActionFormat, context: CommandContext): CommandDecision {
    if (!this.guard || !this.limits) {
      return { ok: false, reason: 'no robot model (URDF) yet: waiting for robot_description' };
    }
    const early = this.guard.checkContext(context);
    if (early) return { ok: false, reason: early };
    const stepSec = this.settings.chunkStepSec;
    let prediction: number[][];
    try {
      prediction = chunkToJointTargets({
        space: format.actionSpace,
        chunk: actions,
        current: context.current,
        limits: this.limits,
        stepSec,
        arm: this.arm,
        ee: format.rotation ? { rotation: format.rotation, frame: format.deltaFrame === 'tool' ? 'tool' : 'base' } : undefined,
      }).targets;
    } catch (err) {
      if (err instanceof NotDrivableError) return { ok: false, reason: err.message };
      throw err;
    }
    const targets = this.executor.blend(prediction, context.now, stepSec);
    // Joint states without velocities: the arm is taken to rest once nothing sent from here still
    // runs; while something does, the timing and the guard allow for any velocity within the limits.
    const known: CommandContext =
      context.currentVelocity === null && context.now >= this.executor.runningUntilSec
        ? { ...context, currentVelocity: new Float64Array(context.current.length) }
        : context;
    const { trajectory } = timedTrajectory(targets, known.current, this.limits, stepSec, undefined, startState(known));
    const problem = this.guard.checkTrajectory(trajectory, known);
    if (problem) return { ok: false, reason: problem };
    const last = trajectory.points[trajectory.points.length - 1];
    return { ok: true, trajectory, gripper: this.gripperSteps(actions, format, trajectory), prediction, durationSec: toSeconds(last.time_from_start) };
  }

  /** Each step's gripper command (a step whose value is not finite has none), timed with the points. */
  private gripperSteps(actions: number[][], format: ActionFormat, trajectory: JointTrajectory): GripperStep[] {
    const index = format.gripperIndex;
    if (index === undefined) return [];
    const steps: GripperStep[] = [];
    trajectory.points.forEach((point, i) => {
      const target = gripperTarget(actions[i]?.[index] ?? NaN, this.settings.gripper, this.arm?.robot ?? null);
      if (!target) return;
      const startSec = i === 0 ? 0 : toSeconds(trajectory.points[i - 1].time_from_start);
      steps.push({ startSec, endSec: toSeconds(point.time_from_start), target });
    });
    return steps;
  }

  /** The gripper command for one gripper value, with the configured threshold and direction. */
  gripperFor(value: number): GripperTarget | null {
    return gripperTarget(value, this.settings.gripper, this.arm?.robot ?? null);
  }

  /** Records that a planned command left the node (for open_loop and ensemble). */
  sent(decision: Extract<CommandDecision, { ok: true }>, now: number): void {
    this.executor.sent(decision.prediction, now, this.settings.chunkStepSec, decision.durationSec);
  }
}
