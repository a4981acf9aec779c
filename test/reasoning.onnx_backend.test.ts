import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { type ReasoningBackend } from '../src/inference/backend.js';
import { createBackend } from '../src/inference/create_backend.js';
import { decodeActionLogits, OutputRejected } from '../src/core/model/decode.js';
import { onnxManifest, type OnnxManifest } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { ModelLoadError, OnnxBackend } from '../src/inference/onnx/onnx_backend.js';
import type { BackendInput, RgbImage } from '../src/core/model/types.js';

const TEST_TINY = path.resolve('models/test-tiny');

/** A 640x480 scene: a gradient background with a bright square at (x0, y0). */
function scene(x0 = 400, y0 = 300): RgbImage {
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inSquare = x >= x0 && x < x0 + 80 && y >= y0 && y < y0 + 80;
      data[i] = inSquare ? 230 : (x * 255) / width;
      data[i + 1] = inSquare ? 40 : (y * 255) / height;
      data[i + 2] = inSquare ? 40 : 90;
    }
  }
  return { width, height, data };
}

const PROPRIO = Float32Array.from([0, -0.4, 0, -2.1, 0, 1.7, 0.8]);

function input(overrides: Partial<BackendInput> = {}): BackendInput {
  return { rgb: scene(), instruction: 'pick up the red block', proprio: PROPRIO, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('reasoning/onnx_backend (test-tiny, onnxruntime-node)', function () {
  let manifest: OnnxManifest;
  let backend: ReasoningBackend;
  let tmp: string;

  before(async () => {
    manifest = onnxManifest(await loadManifest(TEST_TINY));
    backend = await createBackend(manifest);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'onnx-backend-test-'));
  });
  after(async () => {
    await backend?.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  /** Writes a variant of test-tiny's manifest (graph paths absolute) into a fresh folder. */
  async function variant(name: string, edit: (doc: any) => void): Promise<string> {
    const doc = parse(await readFile(path.join(TEST_TINY, 'manifest.yaml'), 'utf8'));
    for (const stage of ['perceive', 'plan', 'act']) doc.graphs[stage] = path.join(TEST_TINY, doc.graphs[stage]);
    edit(doc);
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.yaml'), stringify(doc));
    return dir;
  }

  it('gives outputs with the manifest shapes and ranges', async () => {
    const out = await backend.step(input());
    expect(out.depthTokens).to.have.length(100);
    for (const t of out.depthTokens) expect(Number.isInteger(t) && t >= 0 && t < 128, `depth token ${t}`).to.equal(true);
    expect(new Set(out.depthTokens).size, 'depth tokens vary over the grid').to.be.greaterThan(3);
    expect(out.trace.x).to.have.length(5);
    expect(out.trace.y).to.have.length(5);
    for (const c of [...out.trace.x, ...out.trace.y]) expect(Number.isInteger(c) && c >= 0 && c <= 255, `trace ${c}`).to.equal(true);
    expect(out.traceOverridden).to.equal(false);
    expect(out.actions).to.have.length(8);
    for (const step of out.actions) {
      expect(step).to.have.length(7);
      // joint_delta with q01/q99 = -/+0.05 and every dimension masked in: within the statistics.
      for (const a of step) expect(a).to.be.within(-0.05, 0.05);
    }
    expect(Object.keys(out.timings).sort()).to.deep.equal(['act', 'decode', 'perceive', 'plan', 'preprocess']);
    for (const ms of Object.values(out.timings)) expect(ms).to.be.at.least(0);
  });

  it('is deterministic, across calls and across backends', async () => {
    const a = await backend.step(input());
    const b = await backend.step(input());
    const other = await createBackend(manifest, { intraOpThreads: 2 });
    const c = await other.step(input());
    await other.dispose();
    // Whether the runtime's threads spin between calls changes timing only, never the result.
    const spinning = await createBackend(manifest, { intraOpThreads: 2, spinWait: true });
    const d = await spinning.step(input());
    await spinning.dispose();
    const strip = ({ timings, ...rest }: typeof a) => rest;
    expect(strip(b)).to.deep.equal(strip(a));
    expect(strip(c)).to.deep.equal(strip(a));
    expect(strip(d)).to.deep.equal(strip(a));
  });

  it('gives each step its own result when steps follow or overlap one another (the reused input tensor)', async () => {
    const strip = ({ timings, ...rest }: Awaited<ReturnType<ReasoningBackend['step']>>) => rest;
    const fresh = await createBackend(manifest);
    const alone = { red: strip(await fresh.step(input())), moved: strip(await fresh.step(input({ rgb: scene(40, 40) }))) };
    await fresh.dispose();
    // One after the other, the other way round, then both at once.
    expect(strip(await backend.step(input({ rgb: scene(40, 40) })))).to.deep.equal(alone.moved);
    expect(strip(await backend.step(input()))).to.deep.equal(alone.red);
    const [red, moved] = await Promise.all([backend.step(input()), backend.step(input({ rgb: scene(40, 40) }))]);
    expect(strip(red)).to.deep.equal(alone.red);
    expect(strip(moved)).to.deep.equal(alone.moved);
  });

  it('plans a different trace for another instruction and sees another scene', async () => {
    const red = await backend.step(input());
    const blue = await backend.step(input({ instruction: 'put the blue cube on the plate' }));
    const moved = await backend.step(input({ rgb: scene(40, 40) }));
    expect(blue.trace).not.to.deep.equal(red.trace);
    expect(moved.depthTokens).not.to.deep.equal(red.depthTokens);
  });

  it('acts on an overridden trace instead of the planned one, and skips planning', async () => {
    const planned = await backend.step(input());
    const override = { x: [20, 60, 100, 140, 180], y: [230, 200, 170, 140, 110] };
    const steered = await backend.step(input({ traceOverride: override }));
    expect(steered.trace).to.deep.equal(override);
    expect(steered.traceOverridden).to.equal(true);
    expect(steered.timings).not.to.have.property('plan');
    expect(steered.depthTokens).to.deep.equal(planned.depthTokens);
    expect(steered.actions).not.to.deep.equal(planned.actions);
    // Overriding with the planned trace itself changes nothing.
    const same = await backend.step(input({ traceOverride: planned.trace }));
    expect(same.actions).to.deep.equal(planned.actions);
  });

  it('rejects an override with the wrong point count or out of range', async () => {
    const four = { x: [0, 1, 2, 3], y: [0, 1, 2, 3] };
    expect(await rejection(backend.step(input({ traceOverride: four })))).to.be.instanceOf(OutputRejected);
    const outside = { x: [0, 1, 2, 3, 300], y: [0, 1, 2, 3, 4] };
    const err = await rejection(backend.step(input({ traceOverride: outside })));
    expect(err).to.be.instanceOf(OutputRejected);
    expect(err.message).to.match(/x\[4\] is 300/);
  });

  it('rejects joint positions of the wrong length', async () => {
    const err = await rejection(backend.step(input({ proprio: new Float32Array(6) })));
    expect(err.message).to.match(/proprio has 6 values, the model expects 7/);
  });

  it('runs the bare sessions to the same logits as a step', async () => {
    const tiny = backend as OnnxBackend;
    const step = await tiny.step(input());
    const bare = await tiny.runBare(await tiny.prepare(input()));
    expect(bare.traceLogits).to.be.instanceOf(Float32Array);
    expect(decodeActionLogits(bare.actionLogits, [1, 8, 7, 256], manifest.action, manifest.statistics)).to.deep.equal(step.actions);
    const override = { x: [20, 60, 100, 140, 180], y: [230, 200, 170, 140, 110] };
    const steered = await tiny.step(input({ traceOverride: override }));
    const bareSteered = await tiny.runBare(await tiny.prepare(input({ traceOverride: override })));
    expect(bareSteered.traceLogits).to.equal(undefined);
    expect(decodeActionLogits(bareSteered.actionLogits, [1, 8, 7, 256], manifest.action, manifest.statistics)).to.deep.equal(
      steered.actions,
    );
  });

  it('rejects the NaN actions of the nan-act model', async () => {
    const nan = await createBackend(await loadManifest('test/fixtures/models/nan-act'));
    try {
      const err = await rejection(nan.step(input()));
      expect(err).to.be.instanceOf(OutputRejected);
      expect(err.message).to.match(/action_logits\[\d+\] is NaN/);
    } finally {
      await nan.dispose();
    }
  });

  it('names the file of a corrupt graph', async () => {
    const corrupt = path.join(tmp, 'corrupt.onnx');
    await writeFile(corrupt, Buffer.from('this is not an onnx model'));
    const dir = await variant('corrupt', (d) => (d.graphs.plan = corrupt));
    const err = await rejection(createBackend(await loadManifest(dir)));
    expect(err).to.be.instanceOf(ModelLoadError);
    expect(err.message).to.contain(corrupt).and.contain('cannot load the ONNX graph');
  });

  it('names the file of a graph that breaks the contract', async () => {
    const dir = await variant('swapped', (d) => (d.graphs.act = d.graphs.plan));
    const err = await rejection(createBackend(await loadManifest(dir)));
    expect(err).to.be.instanceOf(ModelLoadError);
    expect(err.message).to.contain(path.join(TEST_TINY, 'plan.onnx'));
    expect(err.message).to.match(/graph inputs are \[features, instruction, proprio\], expected \[features, proprio, trace\]/);
  });

  it('refuses a manifest whose sizes disagree with the graphs', async () => {
    const dir = await variant('proprio6', (d) => {
      d.proprio.dim = 6;
    });
    const err = await rejection(createBackend(await loadManifest(dir)));
    expect(err).to.be.instanceOf(ModelLoadError);
    expect(err.message).to.match(/proprio has shape \[1, 7\], the manifest implies \[1, 6\]/);
  });

  it('reports a graph deleted after the manifest was read', async () => {
    const dir = await variant('deleted', () => {});
    const m = onnxManifest(await loadManifest(dir));
    const gone = path.join(tmp, 'gone.onnx');
    m.graphs!.act = gone;
    const err = await rejection(createBackend(m));
    expect(err).to.be.instanceOf(ModelLoadError);
    expect(err.message).to.contain(gone);
  });
});
