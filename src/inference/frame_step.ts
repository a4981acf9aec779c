/**
 * One reasoning step about one synchronised frame: decode the sensor messages and run the backend
 * (inside the reasoning worker), then place the trace in 3-D with the frame's depth image (on the
 * main thread, where the depth image stays: only the pixels under the trace are read, so it never
 * crosses to the worker on the way to a command). The benchmark runs both in-process, timing each.
 */
import { decodeColorImage } from '../core/messages/image_codec.js';
import type { DepthSampler } from '../core/messages/images.js';
import { decodeCompressedImage } from '../media/compressed_image.js';
import { PinholeCamera, liftTrace } from '../core/messages/camera_model.js';
import type { CameraInfo, CompressedImage, Image, Time } from '../core/messages/types.js';
import type { ReasoningBackend } from './backend.js';
import { traceToPixels } from '../core/model/decode.js';
import { readProprioception, type ProprioSource } from '../core/model/proprioception.js';
import type { Frame, ReasoningStep, RgbImage, TracePoints } from '../core/model/types.js';

/** What the worker needs of a frame: everything but the depth image, which it is sent only to draw it. */
export type ColourFrame = Omit<Frame, 'depth'> & { depth?: Image };

/** A step as the worker answers it: the trace in pixels, not yet in 3-D (see liftStep). */
export type UnliftedStep = Omit<ReasoningStep, 'trace3d'>;

export interface StepTask {
  instruction: string;
  traceOverride?: TracePoints;
}

/** What the model needs before it can start: colour and proprioception (depth comes after it). */
export interface DecodedFrame {
  rgb: RgbImage;
  /** The further cameras' images (models with several views), in the frame's order. */
  extraImages: RgbImage[];
  /** Arm joint positions, joint_names order. */
  joints: Float64Array;
  /** What the model takes: the joints, and the gripper's opening if its manifest asks for it. */
  proprio: Float32Array;
}

export function isCompressed(msg: Image | CompressedImage): msg is CompressedImage {
  return typeof (msg as CompressedImage).format === 'string';
}

/**
 * Decodes what the model needs from a frame (throws MessageError on malformed input). The frame
 * must be the caller's own: packed rgb8 is used in place, without a copy.
 */
export async function decodeFrame(frame: ColourFrame, source: ProprioSource, withGripper: boolean): Promise<DecodedFrame> {
  // Cheap checks first, so a frame that cannot be used costs no image decoding.
  const { joints, proprio } = readProprioception(frame.joints, source, withGripper);
  const camera = PinholeCamera.fromCameraInfo(frame.cameraInfo); // throws on a broken camera model
  // A compressed colour image may not decode to more pixels than its camera_info says.
  const rgb = await decodeRgb(frame.rgb, camera.width * camera.height);
  const extraImages = await Promise.all((frame.extraImages ?? []).map((extra) => decodeRgb(extra.image)));
  return { rgb, extraImages, joints, proprio };
}

function decodeRgb(msg: Image | CompressedImage, maxPixels?: number): Promise<RgbImage> | RgbImage {
  return isCompressed(msg) ? decodeCompressedImage(msg, maxPixels) : decodeColorImage(msg, { share: true });
}

/**
 * Runs the backend on a decoded frame and places the trace in the image's pixels. The depth image
 * is checked before (depthSampler, by the Reasoner on the main thread: a malformed one costs no
 * model time) and read at the trace's pixels after (liftStep).
 */
export async function reasonAboutFrame(
  backend: ReasoningBackend,
  frame: { stamp: Time; frameId: string },
  decoded: DecodedFrame,
  task: StepTask,
): Promise<UnliftedStep> {
  const { rgb, extraImages, joints, proprio } = decoded;
  const output = await backend.step({
    rgb,
    extraImages,
    instruction: task.instruction,
    proprio,
    traceOverride: task.traceOverride,
  });
  return {
    ...output,
    stamp: frame.stamp,
    frameId: frame.frameId,
    instruction: task.instruction,
    imageWidth: rgb.width,
    imageHeight: rgb.height,
    tracePixels: traceToPixels(output.trace, rgb.width, rgb.height),
    jointPositions: Array.from(joints),
  };
}

/**
 * The step with its trace in 3-D: each point's depth read around its pixel in the frame's depth
 * image (checked by depthSampler before the step, so this does not throw on it) and lifted through
 * the colour camera's model. Timed as the step's `lift`.
 */
export function liftStep(step: UnliftedStep, depth: DepthSampler, cameraInfo: CameraInfo): ReasoningStep {
  const start = performance.now();
  // The camera model is expressed at the depth image's resolution, where the lifting happens.
  const camera = PinholeCamera.fromCameraInfo(cameraInfo).scaledTo(depth.width, depth.height);
  // Depth may have another resolution than colour (unaligned streams): look it up in its own pixels.
  const sx = depth.width / step.imageWidth;
  const sy = depth.height / step.imageHeight;
  const depthPixels = step.tracePixels.map(({ u, v }) => ({ u: u * sx, v: v * sy }));
  const trace3d = liftTrace(camera, depth, depthPixels);
  return { ...step, trace3d, timings: { ...step.timings, lift: performance.now() - start } };
}
