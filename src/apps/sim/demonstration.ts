/**
 * Demonstrations for training data: the scripted expert (or, for DAgger, a model that the expert
 * labels) acts in the tabletop world chunk by chunk, each chunk checked by a CommandPlanner and
 * executed point by point. This is how the bundled model's training data was made, and it stays
 * as it was so that the recipe gives the same bytes; it is not the node's path. Episodes that
 * measure the node run through the reasoning session against the simulated robot (episode.ts).
 */
import { sampleTrajectory } from '../../core/control/trajectory_sampler.js';
import type { ActionFormat, CommandPlanner } from '../../core/control/command_planner.js';
import { toSeconds, timeFromSeconds } from '../../core/messages/time.js';
import type { Frame, TracePoints } from '../../core/model/types.js';
import { expertGoal, expertPlan, stateOf, TRACE_STEPS, traceOfPath } from './expert.js';
import { makeTask, taskSucceeded, type Task } from './tasks.js';
import { CAMERA_FRAME, type TabletopWorld, type Vec3 } from './world.js';

export interface Observation {
  world: TabletopWorld;
  task: Task;
  /** Where the task's object rested when the episode began. */
  start: Vec3;
  frame: Frame;
  /** A trace to follow instead of the planned one (steering). */
  traceOverride?: TracePoints;
}

export interface PolicyOutput {
  actions: number[][];
  /** The trace the actions followed (image [0, 256) coordinates), if the policy has one. */
  trace: TracePoints | null;
  /** Whole reasoning step (all stages), ms. */
  stepMs: number;
}

export interface Policy {
  readonly name: string;
  readonly format: ActionFormat;
  act(observation: Observation): Promise<PolicyOutput>;
}

/** The scripted expert as a policy: privileged access to the world, the same action format as a model. */
export class ExpertPolicy implements Policy {
  readonly name = 'expert';
  readonly format: ActionFormat = { actionSpace: 'ee_delta', rotation: 'euler_xyz', deltaFrame: 'base', gripperIndex: 6 };

  constructor(private readonly chunk = 8) {}

  async act(observation: Observation): Promise<PolicyOutput> {
    const t = performance.now();
    const { world, task, start } = observation;
    const plan = expertPlan(stateOf(world, task, start), expertGoal(world, task, start), Math.max(this.chunk, TRACE_STEPS.at(-1)!));
    return { actions: plan.actions.slice(0, this.chunk), trace: traceOfPath(world, plan.path), stepMs: performance.now() - t };
  }
}

export interface DemonstrationOptions {
  world: TabletopWorld;
  task: Task;
  policy: Policy;
  planner: CommandPlanner;
  /** Control steps (chunk points executed) before the episode is given up. */
  maxSteps: number;
  /** Points of each chunk executed before the next frame is reasoned about. */
  executeSteps: number;
  /** Steering: a person's trace towards this object replaces the planned one at every step. */
  steerTo?: number;
  /** Clock of the first frame (s). */
  startSec?: number;
}

export interface DemonstrationResult {
  success: boolean;
  /** Control steps executed. */
  steps: number;
  /** Reasoning steps (policy calls). */
  reasoningSteps: number;
  stepMs: number[];
  /** Why the episode ended without success: out of steps, or the command the SafetyGuard refused. */
  failure: string | null;
}

export async function runDemonstration(options: DemonstrationOptions): Promise<DemonstrationResult> {
  const { world, task, policy, planner, maxSteps, executeSteps } = options;
  const start: Vec3 = [...world.objects[task.object].position];
  // Steering is judged by the object the trace leads to: it must be picked up.
  const steered = options.steerTo === undefined ? null : makeTask(world, 'pick', options.steerTo);
  const steeredStart: Vec3 | null = steered ? [...world.objects[steered.object].position] : null;
  const done = (): boolean => (steered ? taskSucceeded(world, steered, steeredStart!) : taskSucceeded(world, task, start));

  let clock = options.startSec ?? 1_700_000_000;
  let steps = 0;
  const stepMs: number[] = [];
  planner.reset();
  // The arm's joint velocities where the next trajectory starts: at rest, or where the last
  // executed point of the previous one left it.
  let currentVelocity: ArrayLike<number> = new Float64Array(world.q.length);
  while (steps < maxSteps) {
    const stamp = timeFromSeconds(clock);
    const messages = world.messages(clock);
    const frame: Frame = { stamp, frameId: CAMERA_FRAME, rgb: messages.rgb, depth: messages.depth, cameraInfo: messages.cameraInfo, joints: messages.joints };
    const traceOverride = steered
      ? (traceOfPath(world, expertPlan(stateOf(world, steered, steeredStart!), expertGoal(world, steered, steeredStart!), TRACE_STEPS.at(-1)!).path) ?? undefined)
      : undefined;
    const output = await policy.act({ world, task, start, frame, traceOverride });
    stepMs.push(output.stepMs);

    const current = Float64Array.from(world.q);
    const startVelocity = Float64Array.from(currentVelocity);
    const decision = planner.plan(output.actions, policy.format, { enabled: true, now: clock, imageStamp: clock, jointStateStamp: clock, current, currentVelocity: startVelocity });
    if (!decision.ok) {
      return { success: false, steps, reasoningSteps: stepMs.length, stepMs, failure: `command refused: ${decision.reason}` };
    }
    planner.sent(decision, clock);
    const points = decision.trajectory.points;
    const gripperIndex = policy.format.gripperIndex;
    let previousTime = 0;
    for (let i = 0; i < Math.min(executeSteps, points.length) && steps < maxSteps; i++) {
      const time = toSeconds(points[i].time_from_start);
      world.setJoints(sampleTrajectory(decision.trajectory, current, time, { withinSegment: true, startVelocity }));
      currentVelocity = points[i].velocities;
      if (gripperIndex !== undefined) {
        const gripper = planner.gripperFor(output.actions[i]?.[gripperIndex] ?? NaN);
        if (gripper) world.setGripper(gripper.closed);
      }
      clock += time - previousTime;
      previousTime = time;
      steps++;
      if (done()) return { success: true, steps, reasoningSteps: stepMs.length, stepMs, failure: null };
    }
  }
  return { success: false, steps, reasoningSteps: stepMs.length, stepMs, failure: `not done after ${maxSteps} steps` };
}
