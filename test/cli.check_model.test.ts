import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { molmoactRos, molmoactRosAsync } from './support/cli.js';
import { remoteManifest } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { SyntheticServer } from '../src/inference/remote/synthetic_server.js';

async function serve(dir: string, fault: 'none' | 'unknown_token' = 'none'): Promise<SyntheticServer> {
  return SyntheticServer.start({ manifest: remoteManifest(await loadManifest(dir)), fault });
}

describe('molmoact-ros check-model (a real HTTP server on this machine)', function () {
  this.timeout(60_000);
  let server: SyntheticServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('prints the reasoning, the round trip and the command, and one JSON line (act-json)', async () => {
    server = await serve('models/molmoact2-droid');
    const run = await molmoactRosAsync('check-model', '--model', 'models/molmoact2-droid', '--server', server.url, '--instruction', 'put the marker in the cup', '--json');
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/action chunk \(15 x 8, robot units\)/);
    expect(run.stdout).to.match(/round trip [\d.]+ ms: server [\d.]+ ms, node [\d.]+ ms/);
    expect(run.stdout).to.match(/command \(execution_policy open_loop, from the rest posture\): 15 points/);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.ok).to.equal(true);
    expect(result.actions).to.have.length(15);
    expect(result.actions[0]).to.have.length(8);
    expect(result.depth_tokens).to.deep.equal([]);
    expect(result.trace).to.deep.equal({ x: [], y: [] });
    expect(result.round_trip_ms).to.be.a('number');
    expect((server.requests[0].body as { instruction: string }).instruction).to.equal('put the marker in the cup');
  });

  it('shows depth tokens and the trace of a molmoact-text model, from an image file', async () => {
    server = await serve('models/molmoact-7b-d');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'check-model-'));
    const file = path.join(dir, 'frame.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 140, b: 60 } } }).png().toFile(file);
    const run = await molmoactRosAsync('check-model', '--model', 'models/molmoact-7b-d', '--server', server.url, '--image', file, '--json');
    await rm(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.depth_tokens).to.have.length(100);
    expect(result.trace.x).to.have.length(5);
    expect(result.answer).to.contain('<DEPTH_START>');
    expect(result.command.ok).to.equal(true);
  });

  it('exits 1 with the reason when the answer is refused or the server cannot be reached', async () => {
    server = await serve('models/molmoact-7b-d', 'unknown_token');
    const refused = await molmoactRosAsync('check-model', '--model', 'models/molmoact-7b-d', '--server', server.url, '--json');
    expect(refused.status).to.equal(1);
    expect(refused.stdout).to.match(/PROBLEM: OutputRejected: action 0 value 0 "xyz€" is not an action string/);
    expect(JSON.parse(refused.stdout.trim().split('\n').at(-1)!).ok).to.equal(false);
    const url = server.url;
    await server.close();
    server = null;
    const unreachable = await molmoactRosAsync('check-model', '--model', 'models/molmoact2-droid', '--server', url);
    expect(unreachable.status).to.equal(1);
    expect(unreachable.stdout).to.match(/PROBLEM: RemoteError: cannot reach .*ECONNREFUSED/);
  });

  it('exits 2 on a usage error, in one line', () => {
    for (const argv of [['check-model'], ['check-model', '--model', 'models/nowhere'], ['check-model', '--model', 'models/molmoact2-droid', '--robot', 'hal9000']]) {
      const run = molmoactRos(...argv);
      expect(run.status, argv.join(' ')).to.equal(2);
      expect(run.stderr.trim().split('\n')).to.have.length(1);
    }
    const bad = molmoactRos('serve-synthetic', '--model', 'models/test-tiny');
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/backend is onnx, not remote/);
  });
});
