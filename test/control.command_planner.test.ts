import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { toSeconds } from '../src/core/messages/time.js';
import { pandaForTests, PANDA_JOINTS, PANDA_READY } from './support/panda_arm.js';
import { CommandPlanner, type ActionFormat, type CommandDecision, type PlannerSettings } from '../src/core/control/command_planner.js';
import type { CommandContext } from '../src/core/control/safety_guard.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { summarizeModel } from '../src/core/model/model_summary.js';
import { loadArmModel } from '../src/config/robot_files.js';

const READY = PANDA_READY;
const JOINTS = PANDA_JOINTS;

const panda = pandaForTests;

/** The Panda preset's numbers (config/robots/panda.yaml and the node's defaults). */
function settings(change: (s: PlannerSettings) => void = () => {}): PlannerSettings {
  const s: PlannerSettings = {
    chunkStepSec: 0.1,
    safety: { maxEeStep: 0.05, maxEeRotationStep: 0.35, workspace: { min: [-0.85, -0.85, 0.02], max: [0.85, 0.85, 1.2] } },
    maxJointStateAgeSec: 0.2,
    maxFrameAgeSec: 0.5,
    openLoopJointTolerance: 0.01,
    execution: { policy: 'replace', ensembleWeight: 0.01 },
    gripper: { joints: ['panda_finger_joint1'], openPosition: 0.04, closedPosition: 0, threshold: 0.5, invert: false },
  };
  change(s);
  return s;
}

const NOW = 1000;
function context(change: Partial<CommandContext> = {}): CommandContext {
  return { enabled: true, now: NOW, imageStamp: NOW - 0.1, jointStateStamp: NOW - 0.02, current: READY, currentVelocity: READY.map(() => 0), ...change };
}

const EE: ActionFormat = { actionSpace: 'ee_delta', rotation: 'euler_xyz', deltaFrame: 'base' };
const JOINT_DELTA: ActionFormat = { actionSpace: 'joint_delta' };

function ok(decision: CommandDecision): Extract<CommandDecision, { ok: true }> {
  if (!decision.ok) expect.fail(`expected a command, got the refusal: ${decision.reason}`);
  return decision;
}
function refused(decision: CommandDecision): string {
  if (decision.ok) expect.fail('expected a refusal, got a command');
  return decision.reason;
}
const seconds = (d: { sec: number; nanosec: number }): number => d.sec + d.nanosec * 1e-9;

describe('control/command_planner', () => {
  const arm = panda();

  it('joint_delta on the Panda: the first point is current + the first action, one step ahead, the last at rest', () => {
    const planner = new CommandPlanner(settings(), arm);
    const chunk = [
      [0.01, -0.02, 0.015, 0.02, -0.01, 0.005, 0.03],
      [0.01, -0.02, 0.015, 0.02, -0.01, 0.005, 0.03],
      [0.01, -0.02, 0.015, 0.02, -0.01, 0.005, 0.03],
    ];
    const decision = ok(planner.plan(chunk, JOINT_DELTA, context()));
    const { trajectory } = decision;
    expect(trajectory.joint_names).to.deep.equal(JOINTS);
    expect(trajectory.points).to.have.length(3);
    trajectory.points[0].positions.forEach((q, j) => expect(q).to.be.closeTo(READY[j] + chunk[0][j], 1e-12));
    trajectory.points[2].positions.forEach((q, j) => expect(q).to.be.closeTo(READY[j] + 3 * chunk[0][j], 1e-12));
    [0.1, 0.2, 0.3].forEach((t, i) => expect(seconds(trajectory.points[i].time_from_start)).to.be.closeTo(t, 1e-9));
    expect(trajectory.points[2].velocities).to.deep.equal([0, 0, 0, 0, 0, 0, 0]);
    expect(decision.durationSec).to.be.closeTo(0.3, 1e-9);
    expect(decision.prediction).to.deep.equal(trajectory.points.map((p) => p.positions));
    // No gripper index in a joint-space model: no gripper command.
    expect(decision.gripper).to.deep.equal([]);
  });

  it('ee_delta on the Panda: the joint targets reach the poses the deltas ask for', () => {
    const planner = new CommandPlanner(settings(), arm);
    const step = [0.005, -0.004, 0.003, 0, 0, 0.02];
    const chunk = Array.from({ length: 6 }, () => step);
    const decision = ok(planner.plan(chunk, EE, context()));
    const start = arm.forward(READY);
    const cz = Math.cos(0.02);
    const sz = Math.sin(0.02);
    let r = [start[0], start[1], start[2], start[4], start[5], start[6], start[8], start[9], start[10]];
    decision.trajectory.points.forEach((point, k) => {
      const reached = arm.forward(point.positions);
      // Position: k + 1 steps along the straight line.
      [3, 7, 11].forEach((index, axis) => {
        expect(reached[index], `step ${k} axis ${axis}`).to.be.closeTo(start[index] + (k + 1) * step[axis], 0.001);
      });
      // Orientation: yaw of 0.02 rad per step about the base z axis, R <- Rz(0.02) R.
      r = [cz * r[0] - sz * r[3], cz * r[1] - sz * r[4], cz * r[2] - sz * r[5], sz * r[0] + cz * r[3], sz * r[1] + cz * r[4], sz * r[2] + cz * r[5], r[6], r[7], r[8]];
      const got = [reached[0], reached[1], reached[2], reached[4], reached[5], reached[6], reached[8], reached[9], reached[10]];
      got.forEach((v, i) => expect(v, `step ${k} rotation element ${i}`).to.be.closeTo(r[i], 0.01));
    });
    expect(decision.prediction).to.have.length(6);
  });

  describe('refusals, each with its reason', () => {
    const smallDelta = [[0.01, 0, 0, 0, 0, 0, 0]];

    it('disabled', () => {
      const planner = new CommandPlanner(settings(), arm);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ enabled: false })))).to.match(/actuation is disabled/);
    });

    it('stale or missing joint states', () => {
      const planner = new CommandPlanner(settings(), arm);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ jointStateStamp: NOW - 0.5 })))).to.match(
        /joint states are stale: 0\.500 s old \(max_joint_state_age_s 0\.2\)/,
      );
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ jointStateStamp: null })))).to.match(/no joint state received/);
      // Just within the age: commanded.
      ok(planner.plan(smallDelta, JOINT_DELTA, context({ jointStateStamp: NOW - 0.19 })));
    });

    it('stale camera frame', () => {
      const planner = new CommandPlanner(settings(), arm);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ imageStamp: NOW - 2 })))).to.match(
        /camera frame is stale: 2\.000 s old \(max_frame_age_s 0\.5\)/,
      );
    });

    it('stamps from another clock (far in the future)', () => {
      const planner = new CommandPlanner(settings(), arm);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ jointStateStamp: NOW + 5 })))).to.match(/joint states are stamped 5\.000 s in the future/);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context({ imageStamp: NOW + 5 })))).to.match(/camera frame is stamped 5\.000 s in the future/);
      // A little ahead (clock jitter between processes) is fine.
      ok(planner.plan(smallDelta, JOINT_DELTA, context({ jointStateStamp: NOW + 0.05, imageStamp: NOW + 0.05 })));
    });

    it('no robot model (null arm), until one is set', () => {
      const planner = new CommandPlanner(settings(), null);
      expect(planner.armModel).to.equal(null);
      expect(planner.jointLimits).to.equal(null);
      expect(refused(planner.plan(smallDelta, JOINT_DELTA, context()))).to.match(/no robot model/);
      expect(refused(planner.plan([[0, 0, 0, 0, 0, 0]], EE, context()))).to.match(/no robot model/);
      planner.setArm(arm);
      expect(planner.jointLimits!.names).to.deep.equal(JOINTS);
      ok(planner.plan(smallDelta, JOINT_DELTA, context()));
    });

    it('IK failure, naming the step', () => {
      const planner = new CommandPlanner(settings(), arm);
      const chunk = [
        [0.005, 0, 0, 0, 0, 0],
        [2, 0, 0, 0, 0, 0],
      ];
      expect(refused(planner.plan(chunk, EE, context()))).to.match(/IK did not reach step 1 of the chunk/);
    });

    it('leaving the workspace box', () => {
      const start = arm.forward(READY);
      const p = [start[3], start[7], start[11]];
      // A 1 mm box around the start: a 5 mm move leaves it.
      const tiny = settings((s) => {
        s.safety.workspace = { min: [p[0] - 0.001, p[1] - 0.001, p[2] - 0.001], max: [p[0] + 0.001, p[1] + 0.001, p[2] + 0.001] };
      });
      const planner = new CommandPlanner(tiny, arm);
      expect(refused(planner.plan([[0.005, 0, 0, 0, 0, 0]], EE, context()))).to.match(/point 0: end effector at .* leaves the workspace box/);
      // Staying still inside it is fine.
      ok(planner.plan([[0, 0, 0, 0, 0, 0]], EE, context()));
    });

    it('an end-effector step or turn larger than allowed', () => {
      const planner = new CommandPlanner(
        settings((s) => {
          s.safety.maxEeStep = 0.005;
          s.safety.maxEeRotationStep = 0.05;
        }),
        arm,
      );
      // Joint 1 by 0.1 rad swings the hand (about 0.3 m from the axis) by about 3 cm.
      expect(refused(planner.plan([[0.1, 0, 0, 0, 0, 0, 0]], JOINT_DELTA, context()))).to.match(
        /point 0: end effector moves \d+\.\d mm in one step \(max_ee_step_m 0\.005\)/,
      );
      // Joint 7 turns the hand about its own axis: no translation, 0.1 rad of rotation.
      expect(refused(planner.plan([[0, 0, 0, 0, 0, 0, 0.1]], JOINT_DELTA, context()))).to.match(
        /point 0: end effector turns 0\.100 rad in one step \(max_ee_rotation_step_rad 0\.05\)/,
      );
      // The same motion in small steps passes.
      ok(planner.plan(Array.from({ length: 4 }, () => [0, 0, 0, 0, 0, 0, 0.025]), JOINT_DELTA, context()));
    });

    it('a joint turning almost a full circle in one step, although the end points nearly coincide (UR5e, +-2 pi joints)', () => {
      const ur5e = loadArmModel(fileURLToPath(new URL('../../config/robots/urdf/ur5e.urdf', import.meta.url)), {
        jointNames: ['shoulder_pan_joint', 'shoulder_lift_joint', 'elbow_joint', 'wrist_1_joint', 'wrist_2_joint', 'wrist_3_joint'],
        baseLink: 'base_link',
        tipLink: 'tool0',
        limits: { min: [], max: [], maxVelocity: [1, 1, 1, 1, 1, 1], margin: 0.02 },
        restPosture: [0, -1.571, 1.571, -1.571, -1.571, 0],
        ikPositionTolerance: 0.001,
        ikOrientationTolerance: 0.01,
      });
      const planner = new CommandPlanner(
        settings((s) => (s.safety.workspace = { min: [-0.85, -0.85, 0.02], max: [0.85, 0.85, 1.0] })),
        ur5e,
      );
      const rest = [0, -1.571, 1.571, -1.571, -1.571, 0];
      const at = (current: number[]) => context({ current });
      // The tool spins by 2 pi - 0.1 rad about its axis: its pose changes by only 0.1 rad.
      const spin = [[0, 0, 0, 0, 0, -(2 * Math.PI - 0.1)]];
      const wrist = [...rest.slice(0, 5), 3];
      const end = ur5e.forward([...rest.slice(0, 5), 3 - (2 * Math.PI - 0.1)]);
      const startPose = ur5e.forward(wrist);
      expect(Math.hypot(end[3] - startPose[3], end[7] - startPose[7], end[11] - startPose[11])).to.be.below(0.001);
      expect(refused(planner.plan(spin, JOINT_DELTA, at(wrist)))).to.match(/point 0: end effector turns 6\.\d+ rad in one step/);
      // The whole arm swings round the base: the hand comes back 3 cm from where it started.
      expect(refused(planner.plan([[2 * Math.PI - 0.06, 0, 0, 0, 0, 0]], JOINT_DELTA, at(rest)))).to.match(
        /point 0: end effector moves \d{4}\.\d mm in one step/,
      );
      // Small turns of the same joints still pass.
      ok(planner.plan([[0, 0, 0, 0, 0, -0.1]], JOINT_DELTA, at(wrist)));
      ok(planner.plan([[0.05, 0, 0, 0, 0, 0]], JOINT_DELTA, at(rest)));
    });

    it('an end effector that leaves the workspace box between two points that are inside it', () => {
      // Joint 1 from -0.5 to +0.5 rad swings the hand along an arc about the base axis, furthest out
      // (x = 0.307 m) half way. A box that holds both ends with 1 cm to spare misses that middle.
      const from = [-0.5, ...READY.slice(1)];
      const a = arm.forward(from);
      const b = arm.forward([0.5, ...READY.slice(1)]);
      const middle = arm.forward(READY);
      const lo: [number, number, number] = [Math.min(a[3], b[3]) - 0.01, Math.min(a[7], b[7]) - 0.01, 0.02];
      const hi: [number, number, number] = [Math.max(a[3], b[3]) + 0.01, Math.max(a[7], b[7]) + 0.01, 1.2];
      expect(middle[3]).to.be.greaterThan(hi[0]);
      const planner = new CommandPlanner(
        settings((s) => {
          s.safety.workspace = { min: lo, max: hi };
          s.safety.maxEeStep = 1;
          s.safety.maxEeRotationStep = 2;
        }),
        arm,
      );
      expect(refused(planner.plan([[1, 0, 0, 0, 0, 0, 0]], JOINT_DELTA, context({ current: from })))).to.match(
        /point 0: end effector at .* leaves the workspace box on the way to it/,
      );
      // In a box that holds the whole arc, the same swing is commanded.
      const wide = new CommandPlanner(
        settings((s) => {
          s.safety.workspace = { min: lo, max: [middle[3] + 0.01, hi[1], hi[2]] };
          s.safety.maxEeStep = 1;
          s.safety.maxEeRotationStep = 2;
        }),
        arm,
      );
      ok(wide.plan([[1, 0, 0, 0, 0, 0, 0]], JOINT_DELTA, context({ current: from })));
    });
  });

  it("gives a gripper command from the step's value at the manifest's gripper index", async () => {
    const manifest = await loadManifest(fileURLToPath(new URL('../../test/fixtures/models/ee-tiny', import.meta.url)));
    const summary = summarizeModel(manifest);
    const format: ActionFormat = {
      actionSpace: summary.actionSpace,
      rotation: summary.rotation,
      deltaFrame: summary.deltaFrame,
      gripperIndex: summary.gripperIndex,
    };
    expect(format.gripperIndex).to.equal(6);
    const planner = new CommandPlanner(settings(), arm);
    // Every step's value, timed with the trajectory's points: open (1 > 0.5), then closed (0).
    const decision = ok(planner.plan([[0, 0, 0.002, 0, 0, 0, 1], [0, 0, 0.002, 0, 0, 0, 0]], format, context()));
    const times = decision.trajectory.points.map((p) => toSeconds(p.time_from_start));
    expect(decision.gripper).to.deep.equal([
      {
        startSec: 0,
        endSec: times[0],
        target: {
          closed: false,
          position: 0.04,
          names: ['panda_finger_joint1'],
          positions: [0.04],
          allNames: ['panda_finger_joint1', 'panda_finger_joint2'],
          allPositions: [0.04, 0.04],
        },
      },
      {
        startSec: times[0],
        endSec: times[1],
        target: {
          closed: true,
          position: 0,
          names: ['panda_finger_joint1'],
          positions: [0],
          allNames: ['panda_finger_joint1', 'panda_finger_joint2'],
          allPositions: [0, 0],
        },
      },
    ]);
    // A step whose gripper value is not finite has no gripper command; the arm still moves.
    const partly = ok(planner.plan([[0, 0, 0.002, 0, 0, 0, NaN], [0, 0, 0.002, 0, 0, 0, 0]], format, context()));
    expect(partly.gripper.map((g) => g.target.closed)).to.deep.equal([true]);
    expect(partly.gripper[0].startSec).to.be.greaterThan(0);
  });

  it('open_loop: acceptsFrame is false after sent() until the chunk has run, and reset clears it', () => {
    const planner = new CommandPlanner(settings((s) => (s.execution.policy = 'open_loop')), arm);
    const chunk = Array.from({ length: 4 }, () => [0.01, 0, 0, 0, 0, 0, 0]);
    expect(planner.acceptsFrame(NOW)).to.equal(true);
    const decision = ok(planner.plan(chunk, JOINT_DELTA, context()));
    // Planning alone records nothing.
    expect(planner.acceptsFrame(NOW)).to.equal(true);
    planner.sent(decision, NOW);
    expect(decision.durationSec).to.be.closeTo(0.4, 1e-9);
    expect(planner.acceptsFrame(NOW + 0.1)).to.equal(false);
    expect(planner.acceptsFrame(NOW + 0.39)).to.equal(false);
    expect(planner.acceptsFrame(NOW + decision.durationSec)).to.equal(true);
    planner.sent(decision, NOW + 1);
    expect(planner.acceptsFrame(NOW + 1.2)).to.equal(false);
    planner.reset();
    expect(planner.acceptsFrame(NOW + 1.2)).to.equal(true);
  });

  it('without measured velocities: the arm rests once nothing sent runs; while a trajectory runs, any velocity is allowed for', () => {
    const planner = new CommandPlanner(settings(), arm);
    const chunk = Array.from({ length: 4 }, () => [0.15, 0, 0, 0, 0, 0, 0]);
    const firstTime = (decision: CommandDecision): number => seconds(ok(decision).trajectory.points[0].time_from_start);
    const atRest = firstTime(planner.plan(chunk, JOINT_DELTA, context({ jointStateStamp: NOW })));
    const unmeasuredIdle = firstTime(planner.plan(chunk, JOINT_DELTA, context({ jointStateStamp: NOW, currentVelocity: null })));
    expect(unmeasuredIdle).to.be.closeTo(atRest, 1e-12);
    planner.sent(ok(planner.plan(chunk, JOINT_DELTA, context({ jointStateStamp: NOW }))), NOW);
    const unmeasuredRunning = firstTime(planner.plan(chunk, JOINT_DELTA, context({ now: NOW + 0.05, jointStateStamp: NOW + 0.05, currentVelocity: null })));
    expect(unmeasuredRunning).to.be.above(atRest * 1.2);
    const measuredRunning = firstTime(
      planner.plan(chunk, JOINT_DELTA, context({ now: NOW + 0.05, jointStateStamp: NOW + 0.05, currentVelocity: [0.5, 0, 0, 0, 0, 0, 0] })),
    );
    expect(measuredRunning).to.be.below(unmeasuredRunning);
  });

  it('replace: acceptsFrame stays true after sent()', () => {
    const planner = new CommandPlanner(settings(), arm);
    const decision = ok(planner.plan([[0.01, 0, 0, 0, 0, 0, 0]], JOINT_DELTA, context()));
    planner.sent(decision, NOW);
    expect(planner.acceptsFrame(NOW + 0.01)).to.equal(true);
  });
});
