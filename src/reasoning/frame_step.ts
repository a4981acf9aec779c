/**
 * One reasoning step about one synchronised frame: decode the sensor messages, run the backend,
 * and place the trace in the image and in 3-D. Runs inside the reasoning worker (and in-process in
 * the benchmark, which times each part).
 */
import { decodeColorImage, decodeDepthImage } from '../messages/image_codec.js';
import { decodeCompressedImage } from '../messages/compressed_image.js';
import { PinholeCamera, liftTrace } from '../messages/camera_model.js';
import { jointPositions } from '../messages/joint_state.js';
import type { CompressedImage, Image } from '../messages/types.js';
import type { ReasoningBackend } from './backend.js';
import { traceToPixels } from './decode.js';
import type { DepthImage, Frame, ReasoningStep, RgbImage, TracePoints } from './types.js';

export interface StepTask {
  instruction: string;
  traceOverride?: TracePoints;
}

export interface DecodedFrame {
  rgb: RgbImage;
  depth: DepthImage;
  camera: PinholeCamera;
  joints: Float64Array;
}

export function isCompressed(msg: Image | CompressedImage): msg is CompressedImage {
  return typeof (msg as CompressedImage).format === 'string';
}

/** Decodes the messages of a frame into arrays (throws MessageError on malformed input). */
export async function decodeFrame(frame: Frame, jointNames: string[]): Promise<DecodedFrame> {
  const rgb = isCompressed(frame.rgb) ? await decodeCompressedImage(frame.rgb) : decodeColorImage(frame.rgb);
  const depth = decodeDepthImage(frame.depth);
  // The camera model is expressed at the depth image's resolution, where the lifting happens.
  const camera = PinholeCamera.fromCameraInfo(frame.cameraInfo).scaledTo(depth.width, depth.height);
  const joints = jointPositions(frame.joints, jointNames);
  return { rgb, depth, camera, joints };
}

/** Runs the backend on a decoded frame and places the trace in pixels and in 3-D. */
export async function reasonAboutFrame(
  backend: ReasoningBackend,
  frame: Frame,
  decoded: DecodedFrame,
  task: StepTask,
): Promise<ReasoningStep> {
  const { rgb, depth, camera, joints } = decoded;
  const output = await backend.step({
    rgb,
    instruction: task.instruction,
    proprio: Float32Array.from(joints),
    traceOverride: task.traceOverride,
  });

  const liftStart = performance.now();
  const tracePixels = traceToPixels(output.trace, rgb.width, rgb.height);
  // Depth may have another resolution than colour (unaligned streams): look it up in its own pixels.
  const sx = depth.width / rgb.width;
  const sy = depth.height / rgb.height;
  const depthPixels = tracePixels.map(({ u, v }) => ({ u: u * sx, v: v * sy }));
  const trace3d = liftTrace(camera, depth, depthPixels);
  const liftMs = performance.now() - liftStart;

  return {
    ...output,
    timings: { ...output.timings, lift: liftMs },
    stamp: frame.stamp,
    frameId: frame.frameId,
    instruction: task.instruction,
    imageWidth: rgb.width,
    imageHeight: rgb.height,
    tracePixels,
    trace3d,
    jointPositions: Array.from(joints),
  };
}
