#!/usr/bin/env node
/**
 * Does the plan stage follow the instruction? On the first frame of simulation episodes (arm at
 * its ready pose, seeds the training never saw), the model's trace is compared with the expert's
 * trace to every object of the scene; it counts as bound when the closest of those is the trace to
 * the object the instruction names. Chance is 1 / (objects in the scene).
 *
 *     node models/molmoact-tiny/check_binding.mjs [model folder] [episodes]
 *
 * Run after `npm run build`. Prints the share bound, overall and by the number of objects.
 */
import { resolve } from 'node:path';

const dist = new URL('../../dist/src/', import.meta.url);
const load = (module) => import(new URL(module, dist).href);
const { seededRandom } = await load('core/util/random.js');
const { makeTask, sampleTask } = await load('apps/sim/tasks.js');
const { pandaProprioSource, TabletopWorld } = await load('apps/sim/world.js');
const { expertGoal, expertPlan, stateOf, TRACE_STEPS, traceOfPath } = await load('apps/sim/expert.js');
const { simulationSeed } = await load('apps/sim/episode_plan.js');
const { loadManifest } = await load('inference/load_manifest.js');
const { OnnxBackend } = await load('inference/onnx/onnx_backend.js');
const { decodeColorImage } = await load('core/messages/image_codec.js');
const { readProprioception } = await load('core/model/proprioception.js');

const modelDir = resolve(process.argv[2] ?? new URL('.', import.meta.url).pathname);
const episodes = Number(process.argv[3] ?? 200);
const manifest = await loadManifest(modelDir);
const backend = await OnnxBackend.load(manifest, { intraOpThreads: 1 });

/** Sum over the trace points of the pixel distance between two traces ([0, 256) units). */
const traceDistance = (a, b) => a.x.reduce((sum, x, k) => sum + Math.hypot(x - b.x[k], a.y[k] - b.y[k]), 0);

const byObjects = {};
let bound = 0;
for (let e = 0; e < episodes; e++) {
  const seed = simulationSeed(1, e);
  const world = TabletopWorld.create({ seed });
  const task = sampleTask(world, seededRandom(seed ^ 0x7a5c));
  const messages = world.messages(0);
  const { proprio } = readProprioception(messages.joints, pandaProprioSource(), manifest.proprio.gripper);
  const { trace } = await backend.step({ rgb: decodeColorImage(messages.rgb), instruction: task.instruction, proprio });
  const distances = world.objects.map((object, i) => {
    const pick = makeTask(world, 'pick', i);
    const start = [...object.position];
    const path = expertPlan(stateOf(world, pick, start), expertGoal(world, pick, start), TRACE_STEPS.at(-1)).path;
    return traceDistance(trace, traceOfPath(world, path));
  });
  const hit = distances.indexOf(Math.min(...distances)) === task.object ? 1 : 0;
  bound += hit;
  const n = world.objects.length;
  byObjects[n] ??= { bound: 0, episodes: 0 };
  byObjects[n].bound += hit;
  byObjects[n].episodes++;
}
await backend.dispose();
const share = (x) => `${((100 * x.bound) / x.episodes).toFixed(1)} % of ${x.episodes} (chance ${(100 / Number(x.n)).toFixed(0)} %)`;
console.log(`${manifest.name}: the first frame's trace leads to the named object in ${((100 * bound) / episodes).toFixed(1)} % of ${episodes} episodes`);
for (const [n, x] of Object.entries(byObjects)) console.log(`  ${n} objects: ${share({ ...x, n })}`);
