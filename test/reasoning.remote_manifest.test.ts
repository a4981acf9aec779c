import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { ManifestError, remoteManifest, type RemoteManifest } from '../src/core/model/manifest.js';
import { loadManifest } from '../src/inference/load_manifest.js';
import { binCentres, unnormalise } from '../src/core/model/decode.js';
import { summarizeModel } from '../src/core/model/model_summary.js';

const CARDS = ['models/molmoact-7b-d', 'models/molmoact-7b-d-libero-spatial', 'models/molmoact2-droid'];

const remote = async (dir: string): Promise<RemoteManifest> => remoteManifest(await loadManifest(dir));

describe('reasoning/manifest: remote models', () => {
  it('loads the three model cards with their protocol, server, cameras and robot', async () => {
    const v1 = await remote('models/molmoact-7b-d');
    expect(v1.remote.protocol).to.equal('molmoact-text');
    expect(v1.remote.server).to.equal('http://127.0.0.1:8000');
    expect(v1.remote.path).to.equal('/v1/chat/completions');
    expect(v1.cameras).to.deep.equal([{ name: 'primary', topic: null, width: 256, height: 256, cropArea: 1, rotate180: false }]);
    expect(v1.robot).to.equal('wx250s');
    expect(v1.statistics!.mask[6]).to.equal(false);
    const libero = await remote('models/molmoact-7b-d-libero-spatial');
    expect(libero.cameras[1]).to.deep.equal({ name: 'wrist', topic: 'wrist_camera/color/image_raw', width: 256, height: 256, cropArea: 0.9, rotate180: true });
    expect(libero.action.scale).to.deep.equal([0.05, 0.05, 0.05, 0.5, 0.5, 0.5, 1]);
    const droid = await remote('models/molmoact2-droid');
    expect(droid.remote.protocol).to.equal('act-json');
    expect(droid.statistics).to.equal(null);
    expect(droid.depth).to.equal(null);
    expect(droid.proprio).to.deep.equal({ dim: 8, gripper: true, gripperConvention: 'closed_is_1' });
    expect(droid.action.gripper).to.equal(7);
    const summary = summarizeModel(droid, 'http://gpu-box:8101');
    expect(summary.remote).to.deep.equal({ protocol: 'act-json', url: 'http://gpu-box:8101/act' });
    expect(summary.extraCameras).to.deep.equal([{ name: 'wrist', topic: 'wrist_camera/color/image_raw' }]);
    expect(summary.steeringUnavailable).to.match(/takes no trace/);
    expect(summarizeModel(v1).steeringUnavailable).to.equal(null);
  });

  it('gives each molmoact-text card bounds that every bin can decode into', async () => {
    const centres = binCentres(256);
    for (const dir of CARDS) {
      const m = await remote(dir);
      if (!m.statistics) continue;
      for (const n of [centres[0], centres[centres.length - 1]]) {
        unnormalise(Array(m.action.dim).fill(n), m.statistics).forEach((value, j) => {
          expect(value, `${dir} dim ${j}`).to.be.within(m.action.bounds!.min[j], m.action.bounds!.max[j]);
        });
      }
    }
  });

  describe('refuses, naming the field', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'remote-manifest-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('keeps request fields named like JavaScript object properties as plain fields', async () => {
      const doc = parse(await readFile(path.join('models/molmoact2-droid', 'manifest.yaml'), 'utf8'));
      doc.remote.request.extra = JSON.parse('{"__proto__": "kept", "constructor": 1, "toString": true}');
      await writeFile(path.join(dir, 'manifest.yaml'), stringify(doc));
      const manifest = await remote(dir);
      if (manifest.remote.protocol !== 'act-json') throw new Error('expected act-json');
      const extra = manifest.remote.act.extra;
      expect(Object.keys(extra)).to.have.members(['__proto__', 'constructor', 'toString']);
      expect(Object.getOwnPropertyDescriptor(extra, '__proto__')?.value).to.equal('kept');
      expect(({} as Record<string, unknown>).kept).to.equal(undefined);
    });

    const cases: [string, string, (d: any) => void, string, RegExp][] = [
      ['no bounds', 'models/molmoact2-droid', (d) => delete d.action.bounds, 'action.bounds', /a remote model needs bounds/],
      ['statistics for act-json', 'models/molmoact2-droid', (d) => (d.statistics = { q01: [], q99: [], mask: [] }), 'statistics', /not used by act-json/],
      ['no statistics for molmoact-text', 'models/molmoact-7b-d', (d) => delete d.statistics, 'statistics', /answers are bins/],
      ['an image key too few', 'models/molmoact2-droid', (d) => d.remote.request.images.pop(), 'remote.request.images', /one key per camera \(2\), got 1/],
      ['a key used twice', 'models/molmoact2-droid', (d) => (d.remote.request.state = 'instruction'), 'remote.request', /"instruction" is used twice/],
      ['a server with a path', 'models/molmoact2-droid', (d) => (d.remote.server = 'http://gpu:8000/act'), 'remote.server', /scheme:\/\/host:port only/],
      ['a server without a scheme', 'models/molmoact2-droid', (d) => (d.remote.server = 'gpu:8000'), 'remote.server', /http:\/\/ or https:\/\//],
      ['a prompt without {instruction}', 'models/molmoact-7b-d', (d) => (d.remote.prompt.reason = 'What now?'), 'remote.prompt.reason', /placeholder \{instruction\}/],
      ['an unknown protocol field', 'models/molmoact-7b-d', (d) => (d.remote.temprature = 0), 'remote.temprature', /unknown field/],
      ['an unknown protocol', 'models/molmoact-7b-d', (d) => (d.remote.protocol = 'grpc'), 'remote.protocol', /molmoact-text, act-json/],
      ['a trace colour past 255', 'models/molmoact-7b-d', (d) => (d.remote.trace_line.color = [0, 256, 0]), 'remote.trace_line.color[1]', /\[0, 255\]/],
      ['a topic on the first camera', 'models/molmoact2-droid', (d) => (d.cameras[0].topic = '/cam'), 'cameras[0].topic', /main colour camera/],
      ['a further camera without topic', 'models/molmoact2-droid', (d) => delete d.cameras[1].topic, 'cameras[1].topic', /missing/],
      ['two cameras of one name', 'models/molmoact2-droid', (d) => (d.cameras[1].name = 'exterior'), 'cameras[1].name', /duplicate/],
      ['no cameras', 'models/molmoact2-droid', (d) => delete d.cameras, 'cameras', /missing/],
      ['a crop of nothing', 'models/molmoact2-droid', (d) => (d.cameras[0].crop_area = 0), 'cameras[0].crop_area', /\[0.05, 1\]/],
      ['bounds upside down', 'models/molmoact2-droid', (d) => (d.action.bounds.min[0] = 3), 'action.bounds.min[0]', /<= action.bounds.max\[0\]/],
      ['a zero scale', 'models/molmoact2-droid', (d) => (d.action.scale = [1, 1, 1, 1, 1, 1, 1, 0]), 'action.scale[7]', /positive/],
      ['a gripper convention without gripper', 'models/molmoact2-droid', (d) => (d.proprio.gripper = false), 'proprio.gripper_convention', /only allowed with gripper: true/],
      ['a prototype key as protocol', 'models/molmoact2-droid', (d) => (d.remote.protocol = 'constructor'), 'remote.protocol', /one of/],
    ];
    for (const [what, card, edit, field, detail] of cases) {
      it(what, async () => {
        const doc = parse(await readFile(path.join(card, 'manifest.yaml'), 'utf8'));
        edit(doc);
        await writeFile(path.join(dir, 'manifest.yaml'), stringify(doc));
        let error: unknown;
        try {
          await loadManifest(dir);
        } catch (err) {
          error = err;
        }
        expect(error, 'a ManifestError').to.be.instanceOf(ManifestError);
        expect((error as ManifestError).field).to.equal(field);
        expect((error as Error).message).to.match(detail);
      });
    }
  });
});
