/**
 * The data that flows through the reasoning pipeline, independent of ROS and of the backend.
 */
import type { CameraInfo, CompressedImage, Image, JointState, Point, Time } from '../messages/types.js';

import type { DepthImage, RgbImage } from '../messages/images.js';

export type { DepthImage, RgbImage };

/** One synchronised set of sensor messages, as FrameSync emits it. */
export interface Frame {
  /** Stamp of the RGB image: everything published about this frame carries it. */
  stamp: Time;
  /** The camera's optical frame (REP-103), from the RGB header. */
  frameId: string;
  rgb: Image | CompressedImage;
  depth: Image;
  cameraInfo: CameraInfo;
  joints: JointState;
  /** Images of further cameras a model takes (remote models with several views), matched to the same stamp. */
  extraImages?: { name: string; image: Image | CompressedImage }[];
}

/** A trace as MolmoAct writes it: points in [0, 256) over the image, x then y. */
export interface TracePoints {
  /** x of each point in [0, 255]; scale to pixels with (width - 1) / 255. */
  x: number[];
  /** y of each point in [0, 255]; scale to pixels with (height - 1) / 255. */
  y: number[];
}

/** What a backend is asked to reason about. */
export interface BackendInput {
  rgb: RgbImage;
  /** Models that take several views: the other cameras' images, in the manifest's camera order. */
  extraImages?: RgbImage[];
  instruction: string;
  /** Joint positions of the arm, in the order the node's `joint_names` parameter gives. */
  proprio: Float32Array;
  /** When present, replaces the planned trace before the act stage (steering). */
  traceOverride?: TracePoints;
}

/** The three stages' decoded outputs. */
export interface BackendOutput {
  /** Depth perception tokens, row-major over the manifest's grid, each in [0, codebook). */
  depthTokens: number[];
  /** The trace the act stage used (the planned one, or the override). */
  trace: TracePoints;
  traceOverridden: boolean;
  /** Action chunk, un-normalised: chunk[i] is step i, with the manifest's action dimension. */
  actions: number[][];
  /** Milliseconds per stage, e.g. preprocess, perceive, plan, act, decode (remote: encode, server, parse). */
  timings: Record<string, number>;
  /** A remote model's answer text, as the server sent it (molmoact-text). */
  answer?: string;
}

/** A completed reasoning step about one frame, as the Reasoner hands it back. */
export interface ReasoningStep extends BackendOutput {
  stamp: Time;
  frameId: string;
  instruction: string;
  imageWidth: number;
  imageHeight: number;
  /** Trace points in image pixels (u right, v down). */
  tracePixels: { u: number; v: number }[];
  /** Each trace point lifted to 3-D in the camera's optical frame, or null where depth is missing. */
  trace3d: (Point | null)[];
  /** Joint positions the step was reasoned from, in `joint_names` order. */
  jointPositions: number[];
}
