/**
 * One reasoning step about one synchronised frame: decode the sensor messages, run the backend,
 * and place the trace in the image and in 3-D. Runs inside the reasoning worker (and in-process in
 * the benchmark, which times each part).
 */
import { decodeColorImage, depthSampler } from '../core/messages/image_codec.js';
import { decodeCompressedImage } from '../media/compressed_image.js';
import { PinholeCamera, liftTrace } from '../core/messages/camera_model.js';
import type { CompressedImage, Image } from '../core/messages/types.js';
import type { ReasoningBackend } from './backend.js';
import { traceToPixels } from '../core/model/decode.js';
import { readProprioception, type ProprioSource } from '../core/model/proprioception.js';
import type { Frame, ReasoningStep, RgbImage, TracePoints } from '../core/model/types.js';

export interface StepTask {
  instruction: string;
  traceOverride?: TracePoints;
}

/** What the model needs before it can start: colour, camera and proprioception (depth comes later). */
export interface DecodedFrame {
  rgb: RgbImage;
  /** The further cameras' images (models with several views), in the frame's order. */
  extraImages: RgbImage[];
  /** Arm joint positions, joint_names order. */
  joints: Float64Array;
  /** What the model takes: the joints, and the gripper's opening if its manifest asks for it. */
  proprio: Float32Array;
  /** The colour camera's model, from the frame's camera_info. */
  camera: PinholeCamera;
}

export function isCompressed(msg: Image | CompressedImage): msg is CompressedImage {
  return typeof (msg as CompressedImage).format === 'string';
}

/**
 * Decodes what the model needs from a frame (throws MessageError on malformed input). The frame
 * must be the caller's own: packed rgb8 is used in place, without a copy.
 */
export async function decodeFrame(frame: Frame, source: ProprioSource, withGripper: boolean): Promise<DecodedFrame> {
  // Cheap checks first, so a frame that cannot be used costs no image decoding.
  const { joints, proprio } = readProprioception(frame.joints, source, withGripper);
  const camera = PinholeCamera.fromCameraInfo(frame.cameraInfo); // throws on a broken camera model
  // A compressed colour image may not decode to more pixels than its camera_info says.
  const rgb = await decodeRgb(frame.rgb, camera.width * camera.height);
  const extraImages = await Promise.all((frame.extraImages ?? []).map((extra) => decodeRgb(extra.image)));
  return { rgb, extraImages, joints, proprio, camera };
}

function decodeRgb(msg: Image | CompressedImage, maxPixels?: number): Promise<RgbImage> | RgbImage {
  return isCompressed(msg) ? decodeCompressedImage(msg, maxPixels) : decodeColorImage(msg, { share: true });
}

/**
 * Runs the backend on a decoded frame and places the trace in pixels and in 3-D. The depth image
 * is only checked before the model runs (a malformed one costs no model time) and read at the
 * trace's pixels afterwards: it is never decoded whole on the way to a command.
 */
export async function reasonAboutFrame(
  backend: ReasoningBackend,
  frame: Frame,
  decoded: DecodedFrame,
  task: StepTask,
): Promise<ReasoningStep> {
  const { rgb, extraImages, joints, proprio } = decoded;
  const depth = depthSampler(frame.depth);
  const output = await backend.step({
    rgb,
    extraImages,
    instruction: task.instruction,
    proprio,
    traceOverride: task.traceOverride,
  });

  const liftStart = performance.now();
  // The camera model is expressed at the depth image's resolution, where the lifting happens.
  const camera = decoded.camera.scaledTo(depth.width, depth.height);
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
