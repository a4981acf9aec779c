import { expect } from 'chai';
import { molmoactRos } from './support/cli.js';

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
  });
});
