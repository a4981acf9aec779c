/**
 * The bare graphs in a thread of their own that a message wakes for each run, as a frame wakes the
 * reasoning worker: `molmoact-ros bench` times them there to tell what a worker thread costs by
 * itself (its wake-up, two hand-overs of a small message) from what the pipeline adds to it.
 * The image tensor is prepared once; each run is session.run on it, nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadManifest } from '../../inference/load_manifest.js';
import { onnxManifest } from '../../core/model/manifest.js';
import { OnnxBackend } from '../../inference/onnx/onnx_backend.js';
import type { BackendOptions } from '../../inference/backend.js';
import type { RgbImage } from '../../core/model/types.js';

/** What the worker is started with. */
export interface WokenBareInit {
  modelDir: string;
  inference: BackendOptions;
  rgb: RgbImage;
  instruction: string;
  proprio: Float32Array;
}

/** Its answers: 'ready' once loaded, then the graphs' own time of each run (ms), or why it failed. */
export type WokenBareReply = { type: 'ready' } | { type: 'ran'; graphsMs: number } | { type: 'failed'; message: string };

if (!parentPort) throw new Error('woken_bare_worker.js must run as a worker thread');
const port = parentPort;
const init = workerData as WokenBareInit;
const backend = await OnnxBackend.load(onnxManifest(await loadManifest(init.modelDir)), init.inference);
const prepared = await backend.prepare({ rgb: init.rgb, instruction: init.instruction, proprio: init.proprio });

port.on('message', async (message: 'run' | 'close') => {
  if (message === 'close') {
    await backend.dispose();
    port.close();
    return;
  }
  try {
    const start = performance.now();
    await backend.runBare(prepared);
    port.postMessage({ type: 'ran', graphsMs: performance.now() - start } satisfies WokenBareReply);
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message } satisfies WokenBareReply);
  }
});
port.postMessage({ type: 'ready' } satisfies WokenBareReply);
