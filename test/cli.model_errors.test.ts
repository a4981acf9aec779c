import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { molmoactRos } from './support/cli.js';

describe('molmoact-ros with a model that cannot be loaded', function () {
  this.timeout(30000);
  const missing = join(mkdtempSync(join(tmpdir(), 'molmoact-no-model-')), 'nothing-here');

  it('sim --model says why in one line, without a stack trace, and exits with 1', () => {
    const { status, stderr } = molmoactRos('sim', '--model', missing, '--episodes', '1');
    expect(status).to.equal(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.at(-1)).to.match(/^molmoact-ros: cannot load the model: .*nothing-here\/manifest\.yaml: cannot read the manifest/);
    expect(stderr).to.not.match(/\n\s+at /);
  });

  it('dataset --driver says why in one line, without a stack trace, and exits with 1', () => {
    const out = mkdtempSync(join(tmpdir(), 'molmoact-dataset-'));
    const { status, stderr } = molmoactRos('dataset', '--out', out, '--episodes', '1', '--driver', missing);
    expect(status).to.equal(1);
    expect(stderr.trimEnd().split('\n')).to.deep.equal([`molmoact-ros: cannot load the model: ${missing}/manifest.yaml: cannot read the manifest (ENOENT: no such file or directory, open '${missing}/manifest.yaml')`]);
  });
});
