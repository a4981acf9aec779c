/**
 * The reasoning worker: one long-lived thread that owns the model (onnxruntime sessions) so the
 * ROS executor on the main thread never waits for inference.
 */
import { parentPort } from 'node:worker_threads';
import { type ReasoningBackend } from './backend.js';
import { createBackend } from './create_backend.js';
import { ManifestError } from '../core/model/manifest.js';
import { loadManifest } from './load_manifest.js';
import { summarizeModel } from '../core/model/model_summary.js';
import { decodeFrame, reasonAboutFrame, type ColourFrame, type DecodedFrame, type UnliftedStep } from './frame_step.js';
import { proprioMismatch, type ProprioSource } from '../core/model/proprioception.js';
import { decodeDepthImage } from '../core/messages/image_codec.js';
import type { Image } from '../core/messages/types.js';
import { renderTraceImage } from '../media/trace_image.js';
import { colorizeDepth } from '../media/depth_image.js';
import { toWorkerError, type FromWorker, type ToWorker } from './worker_protocol.js';

if (!parentPort) throw new Error('worker.js must run as a worker thread (the Reasoner starts it)');
const port = parentPort;

/** The loaded model and where its proprioception is read; null until init succeeds. */
let model: { backend: ReasoningBackend; proprio: ProprioSource; withGripper: boolean } | null = null;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', async (message: ToWorker) => {
  if (message.type === 'init') {
    try {
      const loaded = await loadManifest(message.init.modelDir);
      const mismatch = proprioMismatch(loaded.proprio, message.init.proprio);
      if (mismatch) throw new ManifestError(loaded.file, 'proprio', mismatch);
      const backend = await createBackend(loaded, message.init.backend);
      model = { backend, proprio: message.init.proprio, withGripper: loaded.proprio.gripper };
      post({ type: 'ready', model: summarizeModel(loaded, message.init.backend.remote?.server) });
    } catch (err) {
      post({ type: 'init_failed', error: toWorkerError(err) });
    }
    return;
  }
  if (message.type === 'configure') {
    // The joints are read-only parameters, so only the gripper's positions can change here.
    if (model) model.proprio = message.proprio;
    return;
  }

  const { id, frame, task, render } = message;
  // The frame's own buffers, for the Reasoner to copy the next frames into once this one is done.
  let giveBack = message.returnBuffers ? frameBuffers(frame) : [];
  const pictures = render.traceImage || render.depthImage;
  if (!model) {
    post({ type: 'step_failed', id, error: { name: 'NotReady', message: 'the model is not loaded' }, returned: giveBack }, giveBack);
    return;
  }
  const start = performance.now();
  let decoded: DecodedFrame;
  let step: UnliftedStep;
  try {
    decoded = await decodeFrame(frame, model.proprio, model.withGripper);
    const decodeMs = performance.now() - start;
    step = await reasonAboutFrame(model.backend, frame, decoded, task);
    // decode_frame: the sensor messages; the backend's own 'decode' is its outputs.
    step.timings = { decode_frame: decodeMs, ...step.timings };
    const returned = pictures ? [] : giveBack;
    post({ type: 'step', id, step, workerMs: performance.now() - start, returned }, returned);
  } catch (err) {
    post({ type: 'step_failed', id, error: toWorkerError(err), returned: giveBack }, giveBack);
    return;
  }

  // Pictures come after the step has been handed back, off the path of the command.
  if (!pictures) return;
  const renderStart = performance.now();
  try {
    const traceImage = render.traceImage
      ? await renderTraceImage(decoded.rgb, step.tracePixels, task.instruction, { inPlace: true })
      : undefined;
    const depthImage = render.depthImage ? colorizeDepth(decodeDepthImage(depthOf(frame))) : undefined;
    const transfer = [traceImage?.data.buffer, depthImage?.data.buffer].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer,
    );
    // The trace image may be drawn on the frame itself: that buffer leaves as the picture.
    giveBack = giveBack.filter((buffer) => !transfer.includes(buffer));
    post({ type: 'images', id, traceImage, depthImage, renderMs: performance.now() - renderStart, returned: giveBack }, [...transfer, ...giveBack]);
  } catch (err) {
    // A picture that cannot be drawn does not fail the step; the main thread reports it.
    post({ type: 'render_failed', id, error: toWorkerError(err), returned: giveBack }, giveBack);
  }
});

/** The distinct ArrayBuffers under a frame's images. */
function frameBuffers(frame: ColourFrame): ArrayBuffer[] {
  const images = [frame.rgb, ...(frame.depth ? [frame.depth] : []), ...(frame.extraImages ?? []).map((extra) => extra.image)];
  const buffers = images.map((image) => image.data.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  return [...new Set(buffers)];
}

/** The depth image the Reasoner sends with a frame whose depth picture it asks for. */
function depthOf(frame: ColourFrame): Image {
  if (!frame.depth) throw new Error('the depth image was asked for but not sent with the frame');
  return frame.depth;
}
