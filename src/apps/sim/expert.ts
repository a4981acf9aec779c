/**
 * The scripted expert: solves the tabletop tasks with straight moves of the fingertips, and says
 * what it will do next, so that its demonstrations carry MolmoAct's labels: the visual trace (the
 * fingertips' future path in the image) and action chunks of end-effector deltas.
 *
 * The expert decides from a small state (fingertip position, gripper closed, holding the object,
 * task done), so it can also run ahead on an imagined state to produce a whole chunk and the trace.
 * Its moves: above the object, down, close, (pick: lift) up to the carrying height, over the goal,
 * down, open, back up. The hand's orientation never changes (top-down grasps).
 */
import type { TracePoints } from '../../core/model/types.js';
import { goalPosition, taskSucceeded, type Task } from './tasks.js';
import type { TabletopWorld, Vec3 } from './world.js';

/** Largest fingertip move per control step (m): 0.2 m/s at the default 0.1 s chunk step. */
export const EXPERT_STEP = 0.02;
/** Fingertip height above the table while carrying or moving over objects (m). */
export const CARRY_HEIGHT = 0.16;
/** Height above an object's centre from which the fingers go straight down to it (m). */
const APPROACH_HEIGHT = 0.1;
/** Close enough to a waypoint to release there or to end a lift (m). */
const ARRIVED = 0.006;
/** Close enough to an object's centre to close the gripper on it (well inside the world's grasp radius). */
const GRASP_REACHED = 0.01;
/** Gripper values of an action, BridgeData's convention (1 open, 0 closed). */
export const GRIPPER_OPEN = 1;
export const GRIPPER_CLOSED = 0;

export interface ExpertState {
  tcp: Vec3;
  closed: boolean;
  holding: boolean;
  done: boolean;
}

/** Where the expert grasps and where it puts the object (both fingertip positions, base frame). */
export interface ExpertGoal {
  grasp: Vec3;
  release: Vec3;
  /** pick: no release, the task ends with the object lifted to `release`. */
  keepHolding: boolean;
}

export function expertGoal(world: TabletopWorld, task: Task, start: Vec3): ExpertGoal {
  const object = world.objects[task.object];
  const goal = goalPosition(world, task, start);
  return { grasp: [...object.position], release: goal, keepHolding: task.kind === 'pick' };
}

export function stateOf(world: TabletopWorld, task: Task, start: Vec3): ExpertState {
  const object = world.objects[task.object];
  return { tcp: world.tcp(), closed: world.gripperClosed, holding: object.held !== null, done: taskSucceeded(world, task, start) };
}

/** One action (dx, dy, dz, droll, dpitch, dyaw, gripper) and the state it leads to. */
export function expertStep(state: ExpertState, goal: ExpertGoal): { action: number[]; next: ExpertState } {
  const { tcp } = state;
  const stay = (gripper: number, next: Partial<ExpertState>) => ({
    action: [0, 0, 0, 0, 0, 0, gripper],
    next: { ...state, ...next },
  });
  if (state.done) {
    // Finished: fingers open, back up to the carrying height and stay there.
    if (state.closed && !goal.keepHolding) return stay(GRIPPER_OPEN, { closed: false });
    return moveTowards(state, [tcp[0], tcp[1], Math.max(tcp[2], CARRY_HEIGHT)]);
  }
  if (!state.holding) {
    if (state.closed) return stay(GRIPPER_OPEN, { closed: false }); // closed on nothing: open again
    const grasp = goal.grasp;
    if (distance(tcp, grasp) < GRASP_REACHED) return stay(GRIPPER_CLOSED, { closed: true, holding: true });
    return moveTowards(state, funnel(tcp, grasp, APPROACH_HEIGHT));
  }
  const release = goal.release;
  if (goal.keepHolding) {
    if (distance(tcp, release) < ARRIVED) return stay(GRIPPER_CLOSED, { done: true });
    return moveTowards(state, release);
  }
  if (distance(tcp, release) < ARRIVED) return stay(GRIPPER_OPEN, { closed: false, holding: false, done: true });
  // Up to the carrying height first when far away, then across and down.
  if (tcp[2] < CARRY_HEIGHT - ARRIVED && horizontal(tcp, release) > 0.06) return moveTowards(state, [tcp[0], tcp[1], CARRY_HEIGHT]);
  return moveTowards(state, funnel(tcp, release, Math.max(CARRY_HEIGHT - release[2], 0)));
}

/** The expert's next `steps` actions and the fingertip path they follow (steps + 1 positions). */
export function expertPlan(state: ExpertState, goal: ExpertGoal, steps: number): { actions: number[][]; path: Vec3[] } {
  const actions: number[][] = [];
  const path: Vec3[] = [state.tcp];
  let current = state;
  for (let i = 0; i < steps; i++) {
    const { action, next } = expertStep(current, goal);
    actions.push(action);
    path.push(next.tcp);
    current = next;
  }
  return { actions, path };
}

/** Steps of the expert's plan that the 5 trace points are taken at: the next 2.4 s of motion. */
export const TRACE_STEPS = [0, 6, 12, 18, 24];

/**
 * The visual trace of a fingertip path: points at TRACE_STEPS, projected into the camera image
 * and scaled to MolmoAct's [0, 256) (x = u * 255 / (width - 1)). Null if a point is behind the camera.
 */
export function traceOfPath(world: TabletopWorld, path: readonly Vec3[]): TracePoints | null {
  const x: number[] = [];
  const y: number[] = [];
  for (const step of TRACE_STEPS) {
    const pixel = world.project(path[Math.min(step, path.length - 1)]);
    if (!pixel) return null;
    x.push(clamp255(Math.round((pixel.u * 255) / (world.camera.width - 1))));
    y.push(clamp255(Math.round((pixel.v * 255) / (world.camera.height - 1))));
  }
  return { x, y };
}

/**
 * The waypoint on the way down to `goal`: straight above it while far away, then lower the closer
 * the fingers come sideways (a funnel), so that the descent starts smoothly instead of waiting for
 * an exact alignment that a learned policy would only ever approach.
 */
function funnel(tcp: Vec3, goal: Vec3, height: number): Vec3 {
  const sideways = horizontal(tcp, goal);
  return [goal[0], goal[1], goal[2] + Math.min(height, 2.5 * sideways)];
}

function moveTowards(state: ExpertState, target: Vec3): { action: number[]; next: ExpertState } {
  const d: Vec3 = [target[0] - state.tcp[0], target[1] - state.tcp[1], target[2] - state.tcp[2]];
  const length = Math.hypot(...d);
  const scale = length > EXPERT_STEP ? EXPERT_STEP / length : 1;
  const move: Vec3 = [d[0] * scale, d[1] * scale, d[2] * scale];
  const tcp: Vec3 = [state.tcp[0] + move[0], state.tcp[1] + move[1], state.tcp[2] + move[2]];
  return { action: [...move, 0, 0, 0, state.closed ? GRIPPER_CLOSED : GRIPPER_OPEN], next: { ...state, tcp } };
}

function distance(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function horizontal(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function clamp255(v: number): number {
  return Math.min(255, Math.max(0, v));
}
