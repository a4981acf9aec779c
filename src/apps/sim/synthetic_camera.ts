/**
 * A synthetic RGB-D camera and arm: ROS messages as a RealSense-style driver and a
 * joint_state_broadcaster would publish them (640x480 rgb8, 16UC1 depth in millimetres aligned
 * to colour, camera info, joint states), with fresh buffers each time as a middleware delivers
 * them. The benchmark and the node tests feed the pipeline with it.
 */
import type { CameraInfo, Image, JointState, Time } from '../../core/messages/types.js';
import { timeFromSeconds } from '../../core/messages/time.js';
import { buildCameraInfo } from '../../core/messages/builders.js';
import { PinholeCamera } from '../../core/messages/camera_model.js';
import type { Frame } from '../../core/model/types.js';

export interface SyntheticCameraOptions {
  width?: number;
  height?: number;
  fx?: number;
  fy?: number;
  /** Distance of the flat wall the camera looks at, in millimetres. */
  depthMm?: number;
  frameId?: string;
  /** First stamp, in seconds. */
  startSec?: number;
  /** Time between frames, in seconds. */
  periodSec?: number;
  jointPositions?: number[];
}

export interface SyntheticMessages {
  rgb: Image;
  depth: Image;
  cameraInfo: CameraInfo;
  joints: JointState;
  /** The clock "now" when these messages arrive (their stamp plus a little transport delay). */
  nowSec: number;
}

/** The Franka Panda's ready pose. */
export const PANDA_READY = [0, -0.785, 0, -2.356, 0, 1.571, 0.785];

export class SyntheticCamera {
  readonly width: number;
  readonly height: number;
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  readonly depthMm: number;
  readonly frameId: string;
  private readonly rgbTemplate: Uint8Array;
  private readonly depthTemplate: Uint8Array;
  private readonly periodSec: number;
  private readonly jointPositions: number[];
  private nextSec: number;

  constructor(
    private readonly jointNames: string[],
    options: SyntheticCameraOptions = {},
  ) {
    this.width = options.width ?? 640;
    this.height = options.height ?? 480;
    this.fx = options.fx ?? 600;
    this.fy = options.fy ?? 600;
    this.cx = (this.width - 1) / 2;
    this.cy = (this.height - 1) / 2;
    this.depthMm = options.depthMm ?? 1500;
    this.frameId = options.frameId ?? 'camera_color_optical_frame';
    this.periodSec = options.periodSec ?? 1 / 30;
    this.nextSec = options.startSec ?? 1_700_000_000;
    this.jointPositions = options.jointPositions ?? PANDA_READY.slice(0, jointNames.length);

    // A colour gradient with a red square: something for a vision model to look at.
    this.rgbTemplate = new Uint8Array(this.width * this.height * 3);
    for (let v = 0; v < this.height; v++) {
      for (let u = 0; u < this.width; u++) {
        const i = (v * this.width + u) * 3;
        const square = Math.abs(u - this.width * 0.6) < 30 && Math.abs(v - this.height * 0.6) < 30;
        this.rgbTemplate[i] = square ? 220 : (u * 255) / this.width;
        this.rgbTemplate[i + 1] = square ? 30 : (v * 255) / this.height;
        this.rgbTemplate[i + 2] = square ? 30 : 128;
      }
    }
    this.depthTemplate = new Uint8Array(this.width * this.height * 2);
    const depthView = new DataView(this.depthTemplate.buffer);
    for (let i = 0; i < this.width * this.height; i++) depthView.setUint16(i * 2, this.depthMm, true);
  }

  /** The next set of messages, all with the same stamp. */
  next(overrides: { jointNames?: string[]; stampSec?: number } = {}): SyntheticMessages {
    const sec = overrides.stampSec ?? this.nextSec;
    this.nextSec = sec + this.periodSec;
    const stamp = timeFromSeconds(sec);
    const header = { stamp, frame_id: this.frameId };
    const names = overrides.jointNames ?? this.jointNames;
    return {
      rgb: {
        header,
        height: this.height,
        width: this.width,
        encoding: 'rgb8',
        is_bigendian: 0,
        step: this.width * 3,
        data: this.rgbTemplate.slice(),
      },
      depth: {
        header,
        height: this.height,
        width: this.width,
        encoding: '16UC1',
        is_bigendian: 0,
        step: this.width * 2,
        data: this.depthTemplate.slice(),
      },
      cameraInfo: this.cameraInfo(stamp),
      joints: {
        header: { stamp, frame_id: '' },
        name: names.slice(),
        position: names.map((name) => this.jointPositions[this.jointNames.indexOf(name)] ?? 0),
        velocity: [],
        effort: [],
      },
      nowSec: sec + 0.005,
    };
  }

  /** The next messages as the synchronised Frame FrameSync would emit. */
  nextFrame(): Frame {
    const m = this.next();
    return { stamp: m.rgb.header.stamp, frameId: this.frameId, rgb: m.rgb, depth: m.depth, cameraInfo: m.cameraInfo, joints: m.joints };
  }

  cameraInfo(stamp: Time): CameraInfo {
    const camera = new PinholeCamera(this.fx, this.fy, this.cx, this.cy, this.width, this.height);
    return buildCameraInfo({ stamp, frame_id: this.frameId }, camera);
  }
}
