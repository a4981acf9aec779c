import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { packageRoot } from '../src/config/package_root.js';

/**
 * The layers of src/ (docs/architecture.md), lowest first. A module may import its own layer and
 * the layers below it, never one above.
 */
const LAYERS: { prefix: string; rank: number }[] = [
  { prefix: 'core/util/', rank: 0 },
  { prefix: 'core/messages/', rank: 1 },
  { prefix: 'core/kinematics/', rank: 2 },
  { prefix: 'core/control/', rank: 3 },
  { prefix: 'core/model/', rank: 4 },
  { prefix: 'core/sync/', rank: 5 },
  { prefix: 'core/report/', rank: 5 },
  { prefix: 'core/visualize/', rank: 5 },
  { prefix: 'media/', rank: 10 },
  { prefix: 'recording/', rank: 10 },
  { prefix: 'inference/', rank: 20 },
  { prefix: 'config/', rank: 30 },
  { prefix: 'pipeline/', rank: 40 },
  { prefix: 'apps/sim/', rank: 50 },
  { prefix: 'apps/ros/', rank: 60 },
  { prefix: 'apps/cli/', rank: 70 },
];
/** What the platform-free core may import besides itself. */
const CORE_PACKAGES = ['fast-xml-parser', 'pure-rand/'];

const SRC = join(packageRoot(), 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): { prefix: string; rank: number } {
  const rel = relative(SRC, file).split('\\').join('/');
  const layer = LAYERS.find((l) => rel.startsWith(l.prefix));
  if (!layer) throw new Error(`src/${rel} is in no layer: place it (and list new folders in this test and docs/architecture.md)`);
  return layer;
}

/** Module specifiers of static and dynamic imports and re-exports (type-only ones too). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);
}

describe('architecture: the layers of src/', () => {
  const files = sources(SRC);

  it('has every module in a layer, and none imports a layer above its own', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')));
        const to = layerOf(target);
        if (to.rank > from.rank || (to.rank === from.rank && to.prefix !== from.prefix)) {
          wrong.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
        }
      }
    }
    expect(wrong, 'imports that run the wrong way').to.deep.equal([]);
    expect(files.length).to.be.greaterThan(100);
  });

  it('keeps the core free of platforms: no rclnodejs, sharp, onnxruntime or node: module', () => {
    const wrong = files
      .filter((file) => relative(SRC, file).startsWith('core/'))
      .flatMap((file) => imports(file).filter((s) => !s.startsWith('.') && !CORE_PACKAGES.some((p) => s === p || s.startsWith(p))).map((s) => `${relative(SRC, file)}: ${s}`));
    expect(wrong).to.deep.equal([]);
  });

  it('has one home for each platform library: sharp in media/, onnxruntime in inference/onnx/, rclnodejs behind apps/ros/ros_api.ts', () => {
    const homes = new Map<string, string[]>([
      ['sharp', ['media/']],
      ['onnxruntime-node', ['inference/onnx/']],
      // The loader, and the adapter that implements RosApi: the ROS front ends use only RosApi.
      ['rclnodejs', ['apps/ros/rcl.ts', 'apps/ros/rclnodejs_api.ts']],
    ]);
    const wrong: string[] = [];
    for (const file of files) {
      const rel = relative(SRC, file).split('\\').join('/');
      for (const spec of imports(file)) {
        const home = homes.get(spec);
        if (home && !home.some((h) => rel.startsWith(h))) wrong.push(`${rel}: ${spec}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});
