import { expect } from 'chai';
import { waitFor } from './support/wait.js';
import { Worker, markAsUntransferable } from 'node:worker_threads';
import { Reasoner, ReasonerInitError } from '../src/inference/reasoner.js';
import type { WorkerError } from '../src/inference/worker_protocol.js';
import type { ReasoningStep } from '../src/core/model/types.js';
import { SyntheticCamera } from '../src/apps/sim/synthetic_camera.js';
import { resolvePackagePath } from '../src/config/package_root.js';

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
const TASK = { instruction: 'pick up the red block' };

describe('Reasoner (onnxruntime inside the worker thread)', function () {
  this.timeout(60_000);
  const steps: ReasoningStep[] = [];
  const errors: { kind: string; error: WorkerError }[] = [];
  let reasoner: Reasoner;

  function make(modelDir = resolvePackagePath('models/test-tiny'), stepTimeoutMs?: number): Reasoner {
    steps.length = 0;
    errors.length = 0;
    reasoner = new Reasoner({
      init: { modelDir, proprio: { jointNames: JOINTS, gripper: null }, backend: { intraOpThreads: 1 } },
      handlers: { onStep: (s) => steps.push(s), onError: (kind, error) => errors.push({ kind, error }) },
      stepTimeoutMs,
      restartDelayMs: 20,
    });
    return reasoner;
  }

  afterEach(async () => {
    await reasoner?.close();
  });

  it('moves the colour image to the worker instead of copying it, keeps depth here and lifts the trace with it', async () => {
    await make().start();
    const frame = new SyntheticCamera(JOINTS).nextFrame();
    const rgbBuffer = frame.rgb.data.buffer;
    const depthBytes = frame.depth.data.byteLength;
    expect(reasoner.submit(frame, TASK)).to.equal('started');
    // Transferred: the main thread's colour buffer is detached at once; depth never leaves.
    expect(rgbBuffer.byteLength).to.equal(0);
    expect(frame.depth.data.byteLength).to.equal(depthBytes);
    await waitFor('step', () => steps.length === 1);
    expect(reasoner.stats.transferred).to.equal(1);
    expect(reasoner.stats.copied).to.equal(0);
    expect(steps[0].actions).to.have.length(8);
    // Each trace point lifted from the depth image under it: the synthetic table lies ahead of the camera.
    expect(steps[0].trace3d).to.have.length(steps[0].tracePixels.length);
    for (const point of steps[0].trace3d) expect(point!.z).to.be.above(0.1);
    expect(steps[0].timings.lift).to.be.a('number');
  });

  it('sends the depth image along only with a frame whose depth picture is asked for', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    const images: { depthImage?: unknown }[] = [];
    (reasoner as unknown as { options: { handlers: { onImages(i: unknown): void } } }).options.handlers.onImages = (i) => images.push(i as { depthImage?: unknown });
    const frame = camera.nextFrame();
    const depthBytes = frame.depth.data.byteLength;
    reasoner.submit(frame, TASK, { traceImage: false, depthImage: true });
    await waitFor('depth picture', () => images.length === 1);
    expect(images[0].depthImage).to.be.an('object');
    // The worker got a copy: this side still reads the depth image to lift the trace.
    expect(frame.depth.data.byteLength).to.equal(depthBytes);
    expect(reasoner.stats).to.include({ transferred: 2, copied: 0 });
    expect(errors).to.deep.equal([]);
    expect(steps[0].trace3d.every((point) => point !== null)).to.equal(true);
  });

  it('refuses a frame with a malformed depth image before the model runs, and goes on with the next', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    const bad = camera.nextFrame();
    bad.depth = { ...bad.depth, data: bad.depth.data.subarray(0, 100) };
    expect(reasoner.submit(bad, TASK)).to.equal('rejected');
    expect(errors).to.have.length(1);
    expect(errors[0].kind).to.equal('step');
    expect(errors[0].error.message).to.match(/depth|bytes|data/i);
    expect(reasoner.stats.failed).to.equal(1);
    // Nothing went to the worker: its colour buffer is still here.
    expect(bad.rgb.data.byteLength).to.be.above(0);
    expect(reasoner.submit(camera.nextFrame(), TASK)).to.equal('started');
    await waitFor('step', () => steps.length === 1);
  });

  it('copies once an image that is a view into a larger buffer, and leaves that buffer alone', async () => {
    await make().start();
    const frame = new SyntheticCamera(JOINTS).nextFrame();
    const pool = new Uint8Array(frame.rgb.data.length + 64);
    pool.set(frame.rgb.data, 64);
    frame.rgb.data = pool.subarray(64);
    const poolBytes = pool.byteLength;
    reasoner.submit(frame, TASK);
    expect(pool.byteLength).to.equal(poolBytes);
    expect(pool[64]).to.equal(new SyntheticCamera(JOINTS).nextFrame().rgb.data[0]);
    await waitFor('step', () => steps.length === 1);
    expect(reasoner.stats.copied).to.equal(1);
  });

  it('reasons about a frame whose buffer cannot be moved (memory the middleware owns), copying it', async () => {
    await make().start();
    const frame = new SyntheticCamera(JOINTS).nextFrame();
    const firstPixel = frame.rgb.data[0];
    markAsUntransferable(frame.rgb.data.buffer);
    expect(reasoner.submit(frame, TASK)).to.equal('started');
    await waitFor('step', () => steps.length === 1);
    expect(errors).to.deep.equal([]);
    expect(reasoner.stats.copied).to.equal(1);
    expect(reasoner.stats.transferred).to.equal(0);
    expect(frame.rgb.data[0]).to.equal(firstPixel);
  });

  for (const pictures of [false, true]) {
    it(`copies frames it cannot move into buffers the worker gives back${pictures ? ', also while drawing the pictures' : ''}`, async () => {
      await make().start();
      const camera = new SyntheticCamera(JOINTS);
      const render = { traceImage: pictures, depthImage: pictures };
      const images: unknown[] = [];
      (reasoner as unknown as { options: { handlers: { onImages(i: unknown): void } } }).options.handlers.onImages = (i) => images.push(i);
      for (let k = 1; k <= 4; k++) {
        const frame = camera.nextFrame();
        const own = [frame.rgb.data, frame.depth.data];
        const firstPixels = own.map((data) => data[0]);
        // As rclnodejs hands them over: buffers Node cannot detach.
        own.forEach((data) => markAsUntransferable(data.buffer));
        reasoner.submit(frame, TASK, render);
        await waitFor(`step ${k}`, () => steps.length === k);
        if (pictures) await waitFor(`pictures ${k}`, () => images.length === k);
        expect(errors).to.deep.equal([]);
        // The middleware's buffers are left as they were.
        expect(own.map((data) => data[0])).to.deep.equal(firstPixels);
      }
      // The first frame's colour was cloned by Node; from the second on each image sent is copied
      // here, and from the third on into a buffer of an earlier frame. Without pictures only colour
      // is sent (depth stays here); with them depth too (the first frame's as a copy made for the
      // worker, moved), and the trace image drawn on the colour frame leaves with the pictures, so
      // only depth comes back.
      expect(reasoner.stats.transferred).to.equal(pictures ? 1 : 0);
      expect(reasoner.stats.copied).to.equal(pictures ? 7 : 4);
      expect(reasoner.stats.reused).to.equal(2);
      // Each step reasoned about its own frame.
      expect(new Set(steps.map((s) => s.stamp.sec * 1e9 + s.stamp.nanosec)).size).to.equal(4);
    });
  }

  it('hands each frame its own buffers while the previous frame\'s pictures are still being drawn', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    const pictures: { stamp: { sec: number; nanosec: number } }[] = [];
    (reasoner as unknown as { options: { handlers: { onImages(i: { stamp: { sec: number; nanosec: number } }): void } } }).options.handlers.onImages = (i) => pictures.push(i);
    const frames = Array.from({ length: 6 }, () => camera.nextFrame());
    for (const frame of frames) for (const image of [frame.rgb, frame.depth]) markAsUntransferable(image.data.buffer);
    // Each next frame goes as soon as the step is back, while the worker still draws the last one's pictures.
    for (const [k, frame] of frames.entries()) {
      reasoner.submit(frame, TASK, { traceImage: true, depthImage: true });
      await waitFor(`step ${k + 1}`, () => steps.length === k + 1);
    }
    await waitFor('all pictures', () => pictures.length === frames.length);
    expect(errors).to.deep.equal([]);
    expect(steps.map((s) => s.stamp)).to.deep.equal(frames.map((f) => f.stamp));
    expect(pictures.map((p) => p.stamp)).to.deep.equal(frames.map((f) => f.stamp));
    // Every image copied: the first frame's colour by Node's clone and its depth for the worker
    // (then moved), the others into buffers here.
    expect(reasoner.stats.copied).to.equal(11);
    expect(reasoner.stats.transferred).to.equal(1);
    // Only depth comes back (colour leaves as the trace image), and only once its pictures are drawn.
    expect(reasoner.stats.reused).to.be.within(1, 4);
  });

  it('keeps at most one step in flight: a newer frame replaces the waiting one, and is counted', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    const frames = [camera.nextFrame(), camera.nextFrame(), camera.nextFrame()];
    expect(reasoner.submit(frames[0], TASK)).to.equal('started');
    expect(reasoner.submit(frames[1], TASK)).to.equal('waiting');
    expect(reasoner.submit(frames[2], TASK)).to.equal('replaced');
    await waitFor('two steps', () => steps.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(steps.map((s) => s.stamp)).to.deep.equal([frames[0].stamp, frames[2].stamp]);
    expect(reasoner.stats.dropped).to.equal(1);
  });

  it('reports a malformed frame as a failed step and goes on', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    const broken = camera.nextFrame();
    broken.rgb = { ...broken.rgb, encoding: 'yuv422_weird' } as typeof broken.rgb;
    reasoner.submit(broken, TASK);
    await waitFor('error', () => errors.length === 1);
    expect(errors[0].kind).to.equal('step');
    expect(errors[0].error.code).to.equal('unknown_encoding');
    reasoner.submit(camera.nextFrame(), TASK);
    await waitFor('step', () => steps.length === 1);
  });

  it('restarts a worker that died and reasons again', async () => {
    await make().start();
    const camera = new SyntheticCamera(JOINTS);
    // Kill the worker thread from outside, as a native crash would.
    const worker = (reasoner as unknown as { worker: Worker }).worker;
    await worker.terminate();
    await waitFor('restart', () => reasoner.stats.restarts === 1 && reasoner.isReady);
    expect(errors.some((e) => e.kind === 'worker' && /restarting/.test(e.error.message))).to.equal(true);
    reasoner.submit(camera.nextFrame(), TASK);
    await waitFor('step after restart', () => steps.length === 1);
  });

  it('replaces a worker whose step hangs past the timeout', async () => {
    await make(resolvePackagePath('models/test-tiny'), 1).start();
    reasoner.submit(new SyntheticCamera(JOINTS).nextFrame(), TASK);
    await waitFor('timeout', () => errors.some((e) => /longer than 1 ms/.test(e.error.message)));
    expect(reasoner.stats.failed).to.equal(1);
    await waitFor('restart', () => reasoner.stats.restarts >= 1);
  });

  it('rejects start() when joint_names cannot feed the model its proprioception', async () => {
    const mismatched = new Reasoner({
      init: { modelDir: resolvePackagePath('models/test-tiny'), proprio: { jointNames: JOINTS.slice(0, 6), gripper: null }, backend: { intraOpThreads: 1 } },
      handlers: { onStep: () => undefined, onError: () => undefined },
    });
    let caught: unknown;
    try {
      await mismatched.start();
    } catch (err) {
      caught = err;
    }
    await mismatched.close();
    expect(caught).to.be.instanceOf(ReasonerInitError);
    expect((caught as Error).message).to.match(/proprio: the model takes 7 proprioception values, but joint_names gives 6 joint positions/);
  });

  it('rejects start() with a clear error when the model cannot be loaded', async () => {
    let caught: unknown;
    try {
      await make('/nonexistent/model').start();
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ReasonerInitError);
    expect((caught as Error).message).to.match(/cannot load the model.*nonexistent/);
  });
});
