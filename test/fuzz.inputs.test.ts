/**
 * Seeded fuzzing of everything the node reads from outside: images of every encoding, compressed
 * images, camera info, joint states, URDFs and model manifests, 10,000 malformed or random cases
 * each, then a mixed run of good and malformed sets through the node with actuation on.
 *
 * Each loader either returns something usable or throws its own typed error (MessageError,
 * UrdfError, ManifestError): anything else is a bug. No single case may take a second. Through
 * the node, no malformed set gives a command, and every good set after one is reasoned about and
 * commanded, also after a set stamped in the future and after the clock jumps back.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { parse as parseYaml } from 'yaml';
import { decodeColorImage, decodeDepthImage } from '../src/core/messages/image_codec.js';
import { liftTrace, PinholeCamera } from '../src/core/messages/camera_model.js';
import { jointMotion } from '../src/core/messages/joint_state.js';
import { MessageError } from '../src/core/messages/errors.js';
import type { CameraInfo, Image, JointState } from '../src/core/messages/types.js';
import { parseUrdf, UrdfError } from '../src/core/kinematics/urdf.js';
import { ManifestError } from '../src/core/model/manifest_fields.js';
import { parseManifest } from '../src/core/model/manifest.js';
import { decodeCompressedImage } from '../src/media/compressed_image.js';
import { resolvePackagePath } from '../src/config/package_root.js';
import { MolmoActNode } from '../src/apps/ros/molmoact_node.js';
import { SyntheticCamera } from '../src/apps/sim/synthetic_camera.js';
import { timeFromSeconds } from '../src/core/messages/time.js';
import { FakeGraph } from './support/fake_ros_graph.js';

const SEED = 20261206;
const CASES = 10_000;
const HEADER = { stamp: { sec: 1, nanosec: 0 }, frame_id: 'camera_color_optical_frame' };

/** Runs `body` on every case; fails on an error that is not `typed`, and on a case that takes a second or more. */
async function fuzz<T>(what: string, arbitrary: fc.Arbitrary<T>, typed: new (...args: never[]) => Error, body: (value: T) => unknown | Promise<unknown>) {
  let slowest = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const start = performance.now();
      try {
        await body(value);
      } catch (err) {
        if (!(err instanceof typed)) throw new Error(`${what}: untyped ${(err as Error)?.name}: ${(err as Error)?.message}`);
        refused++;
      } finally {
        slowest = Math.max(slowest, performance.now() - start);
      }
    }),
    { seed: SEED, numRuns: CASES },
  );
  expect(slowest, `${what}: the slowest case, ms`).to.be.below(1000);
  // The generators are meant to hit both outcomes.
  expect(refused, `${what}: refused cases`).to.be.above(0).and.below(CASES);
}

const awkwardNumbers = fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1.5, 2 ** 31, 2 ** 32, 1e9, 1e39, -1e308, 5e-324);
const sizes = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 24 }) }, { weight: 1, arbitrary: awkwardNumbers });
const encodings = fc.oneof(
  fc.constantFrom('rgb8', 'bgr8', 'rgba8', 'bgra8', 'mono8', 'mono16', '8UC3', '16UC1', '32FC1', 'RGB8', '16uc1'),
  fc.constantFrom('yuv422', 'bayer_rggb8', '', 'constructor', '__proto__', '__PROTO__', 'toString', 'hasOwnProperty'),
  fc.string({ maxLength: 8 }),
);

const images: fc.Arbitrary<Image> = fc
  .record({
    width: sizes,
    height: sizes,
    stepExtra: fc.oneof(fc.integer({ min: -8, max: 16 }), awkwardNumbers),
    bytesPerPixel: fc.constantFrom(1, 2, 3, 4),
    is_bigendian: fc.constantFrom(0, 1, 2, 255),
    encoding: encodings,
    lengthDelta: fc.integer({ min: -40, max: 8 }),
    seed: fc.integer(),
  })
  .map(({ width, height, stepExtra, bytesPerPixel, is_bigendian, encoding, lengthDelta, seed }) => {
    const step = Number.isInteger(width) && width >= 0 && width < 1e6 ? width * bytesPerPixel + stepExtra : stepExtra;
    const wanted = Number.isInteger(step) && Number.isInteger(height) && step > 0 && height > 0 && step * height < 1e5 ? step * height : 64;
    const data = new Uint8Array(Math.max(0, wanted + lengthDelta));
    for (let i = 0; i < data.length; i++) data[i] = (seed * (i + 7)) & 0xff;
    return { header: HEADER, width, height, step, is_bigendian, encoding, data };
  });

function cameraInfo(width: number, height: number, k: number[]): CameraInfo {
  return {
    header: HEADER,
    width,
    height,
    distortion_model: 'plumb_bob',
    d: [],
    k,
    r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [k[0] ?? 0, 0, k[2] ?? 0, 0, 0, k[4] ?? 0, k[5] ?? 0, 0, 0, 0, 1, 0],
    binning_x: 0,
    binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}

const intrinsic = fc.oneof(fc.double({ min: -2000, max: 2000 }), awkwardNumbers, fc.double());
const cameraInfos = fc
  .record({
    width: fc.oneof(fc.constantFrom(640, 1280, 16), sizes),
    height: fc.oneof(fc.constantFrom(480, 720, 16), sizes),
    k: fc.oneof(fc.array(intrinsic, { minLength: 9, maxLength: 9 }), fc.array(intrinsic, { maxLength: 12 })),
  })
  .map(({ width, height, k }) => cameraInfo(width, height, k));

const JOINTS = ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'];
const jointValue = fc.oneof({ weight: 5, arbitrary: fc.double({ min: -4, max: 4 }) }, { weight: 1, arbitrary: awkwardNumbers });
const jointStates: fc.Arbitrary<JointState> = fc
  .record({
    names: fc.oneof(fc.shuffledSubarray([...JOINTS, 'panda_finger_joint1', '__proto__', 'constructor']), fc.array(fc.string({ maxLength: 6 }), { maxLength: 9 })),
    positions: fc.array(jointValue, { maxLength: 10 }),
    velocities: fc.array(jointValue, { maxLength: 10 }),
  })
  .map(({ names, positions, velocities }) => ({ header: HEADER, name: names, position: positions, velocity: velocities, effort: [] }));

/** Text edits: remove a span, insert a troublesome snippet, or change a number. */
function mutations(snippets: string[]) {
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...snippets), fc.string({ maxLength: 12 })) }),
      fc.record({ kind: fc.constant('number' as const), at: fc.nat(), text: fc.constantFrom('NaN', '1e999', '-0', '1e-320', 'x', '', '0 0', '1 2 3 4') }),
    ),
    { minLength: 1, maxLength: 4 },
  );
}

function mutate(text: string, edits: { kind: 'cut' | 'insert' | 'number'; at: number; length?: number; text?: string }[]): string {
  let out = text;
  for (const edit of edits) {
    const at = edit.at % (out.length + 1);
    if (edit.kind === 'cut') out = out.slice(0, at) + out.slice(at + (edit.length ?? 1));
    else if (edit.kind === 'insert') out = out.slice(0, at) + edit.text + out.slice(at);
    else out = out.replace(/-?\d+(\.\d+)?/g, (m, _f, offset: number) => (offset >= at && offset < at + 40 ? edit.text! : m));
  }
  return out;
}

const URDF_SNIPPETS = [
  '<__proto__/>',
  '<link name="__proto__"/>',
  '<constructor/>',
  '<!DOCTYPE robot [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '<xacro:macro name="m"/>',
  '<link name="panda_link1"/>',
  '<joint name="panda_joint1" type="revolute"><parent link="panda_link7"/><child link="panda_link0"/><limit lower="0" upper="1" velocity="1"/></joint>',
  '<mimic joint="nowhere"/>',
  '<limit lower="1" upper="-1"/>',
  '<axis xyz="0 0 0"/>',
  '&amp;',
  '<![CDATA[',
  '"',
  '<',
];

const MANIFESTS = ['test/fixtures/models/ee-tiny', 'models/molmoact-tiny', 'models/molmoact-7b-d', 'models/molmoact2-droid'].map((dir) =>
  parseYaml(readFileSync(resolvePackagePath(`${dir}/manifest.yaml`), 'utf8')),
);

/** Every path to a value in a document, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

const strangeValues = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(NaN, Infinity, -1, 0, 1e308, '', '__proto__', 'constructor', [], {}, null),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}')),
);

const manifestEdits = fc.record({
  which: fc.nat(MANIFESTS.length - 1),
  edits: fc.array(fc.record({ path: fc.nat(), remove: fc.boolean(), value: strangeValues }), { minLength: 1, maxLength: 3 }),
});

function editedManifest({ which, edits }: { which: number; edits: { path: number; remove: boolean; value: unknown }[] }): unknown {
  const doc = structuredClone(MANIFESTS[which]) as Record<string, unknown>;
  let root: unknown = doc;
  for (const edit of edits) {
    const all = paths(root);
    const path = all[edit.path % all.length];
    if (path.length === 0) {
      root = edit.value;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (edit.remove && !Array.isArray(parent)) delete parent[last];
    else Object.defineProperty(parent, last, { value: edit.value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}

describe('fuzz: malformed input from outside never escapes as an untyped error, never slowly', function () {
  this.timeout(300_000);

  it(`colour and depth images of every encoding (${CASES} cases)`, async () => {
    await fuzz('images', images, MessageError, (msg) => {
      let colour: ReturnType<typeof decodeColorImage> | null = null;
      try {
        colour = decodeColorImage(msg);
      } finally {
        if (colour) expect(colour.data.length).to.equal(colour.width * colour.height * 3);
      }
      const depth = decodeDepthImage(msg);
      expect(depth.data.length).to.equal(depth.width * depth.height);
      for (const m of depth.data) if (!Number.isNaN(m)) expect(m > 0 && m < Infinity, `depth ${m}`).to.equal(true);
    });
  });

  it(`compressed images: damaged JPEG and PNG payloads, wrong formats (${CASES} cases)`, async () => {
    const raw = { raw: { width: 32, height: 24, channels: 3 as const } };
    const pixels = new Uint8Array(32 * 24 * 3).map((_, i) => (i * 37) & 0xff);
    const payloads = [await sharp(pixels, raw).jpeg().toBuffer(), await sharp(pixels, raw).png().toBuffer()];
    const compressed = fc.record({
      which: fc.nat(1),
      format: fc.constantFrom('jpeg', 'png', 'rgb8; jpeg compressed bgr8', '', 'compressedDepth png', 'tiff', '__proto__'),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
      cut: fc.nat(),
      maxPixels: fc.constantFrom(32 * 24, 16 * 16, 4096 * 4096),
    });
    await fuzz('compressed images', compressed, MessageError, async ({ which, format, flips, cut, maxPixels }) => {
      const data = new Uint8Array(payloads[which]);
      for (const flip of flips) data[flip.at % data.length] = flip.value;
      const out = await decodeCompressedImage({ header: HEADER, format, data: data.subarray(0, data.length - (cut % 64)) }, maxPixels);
      expect(out.data.length).to.equal(out.width * out.height * 3);
      expect(out.width * out.height).to.be.at.most(maxPixels);
    });
  });

  it(`camera info, and the trace lifted with it (${CASES} cases)`, async () => {
    const depth = { width: 16, height: 16, data: new Float32Array(256).fill(1.2) };
    await fuzz('camera info', cameraInfos, MessageError, (info) => {
      const camera = PinholeCamera.fromCameraInfo(info).scaledTo(16, 16);
      const points = liftTrace(camera, depth, [{ u: 0, v: 0 }, { u: 15, v: 15 }, { u: 8, v: 3 }]);
      for (const p of points) if (p) expect([p.x, p.y, p.z].every(Number.isFinite), JSON.stringify(p)).to.equal(true);
    });
  });

  it(`joint states (${CASES} cases)`, async () => {
    await fuzz('joint states', jointStates, MessageError, (msg) => {
      const { positions, velocities } = jointMotion(msg, JOINTS);
      expect(Array.from(positions).every((q) => Math.abs(Math.fround(q)) < Infinity)).to.equal(true);
      if (velocities) expect(Array.from(velocities).every((v) => Math.abs(Math.fround(v)) < Infinity)).to.equal(true);
    });
  });

  it(`URDFs: the bundled ones damaged, and random text (${CASES} cases)`, async () => {
    const bundled = ['panda', 'ur5e', 'wx250s'].map((name) => readFileSync(resolvePackagePath(`config/robots/urdf/${name}.urdf`), 'utf8'));
    const urdfs = fc.oneof(
      { weight: 9, arbitrary: fc.record({ which: fc.nat(2), edits: mutations(URDF_SNIPPETS) }).map(({ which, edits }) => mutate(bundled[which], edits)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );
    await fuzz('URDFs', urdfs, UrdfError, (xml) => {
      const robot = parseUrdf(xml);
      expect(robot.links.size).to.be.above(0);
      for (const joint of robot.joints.values()) {
        expect([...joint.xyz, ...joint.rpy, ...joint.axis].every(Number.isFinite), joint.name).to.equal(true);
        expect(joint.lower <= joint.upper, joint.name).to.equal(true);
      }
    });
  });

  it(`model manifests: fields removed or replaced by strange values (${CASES} cases)`, async () => {
    await fuzz('manifests', manifestEdits, ManifestError, (edit) => {
      const manifest = parseManifest(editedManifest(edit), '/models/fuzz', '/models/fuzz/manifest.yaml');
      expect(manifest.action.chunk).to.be.above(0);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
  });
});

describe('fuzz: good and malformed sets through the node, actuation on', function () {
  this.timeout(300_000);

  it('commands every good set, and nothing from a malformed one, across future stamps and clock jumps', async () => {
    const graph = new FakeGraph();
    graph.overrides.set('model_dir', resolvePackagePath('models/test-tiny'));
    graph.overrides.set('robot_description_file', resolvePackagePath('config/robots/urdf/panda.urdf'));
    graph.overrides.set('autostart', true);
    const node = await MolmoActNode.create(graph.api());
    try {
      graph.deliver('/molmoact/instruction', { data: 'pick up the red block' });
      const camera = new SyntheticCamera(JOINTS);
      type Messages = ReturnType<SyntheticCamera['next']>;
      const damage: Record<string, (m: Messages) => void> = {
        'unknown colour encoding': (m) => void (m.rgb.encoding = 'yuv422'),
        'colour data cut short': (m) => void (m.rgb.data = m.rgb.data.subarray(0, 1000)),
        'depth of another encoding': (m) => void (m.depth.encoding = '8UC1'),
        'depth rows cut short': (m) => void (m.depth.data = m.depth.data.subarray(0, m.depth.step * 3)),
        'uncalibrated camera': (m) => void (m.cameraInfo.k = [0, 0, 0, 0, 0, 0, 0, 0, 0]),
        'absurd focal length': (m) => void (m.cameraInfo.k = [1e-308, 0, 320, 0, 1e-308, 240, 0, 0, 1]),
        'a joint missing': (m) => void (m.joints = { ...m.joints, name: m.joints.name.slice(1), position: Array.from(m.joints.position).slice(1) }),
        'a NaN joint': (m) => void (m.joints = { ...m.joints, position: Array.from(m.joints.position, (q, i) => (i === 3 ? NaN : q)) }),
        'a joint beyond float32': (m) => void (m.joints = { ...m.joints, position: Array.from(m.joints.position, (q, i) => (i === 2 ? 1e39 : q)) }),
        'stamped 100 s in the future': () => {},
      };
      const kinds = Object.keys(damage);
      const random = fc.sample(fc.nat(kinds.length * 2 - 1), { seed: SEED, numRuns: 120 });
      const outcome = { good: 0, goodCommanded: 0, malformed: 0, malformedCommanded: 0 };
      for (const [i, pick] of random.entries()) {
        graph.nowSec += 10; // every chunk has run out: open_loop takes the next frame
        if (i === 60) graph.nowSec -= 40; // a restarted simulator: the clock jumps back
        const kind = pick < kinds.length ? kinds[pick] : null;
        const stampSec = kind === 'stamped 100 s in the future' ? graph.nowSec + 100 : graph.nowSec - 0.01;
        const m = camera.next({ stampSec });
        if (kind) damage[kind](m);
        const commands = graph.messages('/arm_controller/joint_trajectory').length;
        graph.deliver('/camera/color/camera_info', m.cameraInfo);
        graph.deliver('/joint_states', { ...m.joints, header: { stamp: timeFromSeconds(stampSec), frame_id: '' } });
        graph.deliver('/camera/aligned_depth_to_color/image_raw', m.depth);
        graph.deliver('/camera/color/image_raw', m.rgb);
        await node.session.idle();
        const commanded = graph.messages('/arm_controller/joint_trajectory').length - commands;
        if (kind) {
          outcome.malformed++;
          outcome.malformedCommanded += commanded;
          expect(commanded, `set ${i}: ${kind}`).to.equal(0);
        } else {
          outcome.good++;
          outcome.goodCommanded += commanded;
          expect(commanded, `set ${i}: a good set`).to.equal(1);
        }
      }
      expect(outcome.good).to.be.above(30);
      expect(outcome.malformed).to.be.above(30);
      expect(node.diagnostics().status[0].values.find((kv) => kv.key === 'clock_jumps')?.value).to.equal('1');
    } finally {
      await node.shutdown();
    }
  });
});
