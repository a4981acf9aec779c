import { expect } from 'chai';
import { molmoactRos } from './support/cli.js';
import { BenchSession } from '../src/apps/cli/bench_session.js';
import { SyntheticCamera, PANDA_READY } from '../src/apps/sim/synthetic_camera.js';
import { defaultValues, loadParameterSchema } from '../src/config/schema.js';
import { settingsFromValues } from '../src/config/settings.js';
import { resolvePackagePath } from '../src/config/package_root.js';

describe('molmoact-ros bench', function () {
  this.timeout(60000);

  // The bundled model takes the gripper's opening: every phase of the bench must feed it 8 values.
  it('runs the bundled model through every phase and ends with one JSON line', () => {
    const { status, stdout, stderr } = molmoactRos('bench', '--steps', '3', '--warmup', '1', '--soak', '0', '--json');
    expect(status, stderr).to.equal(0);
    const summary = JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
    expect(summary.model).to.equal('molmoact-tiny');
    expect(summary.overhead_ratio).to.be.a('number').and.above(0);
    expect(summary.step_ms).to.be.a('number').and.above(0);
    // The same graphs in a thread woken for each run: its round trip holds the graphs' own time.
    expect(summary.woken_bare_ms).to.be.a('number').and.above(0);
    expect(summary.woken_round_trip_ms).to.be.at.least(summary.woken_bare_ms);
    // At camera rate: the graphs alone, whole steps, and the part of each step that is not its graphs.
    expect(summary.rate_hz).to.equal(30);
    for (const key of ['bare_at_rate_ms', 'step_at_rate_ms', 'pipeline_at_rate_ms']) expect(summary[key], key).to.be.a('number').and.above(0);
    expect(summary.pipeline_at_rate_ms).to.be.below(summary.step_at_rate_ms);
  });

  it('feeds whole steps images in buffers Node cannot move with --ros-buffers, and skips the paced phase with --rate 0', () => {
    const { status, stdout, stderr } = molmoactRos('bench', '--steps', '3', '--warmup', '1', '--soak', '0', '--rate', '0', '--ros-buffers', '--json');
    expect(status, stderr).to.equal(0);
    const summary = JSON.parse(stdout.trimEnd().split('\n').at(-1)!);
    expect(summary.image).to.equal('640x480 rgb8 + 16UC1 in buffers the middleware owns');
    expect(summary.step_ms).to.be.a('number').and.above(0);
    expect(summary).not.to.have.property('step_at_rate_ms');
  });
});

describe('BenchSession: whole steps through the node\'s pipeline', function () {
  this.timeout(60000);

  it('times each frame from its first message to the trajectory, and says why a frame commanded nothing', async () => {
    const settings = settingsFromValues(defaultValues(loadParameterSchema()));
    const bench = await BenchSession.start(settings, resolvePackagePath('config/robots/urdf/panda.urdf'), 'pick up the red block');
    try {
      const names = [...settings.jointNames, ...settings.gripper.joints];
      const camera = new SyntheticCamera(names, { jointPositions: [...PANDA_READY, ...settings.gripper.joints.map(() => settings.gripper.openPosition)] });
      const first = await bench.step(camera.next({ stampSec: 1_700_000_000 }));
      expect(first.trajectory.joint_names).to.deep.equal(settings.jointNames);
      expect(first.trajectory.points.length).to.be.at.least(2);
      expect(first.step.actions.length).to.be.above(0);
      expect(first.timing.roundTripMs).to.be.at.least(first.timing.workerMs);
      expect(first.wallMs).to.be.at.least(first.timing.roundTripMs);

      // The default open_loop policy: a frame taken while that chunk still runs is not reasoned about.
      let error: Error | null = null;
      await bench.step(camera.next({ stampSec: 1_700_000_000.1 })).catch((err: Error) => (error = err));
      expect(error, 'a frame during the running chunk').to.be.an('error');
      expect(error!.message).to.match(/commanded nothing/);

      // Once it has run, the next frame commands again.
      const later = await bench.step(camera.next({ stampSec: 1_700_000_100 }));
      expect(later.trajectory.points.length).to.be.at.least(2);
    } finally {
      await bench.close();
    }
  });
});
