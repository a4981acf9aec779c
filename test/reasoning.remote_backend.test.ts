import { expect } from 'chai';
import sharp from 'sharp';
import { remoteManifest, type RemoteManifest } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { RemoteBackend } from '../src/inference/remote/remote_backend.js';
import { RemoteError } from '../src/inference/remote/http.js';
import { SyntheticServer, type Fault } from '../src/inference/remote/synthetic_server.js';
import { OutputRejected } from '../src/core/model/decode.js';
import { decodeNdArray } from '../src/inference/remote/json_numpy.js';
import type { BackendInput, RgbImage } from '../src/core/model/types.js';

/** A 640x480 frame with a horizontal gradient, so crops and turns show. */
function frame(width = 640, height = 480): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round((255 * x) / (width - 1));
      data[i + 1] = Math.round((255 * y) / (height - 1));
      data[i + 2] = 40;
    }
  }
  return { width, height, data };
}

const remoteManifestOf = async (dir: string): Promise<RemoteManifest> => remoteManifest(await loadManifest(dir));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the step to fail');
}

describe('reasoning/remote_backend against a synthetic server over HTTP', function () {
  this.timeout(20_000);
  let server: SyntheticServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  describe('molmoact-text (molmoact-7b-d)', () => {
    let manifest: RemoteManifest;
    before(async () => {
      manifest = await remoteManifestOf('models/molmoact-7b-d');
    });
    const input = (): BackendInput => ({ rgb: frame(), instruction: 'put the spoon on the towel', proprio: new Float32Array(6) });

    it('sends the image first and upstream prompt, greedy and not streamed, and reads depth, trace and action', async () => {
      server = await SyntheticServer.start({ manifest });
      const backend = new RemoteBackend(manifest, { server: server.url });
      const out = await backend.step(input());
      const body = server.requests[0].body as any;
      expect(body.model).to.equal('allenai/MolmoAct-7B-D-Pretrain-0812');
      expect(body.temperature).to.equal(0);
      expect(body.max_tokens).to.equal(256);
      expect(body.stream).to.equal(false);
      const [image, text] = body.messages[0].content;
      expect(image.type).to.equal('image_url');
      expect(text).to.deep.equal({
        type: 'text',
        text:
          'The task is put the spoon on the towel. What is the action that the robot should take. To figure out the action that the robot ' +
          "should take to put the spoon on the towel, let's think through it step by step. First, what is the depth map for this image? " +
          'Second, what is the trajectory of the end effector? Based on the depth map of the image and the trajectory of the end effector, ' +
          'what is the action that the robot should take?',
      });
      const png = Buffer.from(image.image_url.url.replace(/^data:image\/png;base64,/, ''), 'base64');
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).to.deep.equal(['png', 256, 256]);

      expect(out.depthTokens).to.have.length(100);
      expect(out.actions).to.have.length(1);
      expect(out.actions[0]).to.have.length(7);
      expect(out.actions[0][6]).to.be.closeTo(0.996, 0.001); // the gripper as its raw bin value: open
      expect(out.trace.x).to.have.length(5);
      // No crop: a trace over the 256x256 image is the same fraction of the frame.
      expect(out.trace.x[0]).to.be.closeTo(128, 1e-9);
      expect(out.answer).to.contain('<DEPTH_START>');
      expect(out.timings.server).to.be.a('number');
    });

    it('steers: draws the trace onto the image in cyan and asks the steering prompt', async () => {
      server = await SyntheticServer.start({ manifest });
      const backend = new RemoteBackend(manifest, { server: server.url });
      const traceOverride = { x: [20, 80, 140, 200, 235], y: [128, 128, 128, 128, 128] };
      const out = await backend.step({ ...input(), traceOverride });
      expect(out.traceOverridden).to.equal(true);
      expect(out.trace).to.deep.equal(traceOverride);
      const body = server.requests[0].body as any;
      expect(body.messages[0].content[1].text).to.equal(
        'The task is put the spoon on the towel. Notice that the trajectory of the end effector is annotated on the image. ' +
          'Based on the trajectory annotated on the image, what is the action that the robot should take?',
      );
      const png = Buffer.from(body.messages[0].content[0].image_url.url.split(',')[1], 'base64');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
      // On the line (y = 128 of 255 -> row 128 of 256): cyan. Far from it: the frame's gradient.
      expect(at(128, 128)).to.deep.equal([0, 255, 255]);
      expect(at(128, 20)[2]).to.equal(40);
    });

    it('refuses a trace of the wrong length before any request', async () => {
      server = await SyntheticServer.start({ manifest });
      const backend = new RemoteBackend(manifest, { server: server.url });
      const err = await failure(backend.step({ ...input(), traceOverride: { x: [1, 2], y: [3, 4] } }));
      expect(err.message).to.match(/expected 5 points/);
      expect(server.requests).to.have.length(0);
    });

    const refused: [Fault, string, RegExp][] = [
      ['truncated', 'rejected', /cut off at max_tokens \(finish_reason "length"\)/],
      ['unknown_token', 'OutputRejected', /"xyz€" is not an action string/],
      ['wrong_dim', 'OutputRejected', /has 6 values, expected 7/],
      ['no_depth', 'OutputRejected', /no depth map/],
      ['http_error', 'http', /HTTP 500.*CUDA out of memory/],
      ['garbage', 'protocol', /not JSON: "<html>/],
      ['disconnect', 'disconnected', /broke during the answer/],
    ];
    for (const [fault, kind, message] of refused) {
      it(`fails the step on a server fault '${fault}' (${kind}), with a clear message`, async () => {
        server = await SyntheticServer.start({ manifest, fault });
        const backend = new RemoteBackend(manifest, { server: server.url });
        const err = await failure(backend.step(input()));
        if (kind === 'OutputRejected') expect(err).to.be.instanceOf(OutputRejected);
        else expect((err as RemoteError).code).to.equal(kind);
        expect(err.message).to.match(message);
      });
    }
  });

  describe('failures of the server: timeout, refused connection, back-off', () => {
    it('aborts a stalled request at the timeout, then pauses requests, and a good answer ends the pause', async () => {
      const manifest = await remoteManifestOf('models/molmoact2-droid');
      server = await SyntheticServer.start({ manifest, fault: 'stall' });
      let now = 0;
      const backend = new RemoteBackend(manifest, { server: server.url, timeoutMs: 300, backoffMaxMs: 2000 }, () => now);
      const ready = Float32Array.from([0, -0.785, 0, -2.356, 0, 1.571, 0.785, 1]);
      const step = () => backend.step({ rgb: frame(), extraImages: [frame(320, 240)], instruction: 'x', proprio: ready });
      const started = performance.now();
      const timeout = (await failure(step())) as RemoteError;
      expect(timeout.code).to.equal('timeout');
      expect(timeout.message).to.match(/within 0\.3 s \(remote_timeout_s\)/);
      expect(performance.now() - started).to.be.within(250, 2000);
      // Within the back-off: no request at all.
      const requests = server.requests.length;
      now = 100;
      expect(((await failure(step())) as RemoteError).code).to.equal('backoff');
      expect(server.requests.length).to.equal(requests);
      // After it: a new request, which stalls again; the pause doubles (0.5 s, then 1 s).
      now = 600;
      expect(((await failure(step())) as RemoteError).code).to.equal('timeout');
      now = 1500;
      expect(((await failure(step())) as RemoteError).code).to.equal('backoff');
      now = 1700;
      server.fault = 'none';
      const ok = await step();
      expect(ok.actions.length).to.be.at.least(1);
      now = 1701;
      await step(); // no back-off after a good answer
    });

    it('says when the server cannot be reached', async () => {
      const manifest = await remoteManifestOf('models/molmoact2-droid');
      server = await SyntheticServer.start({ manifest });
      const url = server.url;
      await server.close();
      server = null;
      const backend = new RemoteBackend(manifest, { server: url });
      const err = (await failure(backend.step({ rgb: frame(), extraImages: [frame()], instruction: 'x', proprio: new Float32Array(8) }))) as RemoteError;
      expect(err.code).to.equal('connection');
      expect(err.message).to.match(/cannot reach http:\/\/127\.0\.0\.1:\d+\/act: ECONNREFUSED/);
    });
  });

  describe('act-json (molmoact2-droid)', () => {
    let manifest: RemoteManifest;
    before(async () => {
      manifest = await remoteManifestOf('models/molmoact2-droid');
    });
    const proprio = Float32Array.from([0, -0.785, 0, -2.356, 0, 1.571, 0.785, 0.75]); // gripper 75 % open
    const input = (): BackendInput => ({ rgb: frame(), extraImages: [frame(424, 240)], instruction: 'pick up the cup', proprio });

    it('sends both cameras, the state (gripper as DROID writes it) and the instruction; reads the chunk', async () => {
      server = await SyntheticServer.start({ manifest });
      const backend = new RemoteBackend(manifest, { server: server.url });
      const out = await backend.step(input());
      const body = server.requests[0].body as Record<string, unknown>;
      expect(Object.keys(body).sort()).to.deep.equal(['external_cam', 'instruction', 'state', 'wrist_cam']);
      expect(decodeNdArray(body.external_cam, 'external_cam').shape).to.deep.equal([180, 320, 3]);
      expect(decodeNdArray(body.wrist_cam, 'wrist_cam').shape).to.deep.equal([180, 320, 3]);
      expect(body.instruction).to.equal('pick up the cup');
      const state = Array.from(decodeNdArray(body.state, 'state').values);
      expect(state.slice(0, 7)).to.deep.equal(Array.from(proprio.slice(0, 7)));
      expect(state[7]).to.be.closeTo(0.25, 1e-6); // closed_is_1: 1 - opening
      expect(out.actions).to.have.length(15);
      expect(out.actions[0]).to.have.length(8);
      expect(out.actions[0][3]).to.be.closeTo(-2.356, 0.05);
      expect(out.depthTokens).to.deep.equal([]);
      expect(out.timings.server_inference).to.equal(0);
    });

    it('refuses a trace override: the protocol takes none', async () => {
      server = await SyntheticServer.start({ manifest });
      const backend = new RemoteBackend(manifest, { server: server.url });
      const err = await failure(backend.step({ ...input(), traceOverride: { x: [1, 2, 3, 4, 5], y: [1, 2, 3, 4, 5] } }));
      expect(err.message).to.match(/takes no trace: steering is not available/);
      expect(server.requests).to.have.length(0);
    });

    const refused: [Fault, RegExp][] = [
      ['not_finite', /actions\[0\]\[0\] is NaN/],
      ['out_of_bounds', /actions\[14\]\[0\] is 12\.897\d*, outside the model's bounds \[-2\.8973, 2\.8973\]/],
      ['wrong_dim', /shape \[15, 7\], expected \[N, 8\]/],
      ['http_error', /HTTP 500/],
    ];
    for (const [fault, message] of refused) {
      it(`refuses the answer of fault '${fault}'`, async () => {
        server = await SyntheticServer.start({ manifest, fault });
        const backend = new RemoteBackend(manifest, { server: server.url });
        expect((await failure(backend.step(input()))).message).to.match(message);
      });
    }
  });
});

describe('reasoning/remote_backend: the remote_server parameter', () => {
  it('takes scheme://host:port and refuses anything else when the model loads', async () => {
    const manifest = await remoteManifestOf('models/molmoact2-droid');
    expect(new RemoteBackend(manifest, { server: 'http://gpu-box:8101/' }).url).to.equal('http://gpu-box:8101/act');
    expect(new RemoteBackend(manifest, {}).url).to.equal('http://127.0.0.1:8000/act');
    for (const bad of ['gpu-box:8000', 'ftp://gpu-box', 'http://gpu-box:8000/act', 'not a url']) {
      expect(() => new RemoteBackend(manifest, { server: bad }), bad).to.throw(/remote_server: expected a server address/);
    }
  });
});
