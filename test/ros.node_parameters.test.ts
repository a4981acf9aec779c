import { expect } from 'chai';
import { resolvePackagePath } from '../src/config/package_root.js';
import { loadParameterSchema, type ParameterValue } from '../src/config/schema.js';
import { MolmoActNode } from '../src/apps/ros/molmoact_node.js';
import type { ActionReasoning, JointTrajectory } from '../src/core/messages/types.js';
import { timeFromSeconds, toSeconds } from '../src/core/messages/time.js';
import { SyntheticCamera, PANDA_READY } from '../src/apps/sim/synthetic_camera.js';
import { FakeGraph, type FakeNode } from './support/fake_ros_graph.js';
import { waitFor } from './support/wait.js';

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
const CONTROLLER = '/arm_controller/joint_trajectory';
const GRIPPER_ACTION = '/panda_hand_controller/gripper_cmd';
/** gripper_threshold values that make every step's gripper value open (above) or closed. */
const ALWAYS_OPEN = -1e9;
const ALWAYS_CLOSED = 1e9;

/** The node on a stand-in graph, and the few things a parameter test does with it. */
class Harness {
  readonly graph = new FakeGraph();
  node!: MolmoActNode;
  private readonly camera = new SyntheticCamera(JOINTS, { depthMm: 1500 });

  async start(overrides: Record<string, unknown>): Promise<void> {
    const base = {
      model_dir: resolvePackagePath('test/fixtures/models/ee-tiny'),
      robot_description_file: resolvePackagePath('config/robots/urdf/panda.urdf'),
      gripper_interface: 'gripper_command',
      autostart: true,
      ...overrides,
    };
    for (const [name, value] of Object.entries(base)) this.graph.overrides.set(name, value);
    this.graph.addListener('/molmoact/trace_image');
    this.graph.addListener('/molmoact/depth_image');
    this.node = await MolmoActNode.create(this.graph.api());
    this.graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
  }

  get now(): number {
    return this.graph.nowSec;
  }

  set(name: string, value: ParameterValue): void {
    const result = (this.node.node as FakeNode).setParameter(name, value);
    expect(result.successful, `${name} := ${String(value)}: ${result.reason}`).to.equal(true);
  }

  /** One set of messages stamped `stampSec`; the depth image `depthOffsetSec` later, the joints `jointOffsetSec` later. */
  sendSet(stampSec: number, options: { depthOffsetSec?: number; jointOffsetSec?: number } = {}): void {
    const m = this.camera.next({ stampSec });
    this.graph.deliver('/camera/color/camera_info', m.cameraInfo);
    this.graph.deliver('/joint_states', { ...m.joints, header: { ...m.joints.header, stamp: timeFromSeconds(stampSec + (options.jointOffsetSec ?? 0)) } });
    this.graph.deliver('/camera/aligned_depth_to_color/image_raw', { ...m.depth, header: { ...m.depth.header, stamp: timeFromSeconds(stampSec + (options.depthOffsetSec ?? 0)) } });
    this.graph.deliver('/camera/color/image_raw', m.rgb);
  }

  sendJoints(stampSec: number, velocity: number[] = []): void {
    this.graph.deliver('/joint_states', { header: { stamp: timeFromSeconds(stampSec), frame_id: '' }, name: JOINTS, position: PANDA_READY, velocity, effort: [] });
  }

  get reasoned(): number {
    return this.graph.messages('/molmoact/reasoning').length;
  }

  get commands(): JointTrajectory[] {
    return this.graph.messages(CONTROLLER) as JointTrajectory[];
  }

  get matched(): number {
    return Number(this.diagnostic('frames_matched'));
  }

  diagnostic(key: string): string | undefined {
    return this.node.diagnostics().status[0].values.find((kv) => kv.key === key)?.value;
  }

  /** A fresh set, reasoned about; resolves once the step is done. */
  async step(): Promise<void> {
    const before = this.reasoned;
    this.sendSet(this.now - 0.01);
    await waitFor(`step ${before + 1}`, () => this.reasoned === before + 1);
  }

  /** Waits for the step of a set that was matched (matchedBefore: frames_matched before it was sent). */
  async finishIfMatched(matchedBefore: number, reasonedBefore: number): Promise<number> {
    const matched = this.matched - matchedBefore;
    if (matched > 0) await waitFor('the matched set reasoned about', () => this.reasoned === reasonedBefore + 1);
    return matched;
  }

  /** The newest GripperCommand goal's command, after a step. */
  async gripperGoal(goalsBefore: number): Promise<{ position: number; max_effort: number }> {
    const server = this.graph.actionServer(GRIPPER_ACTION);
    await waitFor('a gripper goal', () => server.goals.length > goalsBefore);
    return (server.last.goal as { command: { position: number; max_effort: number } }).command;
  }

  async gripperAfterStep(): Promise<{ position: number; max_effort: number }> {
    const goals = this.graph.actionServer(GRIPPER_ACTION).goals.length;
    await this.step();
    return this.gripperGoal(goals);
  }

  /** Whether an image came out on `topic` within a while after a step. */
  async imageAfterStep(topic: string): Promise<boolean> {
    const before = this.graph.messages(topic).length;
    await this.step();
    await new Promise((resolve) => setTimeout(resolve, 400));
    return this.graph.messages(topic).length > before;
  }
}

interface ParameterCase {
  /** The parameter and the value it is set to at run time. */
  name: string;
  value: ParameterValue;
  /** Set at start, so that the change shows (e.g. a policy under which the parameter acts). */
  start?: Record<string, unknown>;
  /** Set right after `name`, where its effect shows only with a new command. */
  alsoSet?: [string, ParameterValue][];
  /** What the node does, observed the same way before and after the change. */
  observe(h: Harness): Promise<unknown>;
  before: unknown;
  after: unknown;
}

const CASES: ParameterCase[] = [
  {
    name: 'instruction',
    value: 'put the blue block on the plate',
    observe: async (h) => {
      await h.step();
      return (h.graph.messages('/molmoact/reasoning').at(-1) as ActionReasoning).instruction;
    },
    before: 'pick up the red block',
    after: 'put the blue block on the plate',
  },
  {
    name: 'execution_policy',
    value: 'replace',
    start: { execution_policy: 'open_loop' },
    // A frame 50 ms into a running chunk: set aside under open_loop, reasoned about under replace.
    observe: async (h) => {
      await h.step();
      h.graph.nowSec += 0.05;
      const setAside = h.node.counters.framesWhileChunkRuns;
      const reasoned = h.reasoned;
      h.sendSet(h.now - 0.01);
      const taken = h.node.counters.framesWhileChunkRuns === setAside;
      if (taken) await waitFor('the second step', () => h.reasoned === reasoned + 1);
      return taken;
    },
    before: false,
    after: true,
  },
  {
    name: 'open_loop_joint_tolerance_rad',
    value: 0,
    // The frame goes stale while it is reasoned about, the arm holding still: sent only within the tolerance.
    observe: async (h) => {
      const commands = h.commands.length;
      const reasoned = h.reasoned;
      h.sendSet(h.now - 0.01);
      h.graph.nowSec += 2;
      h.sendJoints(h.now - 0.01);
      await waitFor('the step', () => h.reasoned === reasoned + 1);
      return h.commands.length - commands;
    },
    before: 1,
    after: 0,
  },
  {
    name: 'ensemble_weight',
    value: 5,
    start: { execution_policy: 'ensemble' },
    // Two overlapping chunks: the blend of the second depends on the weight.
    observe: async (h) => {
      await h.step();
      h.graph.nowSec += 0.2;
      await h.step();
      return h.commands.at(-1)!.points[0].positions.map((q) => Math.round(q * 1e6));
    },
    before: 'differs',
    after: 'differs',
  },
  {
    name: 'gripper_open_position',
    value: 0.03,
    start: { gripper_threshold: ALWAYS_OPEN },
    observe: async (h) => (await h.gripperAfterStep()).position,
    before: 0.04,
    after: 0.03,
  },
  {
    name: 'gripper_closed_position',
    value: 0.01,
    start: { gripper_threshold: ALWAYS_CLOSED },
    observe: async (h) => (await h.gripperAfterStep()).position,
    before: 0,
    after: 0.01,
  },
  {
    name: 'gripper_threshold',
    value: ALWAYS_CLOSED,
    start: { gripper_threshold: ALWAYS_OPEN },
    observe: async (h) => (await h.gripperAfterStep()).position,
    before: 0.04,
    after: 0,
  },
  {
    name: 'gripper_invert',
    value: true,
    start: { gripper_threshold: ALWAYS_OPEN },
    observe: async (h) => (await h.gripperAfterStep()).position,
    before: 0.04,
    after: 0,
  },
  {
    name: 'gripper_max_effort',
    value: 5,
    start: { gripper_threshold: ALWAYS_OPEN },
    alsoSet: [['gripper_threshold', ALWAYS_CLOSED]], // a new goal, which carries the effort
    observe: async (h) => (await h.gripperAfterStep()).max_effort,
    before: 20,
    after: 5,
  },
  {
    name: 'sync_slop_s',
    value: 0.06,
    start: { sync_slop_s: 0.02 },
    // Depth 40 ms after the colour image.
    observe: async (h) => {
      const [matched, reasoned] = [h.matched, h.reasoned];
      h.sendSet(h.now - 0.01, { depthOffsetSec: 0.04 });
      return h.finishIfMatched(matched, reasoned);
    },
    before: 0,
    after: 1,
  },
  {
    name: 'max_frame_age_s',
    value: 0.2,
    // A set 0.3 s old.
    observe: async (h) => {
      const [matched, reasoned] = [h.matched, h.reasoned];
      h.sendSet(h.now - 0.3);
      return h.finishIfMatched(matched, reasoned);
    },
    before: 1,
    after: 0,
  },
  {
    name: 'max_frame_future_s',
    value: 0.1,
    // A set stamped 0.3 s ahead of the clock.
    observe: async (h) => {
      const [matched, reasoned] = [h.matched, h.reasoned];
      h.sendSet(h.now + 0.3);
      return h.finishIfMatched(matched, reasoned);
    },
    before: 1,
    after: 0,
  },
  {
    name: 'chunk_step_s',
    value: 0.2,
    observe: async (h) => {
      await h.step();
      return toSeconds(h.commands.at(-1)!.points[0].time_from_start);
    },
    before: 0.1,
    after: 0.2,
  },
  {
    name: 'max_joint_state_age_s',
    value: 0.02,
    // Joint states 40 ms older than the image (within the sync's slop): 50 ms old when commanded.
    observe: async (h) => {
      const [commands, reasoned] = [h.commands.length, h.reasoned];
      h.sendSet(h.now - 0.01, { jointOffsetSec: -0.04 });
      await waitFor('the step', () => h.reasoned === reasoned + 1);
      return h.commands.length - commands;
    },
    before: 1,
    after: 0,
  },
  {
    name: 'stop_deceleration',
    value: 8,
    // The arm moving at 0.9 rad/s when actuation is turned off: the stop takes v / a (at least one chunk step).
    observe: async (h) => {
      await h.step();
      h.sendJoints(h.now - 0.005, [0.9, 0, 0, 0, 0, 0, 0]);
      h.graph.callService('/molmoact/enable', { data: false });
      const stop = h.commands.at(-1)!;
      h.graph.callService('/molmoact/enable', { data: true });
      return Math.round(toSeconds(stop.points[0].time_from_start) * 1e6) / 1e6;
    },
    before: 0.18,
    after: 0.1125,
  },
  {
    name: 'publish_trace_image',
    value: false,
    observe: (h) => h.imageAfterStep('/molmoact/trace_image'),
    before: true,
    after: false,
  },
  {
    name: 'picture_period_s',
    value: 0,
    // Dry run, so that every set is reasoned about (no chunk runs); six sets at 30 Hz.
    start: { autostart: false },
    observe: async (h) => {
      const before = h.graph.messages('/molmoact/trace_image').length;
      for (let k = 0; k < 6; k++) {
        await h.step();
        h.graph.nowSec += 1 / 30;
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
      return h.graph.messages('/molmoact/trace_image').length - before;
    },
    // At most one frame's pictures per 0.1 s: the first and the fourth set's.
    before: 2,
    after: 6,
  },
  {
    name: 'publish_depth_image',
    value: false,
    observe: (h) => h.imageAfterStep('/molmoact/depth_image'),
    before: true,
    after: false,
  },
];

describe('molmoact node: every parameter that can change at run time takes effect when set', function () {
  this.timeout(60_000);
  let h: Harness | null = null;

  afterEach(async () => {
    await h?.node?.shutdown();
    h = null;
  });

  it('has a case here for each parameter the schema lets change (the others are declared read-only)', () => {
    const changeable = loadParameterSchema()
      .filter((spec) => !spec.readOnly)
      .map((spec) => spec.name);
    expect(CASES.map((c) => c.name)).to.have.members(changeable);
  });

  for (const c of CASES) {
    it(`${c.name} := ${String(c.value)}`, async () => {
      h = new Harness();
      await h.start(c.start ?? {});
      const before = await c.observe(h);
      h.graph.nowSec += 10; // whatever ran has ended
      h.set(c.name, c.value);
      for (const [name, value] of c.alsoSet ?? []) h.set(name, value);
      h.graph.nowSec += 10;
      const after = await c.observe(h);
      if (c.before === 'differs') {
        expect(after, 'the same observation before and after').not.to.deep.equal(before);
      } else {
        expect(before, 'before the change').to.deep.equal(c.before);
        expect(after, 'after the change').to.deep.equal(c.after);
      }
    });
  }
});
