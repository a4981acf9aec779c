import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { onnxManifest, ManifestError } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';

const TEST_TINY = path.resolve('models/test-tiny');

/** The test-tiny manifest as a plain object, with graph paths made absolute. */
async function testTinyDoc(): Promise<any> {
  const doc = parse(await readFile(path.join(TEST_TINY, 'manifest.yaml'), 'utf8'));
  for (const stage of ['perceive', 'plan', 'act']) doc.graphs[stage] = path.join(TEST_TINY, doc.graphs[stage]);
  return doc;
}

describe('reasoning/manifest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadWith(edit: (doc: any) => void) {
    const doc = await testTinyDoc();
    edit(doc);
    await writeFile(path.join(dir, 'manifest.yaml'), stringify(doc));
    return onnxManifest(await loadManifest(dir));
  }

  async function expectError(edit: (doc: any) => void, field: string, detail: RegExp) {
    let error: unknown;
    try {
      await loadWith(edit);
    } catch (err) {
      error = err;
    }
    expect(error, `expected a ManifestError for ${field}`).to.be.instanceOf(ManifestError);
    const e = error as ManifestError;
    expect(e.field).to.equal(field);
    expect(e.file).to.equal(path.join(dir, 'manifest.yaml'));
    expect(e.message).to.contain(e.file).and.contain(field).and.match(detail);
  }

  it('loads test-tiny with every field resolved', async () => {
    const m = onnxManifest(await loadManifest('models/test-tiny'));
    expect(m.name).to.equal('test-tiny');
    expect(m.backend).to.equal('onnx');
    expect(m.dir).to.equal(TEST_TINY);
    expect(m.graphs).to.deep.equal({
      perceive: path.join(TEST_TINY, 'perceive.onnx'),
      plan: path.join(TEST_TINY, 'plan.onnx'),
      act: path.join(TEST_TINY, 'act.onnx'),
    });
    expect(m.input).to.deep.equal({ width: 224, height: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(m.instruction.maxTokens).to.equal(16);
    expect(m.instruction.vocabulary.slice(0, 3)).to.deep.equal(['<pad>', '<unk>', 'pick']);
    expect(m.instruction.vocabulary).to.include.members(['on', 'red', 'block', 'towel']);
    expect(m.proprio).to.deep.equal({ dim: 7, gripper: false });
    expect(m.depth).to.deep.equal({ rows: 10, cols: 10, codebook: 128 });
    expect(m.trace).to.deep.equal({ points: 5, bins: 256 });
    expect(m.action).to.deep.equal({ space: 'joint_delta', dim: 7, chunk: 8, bins: 256 });
    expect(m.statistics.q01).to.deep.equal(Array(7).fill(-0.05));
    expect(m.statistics.q99).to.deep.equal(Array(7).fill(0.05));
    expect(m.statistics.mask).to.deep.equal(Array(7).fill(true));
  });

  it('loads the nan-act fixture, whose graph paths point into another folder', async () => {
    const m = onnxManifest(await loadManifest('test/fixtures/models/nan-act'));
    expect(m.graphs!.perceive).to.equal(path.join(TEST_TINY, 'perceive.onnx'));
    expect(m.graphs!.act).to.equal(path.resolve('test/fixtures/models/nan-act/act.onnx'));
  });

  it('loads an ee_delta space with its rotation, gripper and default frame', async () => {
    const m = await loadWith((d) => {
      d.action.space = 'ee_delta';
      d.action.rotation = 'euler_xyz';
      d.action.gripper = 6;
      d.statistics.mask[6] = false;
    });
    expect(m.action).to.deep.equal({ space: 'ee_delta', dim: 7, chunk: 8, bins: 256, rotation: 'euler_xyz', gripper: 6, frame: 'base' });
    expect(m.statistics.mask[6]).to.equal(false);
  });

  it('names the file when there is no manifest or it is not YAML', async () => {
    try {
      await loadManifest(dir);
      expect.fail('loaded a missing manifest');
    } catch (err) {
      expect(err).to.be.instanceOf(ManifestError);
      expect((err as Error).message).to.contain(path.join(dir, 'manifest.yaml')).and.contain('cannot read');
    }
    await writeFile(path.join(dir, 'manifest.yaml'), 'name: [unclosed\n');
    try {
      await loadManifest(dir);
      expect.fail('loaded broken YAML');
    } catch (err) {
      expect(err).to.be.instanceOf(ManifestError);
      expect((err as Error).message).to.contain('not valid YAML');
    }
  });

  const cases: [string, (d: any) => void, string, RegExp][] = [
    ['format from the future', (d) => (d.format = 2), 'format', /expected 1/],
    ['no backend', (d) => delete d.backend, 'backend', /missing/],
    ['unknown backend', (d) => (d.backend = 'tensorflow'), 'backend', /one of onnx, remote, got string "tensorflow"/],
    ['missing graph file', (d) => (d.graphs.act = 'nowhere.onnx'), 'graphs.act', /not found.*nowhere\.onnx/],
    ['graphs missing', (d) => delete d.graphs, 'graphs', /missing/],
    ['width as a string', (d) => (d.input.width = '224'), 'input.width', /integer, got string "224"/],
    ['zero width', (d) => (d.input.width = 0), 'input.width', />= 1, got 0/],
    ['fractional height', (d) => (d.input.height = 223.5), 'input.height', /integer/],
    ['two-channel mean', (d) => (d.input.mean = [0.5, 0.5]), 'input.mean', /expected 3 numbers, got 2/],
    ['zero std', (d) => (d.input.std[1] = 0), 'input.std[1]', /positive/],
    ['vocabulary without <pad>', (d) => d.instruction.vocabulary.shift(), 'instruction.vocabulary[0]', /"<pad>"/],
    ['vocabulary word in capitals', (d) => d.instruction.vocabulary.push('Red'), 'instruction.vocabulary[50]', /lowercase/],
    ['duplicate word', (d) => d.instruction.vocabulary.push('red'), 'instruction.vocabulary[50]', /duplicate/],
    ['no max_tokens', (d) => delete d.instruction.max_tokens, 'instruction.max_tokens', /missing/],
    ['negative proprio dim', (d) => (d.proprio.dim = -7), 'proprio.dim', />= 1/],
    ['proprio gripper as a string', (d) => (d.proprio.gripper = 'yes'), 'proprio.gripper', /true or false, got string "yes"/],
    ['proprio of the gripper alone', (d) => Object.assign(d.proprio, { dim: 1, gripper: true }), 'proprio.dim', /at least 2/],
    ['no depth section', (d) => delete d.depth, 'depth', /missing/],
    ['depth as a list', (d) => (d.depth = [10, 10, 128]), 'depth', /mapping, got a list/],
    ['trace with 128 bins', (d) => (d.trace.bins = 128), 'trace.bins', /expected 256/],
    ['unknown action space', (d) => (d.action.space = 'cartesian'), 'action.space', /joint_position, joint_delta, ee_delta/],
    ['zero chunk', (d) => (d.action.chunk = 0), 'action.chunk', />= 1/],
    ['one action bin', (d) => (d.action.bins = 1), 'action.bins', />= 2/],
    ['ee_delta without rotation', (d) => (d.action.space = 'ee_delta'), 'action.rotation', /missing/],
    ['unknown rotation', (d) => Object.assign(d.action, { space: 'ee_delta', rotation: 'quat' }), 'action.rotation', /euler_xyz/],
    ['gripper index past dim', (d) => Object.assign(d.action, { space: 'ee_delta', rotation: 'euler_xyz', gripper: 7 }), 'action.gripper', /below action.dim \(7\)/],
    ['rotation on a joint space', (d) => (d.action.rotation = 'euler_xyz'), 'action.rotation', /only allowed with space ee_delta/],
    ['q01 shorter than dim', (d) => d.statistics.q01.pop(), 'statistics.q01', /expected 7 numbers \(one per action dimension\), got 6/],
    ['q99 longer than dim', (d) => d.statistics.q99.push(0.05), 'statistics.q99', /expected 7 numbers/],
    ['mask shorter than dim', (d) => d.statistics.mask.pop(), 'statistics.mask', /expected 7 booleans/],
    ['mask of strings', (d) => (d.statistics.mask[3] = 'yes'), 'statistics.mask[3]', /true or false/],
    ['q01 above q99', (d) => (d.statistics.q01[2] = 0.1), 'statistics.q01[2]', /<= statistics.q99\[2\] \(0.05\), got 0.1/],
    ['non-numeric q99', (d) => (d.statistics.q99[0] = 'big'), 'statistics.q99[0]', /finite number/],
  ];
  for (const [name, edit, field, detail] of cases) {
    it(`rejects ${name}, naming ${field}`, () => expectError(edit, field, detail));
  }
});
