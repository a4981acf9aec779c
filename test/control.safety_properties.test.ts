/**
 * Property-based tests of the command path (CommandPlanner -> SafetyGuard) on the three bundled
 * arms. Whatever the chunk, the state, the configured limits and the context, a command that
 * comes out must satisfy every safety rule, checked here independently of joint_limits.ts and
 * safety_guard.ts; a disabled or stale context never gives a command; plan() never throws.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { ArmModel, type LimitConfig } from '../src/core/kinematics/arm_model.js';
import { parseUrdf, type RobotDescription } from '../src/core/kinematics/urdf.js';
import { CommandPlanner, type ActionFormat, type CommandDecision, type PlannerSettings } from '../src/core/control/command_planner.js';
import type { CommandContext } from '../src/core/control/safety_guard.js';
import type { ExecutionPolicy } from '../src/core/control/execution.js';
import type { JointTrajectory } from '../src/core/messages/types.js';

interface ArmSpec {
  name: string;
  baseLink: string;
  tipLink: string;
  joints: string[];
  rest: number[];
  gripperJoints: string[];
}

const ARMS: ArmSpec[] = [
  {
    name: 'panda',
    baseLink: 'panda_link0',
    tipLink: 'panda_hand',
    joints: ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'],
    rest: [0, -0.785, 0, -2.356, 0, 1.571, 0.785],
    gripperJoints: ['panda_finger_joint1'],
  },
  {
    name: 'ur5e',
    baseLink: 'base_link',
    tipLink: 'tool0',
    joints: ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint', 'wrist_1_joint', 'wrist_2_joint', 'wrist_3_joint'],
    rest: [0, -1.571, 1.571, -1.571, -1.571, 0],
    gripperJoints: [],
  },
  {
    name: 'wx250s',
    baseLink: 'base_link',
    tipLink: 'ee_gripper_link',
    joints: ['waist', 'shoulder', 'elbow', 'forearm_roll', 'wrist_angle', 'wrist_rotate'],
    rest: [0, 0, 0, 0, 0, 0],
    gripperJoints: ['left_finger'],
  },
];

const SEED = 42;
const RUNS = 1500;
const MAX_JOINTS = 7;
/** Largest finite span used for a joint without finite URDF limits (none of the bundled arms has one). */
const FALLBACK_SPAN = 2 * Math.PI;

function loadRobot(name: string): RobotDescription {
  return parseUrdf(readFileSync(fileURLToPath(new URL(`../../config/robots/urdf/${name}.urdf`, import.meta.url)), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Independent reference computations (plain arrays, no code from src/control).

interface Limits {
  min: number[];
  max: number[];
  vel: number[];
  margin: number;
}

/** The tighter of the configured and the URDF limits, computed from the URDF joints directly. */
function expectedLimits(robot: RobotDescription, spec: ArmSpec, config: LimitConfig): Limits {
  const min: number[] = [];
  const max: number[] = [];
  const vel: number[] = [];
  spec.joints.forEach((name, j) => {
    const joint = robot.joints.get(name)!;
    min.push(config.min.length ? Math.max(config.min[j], joint.lower) : joint.lower);
    max.push(config.max.length ? Math.min(config.max[j], joint.upper) : joint.upper);
    vel.push(config.maxVelocity.length ? Math.min(config.maxVelocity[j], joint.velocity) : joint.velocity);
  });
  return { min, max, vel, margin: config.margin };
}

function seconds(d: { sec: number; nanosec: number }): number {
  return d.sec + d.nanosec * 1e-9;
}

/** Rotation angle between two poses (3x4 row-major), from R_a^T R_b, robust at 0 and pi. */
function rotationAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // M = A^T B, element (i, j) = sum_k A[k][i] B[k][j]
  const m = (i: number, j: number): number => a[i] * b[j] + a[4 + i] * b[4 + j] + a[8 + i] * b[8 + j];
  const cos = (m(0, 0) + m(1, 1) + m(2, 2) - 1) / 2;
  const sin = Math.hypot(m(2, 1) - m(1, 2), m(0, 2) - m(2, 0), m(1, 0) - m(0, 1)) / 2;
  return Math.atan2(sin, cos);
}

/** The controller's cubic Hermite segment between two points, at s in [0, 1]. */
function hermite(p0: number, v0: number, p1: number, v1: number, duration: number, s: number): number {
  return (2 * s ** 3 - 3 * s ** 2 + 1) * p0 + (s ** 3 - 2 * s ** 2 + s) * duration * v0 + (-2 * s ** 3 + 3 * s ** 2) * p1 + (s ** 3 - s ** 2) * duration * v1;
}

/**
 * Length of the end effector's path (translation, rotation) as the controller moves the joints
 * from (`from`, `fromV`) to (`to`, `toV`) in `duration`, measured on 400 samples.
 */
function pathLength(
  arm: ArmModel,
  from: ArrayLike<number>,
  fromV: ArrayLike<number>,
  to: ArrayLike<number>,
  toV: ArrayLike<number>,
  duration: number,
): { translation: number; rotation: number } {
  const samples = 400;
  let previous = Array.from(arm.forward(from));
  let translation = 0;
  let rotation = 0;
  for (let k = 1; k <= samples; k++) {
    const q = Array.from(to, (p1, j) => hermite(from[j], fromV[j], p1, toV[j], duration, k / samples));
    const pose = Array.from(arm.forward(q));
    translation += Math.hypot(pose[3] - previous[3], pose[7] - previous[7], pose[11] - previous[11]);
    rotation += rotationAngle(previous, pose);
    previous = pose;
  }
  return { translation, rotation };
}

/**
 * The controller's motion between two points (positions and velocities at both ends): the cubic
 * Hermite segment, sampled densely, its velocity by finite differences. Returns the largest speed
 * and the position range.
 */
function sampledSegment(p0: number, v0: number, p1: number, v1: number, duration: number): { peak: number; lo: number; hi: number } {
  const samples = 400;
  const at = (s: number): number => hermite(p0, v0, p1, v1, duration, s);
  let previous = p0;
  let peak = 0;
  let lo = Math.min(p0, p1);
  let hi = Math.max(p0, p1);
  for (let k = 1; k <= samples; k++) {
    const p = at(k / samples);
    peak = Math.max(peak, Math.abs(p - previous) / (duration / samples));
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
    previous = p;
  }
  return { peak, lo, hi };
}

/** The arm when the command leaves: its true velocities, and the age of the joint state that gave its positions. */
interface ArmState {
  velocity: number[];
  ageSec: number;
}

interface Rules {
  limits: Limits;
  workspace: { min: number[]; max: number[] };
  maxEeStep: number;
  maxEeRotationStep: number;
}

/** Every safety rule on an outgoing trajectory; throws (chai) naming the first that fails. */
function checkCommand(
  trajectory: JointTrajectory,
  current: number[],
  state: ArmState,
  arm: ArmModel,
  spec: ArmSpec,
  rules: Rules,
  chunkLength: number,
): void {
  const { min, max, vel, margin } = rules.limits;
  const n = spec.joints.length;
  expect(trajectory.joint_names).to.deep.equal(spec.joints);
  expect(trajectory.points.length, 'one point per chunk step').to.equal(chunkLength);
  let previous = current;
  let previousTime = 0;
  let previousPose = Array.from(arm.forward(current));
  trajectory.points.forEach((point, i) => {
    const t = seconds(point.time_from_start);
    expect(t, `point ${i}: time`).to.be.greaterThan(previousTime);
    expect(point.positions, `point ${i}: positions`).to.have.length(n);
    expect(point.velocities, `point ${i}: velocities`).to.have.length(n);
    for (let j = 0; j < n; j++) {
      const q = point.positions[j];
      expect(Number.isFinite(q), `point ${i} joint ${j} finite`).to.equal(true);
      expect(q, `point ${i} joint ${j} above min + margin`).to.be.at.least(min[j] + margin - 1e-9);
      expect(q, `point ${i} joint ${j} below max - margin`).to.be.at.most(max[j] - margin + 1e-9);
      const implied = Math.abs(q - previous[j]) / (t - previousTime);
      expect(implied, `point ${i} joint ${j} implied velocity`).to.be.at.most(vel[j] * (1 + 1e-6));
      expect(Math.abs(point.velocities[j]), `point ${i} joint ${j} given velocity`).to.be.at.most(vel[j] * (1 + 1e-9));
      // As the controller moves between the points. Into the first one it starts from where the
      // arm is: at its true velocity, up to its velocity limit times the joint state's age away
      // from the measured position.
      const starts: { p0: number; v0: number }[] = [];
      if (i === 0) {
        const slack = vel[j] * state.ageSec;
        for (const p0 of [current[j] - slack, current[j] + slack]) starts.push({ p0, v0: state.velocity[j] });
      } else {
        starts.push({ p0: previous[j], v0: trajectory.points[i - 1].velocities[j] });
      }
      const allowed = i === 0 ? Math.max(vel[j], Math.abs(state.velocity[j])) : vel[j];
      for (const { p0, v0 } of starts) {
        const motion = sampledSegment(p0, v0, q, point.velocities[j], t - previousTime);
        expect(motion.peak, `point ${i} joint ${j} speed between the points`).to.be.at.most(allowed * (1 + 1e-3));
        expect(motion.lo, `point ${i} joint ${j} lowest position between the points`).to.be.at.least(Math.min(min[j], p0) - 1e-9);
        expect(motion.hi, `point ${i} joint ${j} highest position between the points`).to.be.at.most(Math.max(max[j], p0) + 1e-9);
      }
    }
    const pose = Array.from(arm.forward(point.positions));
    const position = [pose[3], pose[7], pose[11]];
    for (let axis = 0; axis < 3; axis++) {
      expect(position[axis], `point ${i}: end effector axis ${axis} in the workspace`).to.be.within(
        rules.workspace.min[axis],
        rules.workspace.max[axis],
      );
    }
    const step = Math.hypot(pose[3] - previousPose[3], pose[7] - previousPose[7], pose[11] - previousPose[11]);
    expect(step, `point ${i}: end-effector step`).to.be.at.most(rules.maxEeStep + 1e-9);
    expect(rotationAngle(previousPose, pose), `point ${i}: end-effector rotation`).to.be.at.most(rules.maxEeRotationStep + 1e-6);
    // Between the points too: the arm follows the controller's joint-space path, not the chord
    // between poses.
    const fromV = i === 0 ? state.velocity : trajectory.points[i - 1].velocities;
    const path = pathLength(arm, previous, fromV, point.positions, point.velocities, t - previousTime);
    expect(path.translation, `point ${i}: end-effector path length`).to.be.at.most(rules.maxEeStep * 1.01 + 1e-9);
    expect(path.rotation, `point ${i}: end-effector rotation along the path`).to.be.at.most(rules.maxEeRotationStep * 1.01 + 1e-6);
    previous = point.positions;
    previousTime = t;
    previousPose = pose;
  });
  const last = trajectory.points[trajectory.points.length - 1];
  expect(last.velocities, 'last point at rest').to.deep.equal(new Array(n).fill(0));
}

// ---------------------------------------------------------------------------------------------
// Generators. Numbers are drawn as fractions and scaled inside the property, where the arm's
// limits and the current state are known.

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const signed = fc.double({ min: -1, max: 1, noNaN: true });
const special = fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -1e300);
/** An action value: mostly ordinary, sometimes non-finite or absurd. */
const actionValue = fc.oneof({ weight: 150, arbitrary: signed }, { weight: 1, arbitrary: special });

const chunkArb = fc.record({
  space: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('joint_position', 'joint_delta') },
    { weight: 8, arbitrary: fc.constant('ee_delta') },
    { weight: 1, arbitrary: fc.constantFrom('ee_pose', 'ee_delta_without_rotation') },
  ),
  rotation: fc.constantFrom<'euler_xyz' | 'axis_angle'>('euler_xyz', 'axis_angle'),
  frame: fc.constantFrom('base', 'tool', 'world'),
  /** Joint-space scale (rad): tiny, small, large, huge. */
  jointScale: fc.constantFrom(0.002, 0.02, 0.1, 1, 50),
  /** End-effector scales: metres and radians per step. */
  translationScale: fc.constantFrom(0.001, 0.005, 0.02, 0.1, 2),
  rotationScale: fc.constantFrom(0, 0.01, 0.05, 0.3, 3),
  /** 0: the right length; otherwise that many values more or fewer. */
  lengthChange: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 2 }) }),
  gripperIndex: fc.oneof(fc.constant(undefined), fc.constant(6), fc.integer({ min: 0, max: 12 })),
  gripper: fc.oneof(unit, special),
  steps: fc.oneof(
    { weight: 40, arbitrary: fc.array(fc.array(actionValue, { minLength: MAX_JOINTS, maxLength: MAX_JOINTS }), { minLength: 1, maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constant([]) },
  ),
  enabled: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  /**
   * Where the arm was when the frame was taken: null (not given), or the current state with one
   * joint moved by this multiple of the held-still tolerance (<= 1: held still).
   */
  frameDrift: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1.0001, max: 5, noNaN: true })),
  driftJoint: fc.integer({ min: 0, max: MAX_JOINTS - 1 }),
  /** Joint-state age as a fraction of the maximum age: <= 1 fresh, > 1 stale; null: no joint state. */
  jointAge: fc.oneof(
    { weight: 30, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
    { weight: 1, arbitrary: fc.double({ min: 1.0001, max: 20, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(null, NaN) },
  ),
  imageAge: fc.oneof(
    { weight: 30, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
    { weight: 4, arbitrary: fc.double({ min: 1.0001, max: 20, noNaN: true }) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(NaN) },
  ),
  /** Seconds between the previous plan and this one. */
  gap: fc.double({ min: 0, max: 1.5, noNaN: true }),
  /** Whether the joint state carries velocities. */
  velocityMeasured: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  /** Which point of the previous command the arm has reached when this chunk comes (fraction). */
  progress: unit,
});

const caseArb = fc.record({
  /** Per joint: null (URDF limits) or a configured subrange as fractions of the URDF range, a little beyond it too. */
  positionLimits: fc.oneof(
    fc.constant(null),
    fc.array(
      fc.tuple(fc.double({ min: -0.1, max: 0.4, noNaN: true }), fc.double({ min: 0.6, max: 1.1, noNaN: true })),
      { minLength: MAX_JOINTS, maxLength: MAX_JOINTS },
    ),
  ),
  velocityLimits: fc.oneof(fc.constant(null), fc.array(fc.double({ min: 0.05, max: 5, noNaN: true }), { minLength: MAX_JOINTS, maxLength: MAX_JOINTS })),
  margin: fc.double({ min: 0, max: 0.08, noNaN: true }),
  /** Current state: per joint a fraction of [min, max] (slightly beyond on both sides), or the rest posture. */
  start: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.array(fc.double({ min: -0.03, max: 1.03, noNaN: true }), { minLength: MAX_JOINTS, maxLength: MAX_JOINTS }) },
  ),
  /** A broken current state: a NaN, or a wrong number of values. */
  brokenCurrent: fc.oneof({ weight: 60, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom('nan', 'short', 'long') }),
  workspace: fc.record({
    offset: fc.tuple(signed, signed, signed),
    half: fc.tuple(fc.double({ min: 0.001, max: 0.6, noNaN: true }), fc.double({ min: 0.001, max: 0.6, noNaN: true }), fc.double({ min: 0.001, max: 0.6, noNaN: true })),
  }),
  maxEeStep: fc.double({ min: 0.001, max: 0.3, noNaN: true }),
  maxEeRotationStep: fc.double({ min: 0.005, max: 1.5, noNaN: true }),
  stepSec: fc.double({ min: 0.02, max: 0.3, noNaN: true }),
  maxJointStateAgeSec: fc.double({ min: 0.02, max: 1, noNaN: true }),
  maxFrameAgeSec: fc.double({ min: 0.05, max: 2, noNaN: true }),
  /** open_loop's held-still exception for stale frames (rad, or m). */
  heldStillTolerance: fc.double({ min: 0, max: 0.05, noNaN: true }),
  policy: fc.constantFrom<ExecutionPolicy>('replace', 'open_loop', 'ensemble'),
  ensembleWeight: fc.double({ min: 0, max: 2, noNaN: true }),
  chunks: fc.array(chunkArb, { minLength: 1, maxLength: 4 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
type ChunkCase = Case['chunks'][number];

function finiteSpan(lo: number, hi: number): [number, number] {
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [-FALLBACK_SPAN / 2, FALLBACK_SPAN / 2];
}

/** Configured limits from fractions of the URDF ranges; ensures room for the margin. */
function limitConfig(robot: RobotDescription, spec: ArmSpec, c: Case): LimitConfig {
  const n = spec.joints.length;
  const config: LimitConfig = { min: [], max: [], maxVelocity: [], margin: c.margin };
  if (c.positionLimits) {
    spec.joints.forEach((name, j) => {
      const joint = robot.joints.get(name)!;
      const [lo, hi] = finiteSpan(joint.lower, joint.upper);
      const [a, b] = c.positionLimits![j];
      config.min.push(lo + a * (hi - lo));
      config.max.push(lo + b * (hi - lo));
    });
  }
  if (c.velocityLimits) config.maxVelocity = c.velocityLimits.slice(0, n);
  return config;
}

/** The action chunk as the model would write it, in the chunk's space. */
function actionsFor(ch: ChunkCase, current: number[], n: number): number[][] {
  const jointCount = ch.space === 'joint_position' || ch.space === 'joint_delta' ? n : 6;
  const length = Math.max(0, jointCount + ch.lengthChange);
  return (ch.steps as number[][]).map((raw) => {
    const action: number[] = [];
    for (let k = 0; k < length; k++) {
      const r = raw[k % raw.length];
      if (ch.space === 'joint_position') action.push(k < n ? current[k] + r * ch.jointScale : r);
      else if (ch.space === 'joint_delta') action.push(r * ch.jointScale);
      else action.push(r * (k < 3 ? ch.translationScale : ch.rotationScale));
    }
    if (ch.space === 'ee_delta' && ch.lengthChange === 0) action.push(ch.gripper);
    return action;
  });
}

function formatFor(ch: ChunkCase): ActionFormat {
  if (ch.space !== 'ee_delta' && ch.space !== 'ee_delta_without_rotation') return { actionSpace: ch.space };
  return {
    actionSpace: 'ee_delta',
    rotation: ch.space === 'ee_delta' ? ch.rotation : undefined,
    deltaFrame: ch.frame,
    gripperIndex: ch.gripperIndex,
  };
}

interface Counts {
  cases: number;
  plans: number;
  commands: number;
  bySpace: Record<string, number>;
  refusedContext: number;
  /** Plans from a stale frame that open_loop's held-still exception allowed. */
  heldStill: number;
  heldStillCommands: number;
}

function newCounts(): Counts {
  return { cases: 0, plans: 0, commands: 0, bySpace: {}, refusedContext: 0, heldStill: 0, heldStillCommands: 0 };
}

function settingsFor(c: Case, spec: ArmSpec, workspace: Rules['workspace']): PlannerSettings {
  return {
    chunkStepSec: c.stepSec,
    safety: {
      maxEeStep: c.maxEeStep,
      maxEeRotationStep: c.maxEeRotationStep,
      workspace: { min: workspace.min as [number, number, number], max: workspace.max as [number, number, number] },
    },
    maxJointStateAgeSec: c.maxJointStateAgeSec,
    maxFrameAgeSec: c.maxFrameAgeSec,
    openLoopJointTolerance: c.heldStillTolerance,
    execution: { policy: c.policy, ensembleWeight: c.ensembleWeight },
    gripper: { joints: spec.gripperJoints, openPosition: 0.04, closedPosition: 0, threshold: 0.5, invert: false },
  };
}

/** One generated case: several consecutive chunks through one planner. */
function runCase(robot: RobotDescription, spec: ArmSpec, c: Case, counts: Counts): void {
  counts.cases++;
  const n = spec.joints.length;
  const config = limitConfig(robot, spec, c);
  const expected = expectedLimits(robot, spec, config);
  // Configured limits that leave no room are a configuration error (LimitError), not a case here.
  if (expected.min.some((lo, j) => !(lo + expected.margin < expected.max[j] - expected.margin))) return;
  const arm = new ArmModel(robot, {
    jointNames: spec.joints,
    baseLink: spec.baseLink,
    tipLink: spec.tipLink,
    limits: config,
    restPosture: spec.rest,
    ikPositionTolerance: 1e-3,
    ikOrientationTolerance: 1e-2,
  });
  // The effective limits the arm reports are the ones computed here from the URDF.
  expect(arm.limits.min).to.deep.equal(expected.min);
  expect(arm.limits.max).to.deep.equal(expected.max);
  expect(arm.limits.maxVelocity).to.deep.equal(expected.vel);
  expect(arm.limits.margin).to.equal(expected.margin);

  let current: number[] = c.start
    ? expected.min.map((lo, j) => lo + c.start![j] * (expected.max[j] - lo))
    : spec.rest.map((q, j) => Math.min(expected.max[j] - expected.margin, Math.max(expected.min[j] + expected.margin, q)));
  const startPose = arm.forward(current);
  const workspace = {
    min: [0, 1, 2].map((a) => startPose[[3, 7, 11][a]] + 0.05 * c.workspace.offset[a] - c.workspace.half[a]),
    max: [0, 1, 2].map((a) => startPose[[3, 7, 11][a]] + 0.05 * c.workspace.offset[a] + c.workspace.half[a]),
  };
  if (c.brokenCurrent === 'nan') current[n - 1] = NaN;
  if (c.brokenCurrent === 'short') current = current.slice(0, n - 1);
  if (c.brokenCurrent === 'long') current = [...current, 0];

  const rules: Rules = { limits: expected, workspace, maxEeStep: c.maxEeStep, maxEeRotationStep: c.maxEeRotationStep };
  const planner = new CommandPlanner(settingsFor(c, spec, workspace), arm);
  let now = 1000;
  // The arm starts at rest; afterwards it moves as the point it has reached says, and rests at
  // the last point once the trajectory's time is over.
  let velocity: number[] = new Array(current.length).fill(0);
  let running: { trajectory: JointTrajectory; sentAt: number; duration: number } | null = null;
  for (const ch of c.chunks) {
    now += ch.gap;
    // A refused chunk changes nothing: the trajectory sent before goes on.
    if (running) {
      const points = running.trajectory.points;
      const over = now - running.sentAt >= running.duration;
      const reached = over ? points.length - 1 : Math.min(points.length - 1, Math.floor(ch.progress * points.length));
      current = [...points[reached].positions];
      velocity = over ? current.map(() => 0) : [...points[reached].velocities];
    }
    const jointStamp = ch.jointAge === null ? null : now - ch.jointAge * c.maxJointStateAgeSec;
    const imageStamp = ch.imageAge === null ? null : now - ch.imageAge * c.maxFrameAgeSec;
    const currentVelocity = ch.velocityMeasured ? velocity : null;
    const frameJoints = ch.frameDrift === null ? null : current.map((q, j) => (j === ch.driftJoint % current.length ? q + ch.frameDrift! * c.heldStillTolerance : q));
    const context: CommandContext = { enabled: ch.enabled, now, imageStamp, jointStateStamp: jointStamp, current, currentVelocity, frameJoints };
    const actions = actionsFor(ch, current, n);
    const decision: CommandDecision = planner.plan(actions, formatFor(ch), context);
    counts.plans++;

    // A stale frame's chunk may run only under open_loop, with every joint still where the frame saw it.
    const heldStill =
      c.policy === 'open_loop' &&
      frameJoints !== null &&
      frameJoints.every((q, j) => Math.abs(current[j] - q) <= c.heldStillTolerance);
    const staleFrame = imageStamp !== null && !(now - imageStamp <= c.maxFrameAgeSec);
    if (staleFrame && heldStill) counts.heldStill++;
    const stale = jointStamp === null || !(now - jointStamp <= c.maxJointStateAgeSec) || (staleFrame && !heldStill);
    if (!ch.enabled || stale) {
      expect(decision.ok, 'a disabled or stale context gives no command').to.equal(false);
      counts.refusedContext++;
    }
    if (!decision.ok) {
      expect(decision.reason).to.be.a('string').and.not.equal('');
      continue;
    }
    counts.commands++;
    if (staleFrame) counts.heldStillCommands++;
    counts.bySpace[ch.space] = (counts.bySpace[ch.space] ?? 0) + 1;
    // Checked against how the arm really moves, whether or not the joint state said so.
    checkCommand(decision.trajectory, current, { velocity, ageSec: Math.max(0, now - jointStamp!) }, arm, spec, rules, actions.length);
    expect(decision.durationSec).to.be.closeTo(seconds(decision.trajectory.points[decision.trajectory.points.length - 1].time_from_start), 1e-9);
    expect(decision.prediction).to.have.length(actions.length);
    planner.sent(decision, now);
    running = { trajectory: decision.trajectory, sentAt: now, duration: decision.durationSec };
  }
}

function report(label: string, counts: Counts): void {
  const spaces = Object.entries(counts.bySpace)
    .map(([space, count]) => `${space} ${count}`)
    .join(', ');
  console.log(
    `      ${label}: ${counts.cases} cases, ${counts.plans} plans, ${counts.commands} commands (${spaces}), ` +
      `${counts.refusedContext} refused for a disabled or stale context, ` +
      `${counts.heldStill} from a stale frame with the arm held still (open_loop; ${counts.heldStillCommands} commanded)`,
  );
}

/** The arm with the URDF's own limits and a 0.02 margin. */
function armWithUrdfLimits(robot: RobotDescription, spec: ArmSpec): ArmModel {
  return new ArmModel(robot, {
    jointNames: spec.joints,
    baseLink: spec.baseLink,
    tipLink: spec.tipLink,
    limits: { min: [], max: [], maxVelocity: [], margin: 0.02 },
    restPosture: spec.rest,
    ikPositionTolerance: 1e-3,
    ikOrientationTolerance: 1e-2,
  });
}

describe('safety properties of the command path (fast-check)', function () {
  this.timeout(60_000);

  for (const spec of ARMS) {
    it(`${spec.name}: every command is within the limits, the workspace and the end-effector steps; none when disabled or stale; plan never throws`, () => {
      const robot = loadRobot(spec.name);
      const counts = newCounts();
      fc.assert(
        fc.property(caseArb, (c) => runCase(robot, spec, c, counts)),
        { seed: SEED, numRuns: RUNS },
      );
      report(`safety ${spec.name}`, counts);
      expect(counts.cases).to.be.at.least(RUNS);
      expect(counts.commands, 'some chunks must give a command').to.be.greaterThan(0);
      for (const space of ['joint_position', 'joint_delta', 'ee_delta']) {
        expect(counts.bySpace[space] ?? 0, `commands from ${space} chunks`).to.be.greaterThan(0);
      }
      expect(counts.refusedContext, 'some contexts must be disabled or stale').to.be.greaterThan(0);
      expect(counts.heldStillCommands, 'some stale frames must be commanded under the held-still exception').to.be.greaterThan(0);
    });
  }

  it('a chunk that is commanded in a good context is refused when disabled or stale, for the context', () => {
    const robots = ARMS.map((spec) => loadRobot(spec.name));
    const counts = newCounts();
    const badContext = fc.oneof(
      fc.record({ kind: fc.constant('disabled' as const), age: fc.constant(0) }),
      fc.record({ kind: fc.constant('no joint state' as const), age: fc.constant(0) }),
      fc.record({ kind: fc.constantFrom('stale joints' as const, 'stale image' as const), age: fc.double({ min: 1.0001, max: 1e6, noNaN: true }) }),
      fc.record({ kind: fc.constantFrom('stale joints' as const, 'stale image' as const), age: fc.constant(NaN) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ARMS.length - 1 }),
        fc.constantFrom('joint_delta', 'ee_delta'),
        fc.array(fc.tuple(signed, signed, signed, signed, signed, signed, signed), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<ExecutionPolicy>('replace', 'open_loop', 'ensemble'),
        badContext,
        (armIndex, space, raw, policy, bad) => {
          counts.cases++;
          const spec = ARMS[armIndex];
          const arm = armWithUrdfLimits(robots[armIndex], spec);
          const settings: PlannerSettings = {
            chunkStepSec: 0.1,
            safety: { maxEeStep: 0.05, maxEeRotationStep: 0.35, workspace: { min: [-2, -2, -2], max: [2, 2, 2] } },
            maxJointStateAgeSec: 0.2,
            maxFrameAgeSec: 0.5,
            openLoopJointTolerance: 0.01,
            execution: { policy, ensembleWeight: 0.1 },
            gripper: { joints: [], openPosition: 0, closedPosition: 0, threshold: 0.5, invert: false },
          };
          const planner = new CommandPlanner(settings, arm);
          const n = spec.joints.length;
          const actions = raw.map((r) => (space === 'joint_delta' ? r.slice(0, n).map((v) => v * 0.005) : r.slice(0, 6).map((v) => v * 0.003)));
          const format: ActionFormat = space === 'joint_delta' ? { actionSpace: space } : { actionSpace: space, rotation: 'euler_xyz', deltaFrame: 'base' };
          const now = 500;
          const good: CommandContext = { enabled: true, now, imageStamp: now - 0.1, jointStateStamp: now - 0.05, current: spec.rest, currentVelocity: spec.rest.map(() => 0) };
          const context: CommandContext = { ...good };
          if (bad.kind === 'disabled') context.enabled = false;
          if (bad.kind === 'no joint state') context.jointStateStamp = null;
          if (bad.kind === 'stale joints') context.jointStateStamp = now - bad.age * settings.maxJointStateAgeSec;
          if (bad.kind === 'stale image') context.imageStamp = now - bad.age * settings.maxFrameAgeSec;

          const refused = planner.plan(actions, format, context);
          expect(refused.ok).to.equal(false);
          const reason = (refused as { reason: string }).reason;
          const expectedReason = {
            disabled: /disabled/,
            'no joint state': /no joint state/,
            'stale joints': /joint states are stale/,
            'stale image': /camera frame is stale/,
          }[bad.kind];
          expect(reason).to.match(expectedReason);
          counts.refusedContext++;
          // The same chunk in a good context is commanded: the refusal was the context's.
          const accepted = planner.plan(actions, format, good);
          expect(accepted.ok, accepted.ok ? '' : accepted.reason).to.equal(true);
          counts.plans += 2;
          counts.commands++;
          counts.bySpace[space] = (counts.bySpace[space] ?? 0) + 1;
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
    report('context refusals', counts);
    expect(counts.refusedContext).to.equal(200);
    expect(counts.commands).to.equal(200);
  });

  it("a stale frame's chunk runs only under open_loop, and only while every joint is where the frame saw it", () => {
    const spec = ARMS[0];
    const robot = loadRobot(spec.name);
    const arm = armWithUrdfLimits(robot, spec);
    let commanded = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom<ExecutionPolicy>('replace', 'open_loop', 'ensemble'),
        fc.double({ min: 1.0001, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1.001, max: 50, noNaN: true }), fc.constant(NaN)),
        fc.integer({ min: 0, max: spec.joints.length - 1 }),
        fc.array(fc.tuple(signed, signed, signed), { minLength: 1, maxLength: 8 }),
        (policy, age, tolerance, drift, joint, raw) => {
          const settings: PlannerSettings = {
            chunkStepSec: 0.1,
            safety: { maxEeStep: 0.05, maxEeRotationStep: 0.35, workspace: { min: [-2, -2, -2], max: [2, 2, 2] } },
            maxJointStateAgeSec: 0.2,
            maxFrameAgeSec: 0.5,
            openLoopJointTolerance: tolerance,
            execution: { policy, ensembleWeight: 0.1 },
            gripper: { joints: [], openPosition: 0, closedPosition: 0, threshold: 0.5, invert: false },
          };
          const planner = new CommandPlanner(settings, arm);
          const actions = raw.map((r) => [...r.map((v) => v * 0.003), 0, 0, 0]);
          const now = 100;
          const frameJoints = spec.rest.map((q, j) => (j === joint ? q + drift * tolerance * (j % 2 ? 1 : -1) : q));
          const context: CommandContext = {
            enabled: true,
            now,
            imageStamp: now - age * settings.maxFrameAgeSec,
            jointStateStamp: now - 0.05,
            current: spec.rest,
            currentVelocity: spec.rest.map(() => 0),
            frameJoints,
          };
          const decision = planner.plan(actions, { actionSpace: 'ee_delta', rotation: 'euler_xyz', deltaFrame: 'base' }, context);
          // As the numbers really came out (a tiny tolerance times the drift may vanish in the sum).
          const heldStill = policy === 'open_loop' && frameJoints.every((q, j) => Math.abs(spec.rest[j] - q) <= tolerance);
          if (heldStill) {
            expect(decision.ok, decision.ok ? '' : decision.reason).to.equal(true);
            commanded++;
          } else {
            expect(decision.ok).to.equal(false);
            expect((decision as { reason: string }).reason).to.match(policy === 'open_loop' ? /stale.*and the arm moved since/ : /camera frame is stale: [\d.]+ s old \(max_frame_age_s 0.5\)$/);
            refused++;
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    console.log(`      stale frames: ${commanded} commanded with the arm held still (open_loop), ${refused} refused`);
    expect(commanded).to.be.greaterThan(0);
    expect(refused).to.be.greaterThan(0);
  });
});
