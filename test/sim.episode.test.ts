import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandPlanner } from '../src/core/control/command_planner.js';
import { resolvePackagePath } from '../src/config/package_root.js';
import { TabletopSimulation, type FrameRecord } from '../src/apps/sim/episode.js';
import { ExpertPolicy, runDemonstration } from '../src/apps/sim/demonstration.js';
import { settingsForModel } from '../src/config/robot_presets.js';
import type { ParameterValue } from '../src/config/schema.js';
import { planEpisode } from '../src/apps/sim/episode_plan.js';
import { writeDataset } from '../src/apps/sim/dataset.js';
import { sampleTask, makeTask, TASK_KINDS } from '../src/apps/sim/tasks.js';
import { defaultSettings, TabletopWorld } from '../src/apps/sim/world.js';
import { seededRandom } from '../src/core/util/random.js';

describe('sim/episode: the node\'s session against the simulated robot', function () {
  this.timeout(120_000);

  /** The session with the panda preset and the given model and parameters. */
  function settings(model: string, overrides: Record<string, ParameterValue> = {}) {
    return settingsForModel(resolvePackagePath(model), 'panda', { inference_threads: 1, ...overrides });
  }

  it('runs the bundled model through the session: commands reach the simulated controllers, and it solves a pick', async () => {
    const simulation = await TabletopSimulation.start({ settings: settings('models/molmoact-tiny') });
    try {
      const episode = planEpisode(1, 2, TASK_KINDS, false);
      const records: FrameRecord[] = [];
      const result = await simulation.runEpisode({ ...episode, maxSec: 15, onFrame: (r) => records.push(r) });
      const { task } = episode;
      expect(result.success, `${task.instruction}: ${result.failure}`).to.equal(true);
      expect(result.commands).to.be.greaterThan(0);
      expect(result.refusals).to.equal(0);
      // What reached the robot: the arm's trajectories on the preset's topic, the gripper's goals on its action.
      const sent = simulation.transport.sent;
      expect(sent.some((c) => c.topic === 'panda_arm_controller/joint_trajectory')).to.equal(true);
      expect(sent.some((c) => c.topic === 'panda_hand_controller/gripper_cmd')).to.equal(true);
      expect(simulation.robot.rejected).to.deep.equal([]);
      expect(records.length).to.be.greaterThan(0);
      expect(records[0].frame.rgb.data.length).to.equal(640 * 480 * 3); // a copy: the worker took the original
      expect(records.every((r) => r.trajectory !== null || r.refusal !== null)).to.equal(true);
    } finally {
      await simulation.close();
    }
  });

  it('steers: the trace a person draws replaces the planned one in every step', async () => {
    const simulation = await TabletopSimulation.start({ settings: settings('models/test-tiny') });
    try {
      const world = TabletopWorld.create({ seed: 3 });
      const task = makeTask(world, 'pick', 0);
      const records: FrameRecord[] = [];
      const result = await simulation.runEpisode({ world, task, maxSec: 1, steerTo: 1, onFrame: (r) => records.push(r), recordPeriodSec: 0 });
      // An untrained joint-delta model does not solve the task, but every step was steered.
      expect(result.reasoningSteps).to.be.greaterThan(0);
      expect(records.length).to.be.greaterThan(0);
      expect(records.every((r) => r.traceOverridden)).to.equal(true);
    } finally {
      await simulation.close();
    }
  });
});

describe('sim/demonstration (the expert that made the training data)', function () {
  this.timeout(120_000);
  const plannerSettings = defaultSettings();

  it('the scripted expert solves every task kind through a CommandPlanner and SafetyGuard', async () => {
    for (const kind of TASK_KINDS) {
      for (let e = 0; e < 4; e++) {
        const world = TabletopWorld.create({ seed: 900 + e });
        const task = sampleTask(world, seededRandom(e), [kind]);
        const result = await runDemonstration({ world, task, policy: new ExpertPolicy(), planner: new CommandPlanner(plannerSettings, world.arm), maxSteps: 150, executeSteps: 8 });
        expect(result.success, `${task.instruction}: ${result.failure}`).to.equal(true);
        expect(result.steps).to.be.below(150);
        expect(result.reasoningSteps).to.equal(Math.ceil(result.steps / 8));
      }
    }
  });
});

describe('sim/dataset', function () {
  this.timeout(120_000);

  it('writes the same bytes for the same seed, one row per frame in every file', async () => {
    const write = async (): Promise<string> => {
      const out = mkdtempSync(join(tmpdir(), 'molmoact-dataset-'));
      await writeDataset({ out, episodes: 3, seed: 5, image: { width: 64, height: 48 }, depthSize: 40, maxTokens: 16, everySteps: 4, noise: 0.0015 });
      return out;
    };
    const a = await write();
    const b = await write();
    const meta = JSON.parse(readFileSync(join(a, 'meta.json'), 'utf8'));
    expect(meta.frames).to.be.greaterThan(10);
    expect(meta.successes).to.equal(3);
    const itemSize: Record<string, number> = { u8: 1, f32: 4, i32: 4 };
    for (const [file, shape] of Object.entries(meta.files as Record<string, number[]>)) {
      const bytes = statSync(join(a, file)).size;
      const row = (shape as number[]).reduce((x, y) => x * y, 1) * itemSize[file.split('.').pop()!];
      expect(bytes, file).to.equal(meta.frames * row);
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file).to.equal(true);
    }
    // Traces are in [0, 255]; the expert's moves are at most 2 cm; the gripper is 0 or 1.
    const trace = new Float32Array(new Uint8Array(readFileSync(join(a, 'trace.f32'))).buffer);
    expect(Math.min(...trace)).to.be.at.least(0);
    expect(Math.max(...trace)).to.be.at.most(255);
    const actions = new Float32Array(new Uint8Array(readFileSync(join(a, 'actions.f32'))).buffer);
    for (let i = 0; i < actions.length; i += 7) {
      expect(Math.hypot(actions[i], actions[i + 1], actions[i + 2])).to.be.at.most(0.02 + 1e-6);
      expect([0, 1]).to.include(actions[i + 6]);
    }
    expect(existsSync(join(a, 'alt_valid.u8'))).to.equal(true);
    // Proprioception: 7 joints, then the gripper's opening, open (1) at the start of every episode.
    expect(meta.proprio_dim).to.equal(8);
    const proprio = new Float32Array(new Uint8Array(readFileSync(join(a, 'proprio.f32'))).buffer);
    const openings = Array.from({ length: meta.frames }, (_, i) => proprio[i * 8 + 7]);
    expect(openings[0]).to.equal(1);
    expect(Math.min(...openings)).to.be.within(0, 0.9); // closed on the object in some frames
    expect(Math.max(...openings)).to.equal(1);
  });
});
