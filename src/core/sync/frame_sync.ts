/**
 * Approximate-time synchronisation of RGB, depth, camera info and joint states into Frames.
 *
 * Each stream keeps a short buffer of its newest messages. Whenever a message arrives, the newest
 * RGB image that is newer than the last emitted frame is matched against the other streams: the
 * message closest in time on each of them, accepted when within `slopSec`. The newest complete
 * set wins; older unmatched images are dropped, never queued. A complete set whose stamp is
 * older than `maxAgeSec` (on the node's clock) is refused as stale and counted.
 *
 * Time is not trusted to run forwards. A message stamped more than `maxFutureSec` ahead of the
 * clock is refused at once (a set from the future would otherwise block every set until the clock
 * caught up with it). When the clock jumps back (a looping bag, a restarted simulator) every
 * buffer is cleared and matching starts afresh, as tf2 and message_filters do.
 */
import type { CameraInfo, CompressedImage, Header, Image, JointState } from '../messages/types.js';
import { toSeconds } from '../messages/time.js';
import type { Frame } from '../model/types.js';

/** The limits that can change while the sync runs (parameters set at run time). */
export interface FrameSyncLimits {
  /** Largest stamp difference between the RGB image and each other message of a set. */
  slopSec: number;
  /** A set whose RGB stamp is older than this on `now()` is refused as stale. */
  maxAgeSec: number;
  /** A message stamped more than this ahead of `now()` is refused (allows for clock skew between machines). */
  maxFutureSec: number;
}

export interface FrameSyncOptions extends FrameSyncLimits {
  /** The clock the ages are measured on (ROS time, so simulated time works). */
  now: () => number;
  /** Messages kept per image stream (joint states keep 8x as many: they arrive faster). */
  bufferLength?: number;
  /** Told when the clock went back by `backSec` and the buffers were cleared. */
  onClockJump?: (backSec: number) => void;
  /** Told of a message refused because it was stamped `aheadSec` ahead of the clock. */
  onFutureStamp?: (aheadSec: number) => void;
}

export interface FrameSyncStats {
  /** Sets emitted. */
  matched: number;
  /** Complete sets refused because they were older than maxAgeSec. */
  stale: number;
  /** RGB images that were superseded or fell out of the buffer without ever being matched. */
  unmatched: number;
  /** Messages refused because they were stamped more than maxFutureSec ahead of the clock. */
  future: number;
  /** Times the clock went back and the buffers were cleared. */
  clockJumps: number;
  /** Messages received, by stream (large images lost on the way show as fewer images than camera infos). */
  received: { rgb: number; depth: number; cameraInfo: number; joints: number };
}

type Stamped<T> = { stampSec: number; msg: T };

/** What insert returns for a message it refused. */
const REFUSED = Symbol('refused');

const DEFAULT_BUFFER = 4;

export class FrameSync {
  private readonly rgb: Stamped<Image | CompressedImage>[] = [];
  private readonly depth: Stamped<Image>[] = [];
  private readonly info: Stamped<CameraInfo>[] = [];
  private readonly joints: Stamped<JointState>[] = [];
  /** Further cameras a model takes, by name, matched like the depth image. */
  private readonly extra = new Map<string, Stamped<Image | CompressedImage>[]>();
  private lastEmittedSec = -Infinity;
  /** The clock when a message last arrived. */
  private lastNowSec = -Infinity;
  private readonly counters: FrameSyncStats = { matched: 0, stale: 0, unmatched: 0, future: 0, clockJumps: 0, received: { rgb: 0, depth: 0, cameraInfo: 0, joints: 0 } };
  private readonly imageBuffer: number;
  private limits: FrameSyncLimits;

  constructor(private readonly options: FrameSyncOptions) {
    this.limits = checkedLimits(options);
    this.imageBuffer = options.bufferLength ?? DEFAULT_BUFFER;
  }

  get stats(): Readonly<FrameSyncStats> {
    return { ...this.counters, received: { ...this.counters.received } };
  }

  /** New limits, in force from the next message. */
  configure(limits: FrameSyncLimits): void {
    this.limits = checkedLimits(limits);
  }

  /** Forgets every buffered message and the last emitted stamp. */
  reset(): void {
    this.rgb.length = 0;
    this.depth.length = 0;
    this.info.length = 0;
    this.joints.length = 0;
    for (const buffer of this.extra.values()) buffer.length = 0;
    this.lastEmittedSec = -Infinity;
  }

  /** Each add* returns the newest complete, fresh set that this message completed, if any. */
  addRgb(msg: Image | CompressedImage): Frame | null {
    this.counters.received.rgb++;
    const evicted = this.insert(this.rgb, msg.header, msg, this.imageBuffer);
    if (evicted !== null && evicted !== REFUSED && evicted.stampSec > this.lastEmittedSec) this.counters.unmatched++;
    return this.tryMatch();
  }

  addDepth(msg: Image): Frame | null {
    this.counters.received.depth++;
    this.insert(this.depth, msg.header, msg, this.imageBuffer);
    return this.tryMatch();
  }

  addCameraInfo(msg: CameraInfo): Frame | null {
    this.counters.received.cameraInfo++;
    this.insert(this.info, msg.header, msg, this.imageBuffer);
    return this.tryMatch();
  }

  /** From now on a set is complete only with an image of each of these cameras too. */
  setExtraCameras(names: readonly string[]): void {
    this.extra.clear();
    for (const name of names) this.extra.set(name, []);
  }

  addExtraImage(name: string, msg: Image | CompressedImage): Frame | null {
    const buffer = this.extra.get(name);
    if (!buffer) return null;
    this.insert(buffer, msg.header, msg, this.imageBuffer);
    return this.tryMatch();
  }

  addJointState(msg: JointState): Frame | null {
    this.counters.received.joints++;
    this.insert(this.joints, msg.header, msg, this.imageBuffer * 8);
    return this.tryMatch();
  }

  /**
   * Inserts in stamp order (late arrivals happen) and returns what fell out of the buffer, or
   * REFUSED for a message from the future (after the buffers were cleared if the clock went back).
   */
  private insert<T>(buffer: Stamped<T>[], header: Header, msg: T, capacity: number): Stamped<T> | typeof REFUSED | null {
    const nowSec = this.options.now();
    if (nowSec < this.lastNowSec) {
      this.reset();
      this.counters.clockJumps++;
      this.options.onClockJump?.(this.lastNowSec - nowSec);
    }
    this.lastNowSec = nowSec;
    const item = { stampSec: toSeconds(header.stamp), msg };
    if (item.stampSec > nowSec + this.limits.maxFutureSec) {
      this.counters.future++;
      this.options.onFutureStamp?.(item.stampSec - nowSec);
      return REFUSED;
    }
    let index = buffer.length;
    while (index > 0 && buffer[index - 1].stampSec > item.stampSec) index--;
    buffer.splice(index, 0, item);
    return buffer.length > capacity ? buffer.shift()! : null;
  }

  private tryMatch(): Frame | null {
    if (this.rgb.length === 0 || this.depth.length === 0 || this.info.length === 0 || this.joints.length === 0) {
      return null;
    }
    for (const buffer of this.extra.values()) if (buffer.length === 0) return null;
    const { slopSec, maxAgeSec } = this.limits;
    // Newest first: the first complete set found is the one to emit.
    for (let i = this.rgb.length - 1; i >= 0; i--) {
      const rgb = this.rgb[i];
      if (rgb.stampSec <= this.lastEmittedSec) break;
      const depthIndex = closestIndex(this.depth, rgb.stampSec, slopSec);
      const info = this.info[closestIndex(this.info, rgb.stampSec, slopSec)];
      const joints = this.joints[closestIndex(this.joints, rgb.stampSec, slopSec)];
      if (depthIndex < 0 || !info || !joints) continue;
      const extraIndex = [...this.extra.values()].map((buffer) => closestIndex(buffer, rgb.stampSec, slopSec));
      if (extraIndex.some((index) => index < 0)) continue;
      const depth = this.depth[depthIndex];
      const extraImages = [...this.extra.entries()].map(([name, buffer], k) => ({ name, image: buffer[extraIndex[k]].msg }));

      // Everything older than this set is superseded, matched or not.
      this.counters.unmatched += this.rgb.slice(0, i).filter((r) => r.stampSec > this.lastEmittedSec).length;
      this.lastEmittedSec = rgb.stampSec;
      // The images of an emitted frame leave the buffers: their pixels move to the reasoning
      // worker (transferred, not copied), so they must never be matched a second time.
      this.rgb.splice(0, i + 1);
      this.depth.splice(0, depthIndex + 1);
      [...this.extra.values()].forEach((buffer, k) => buffer.splice(0, extraIndex[k] + 1));

      if (this.options.now() - rgb.stampSec > maxAgeSec) {
        this.counters.stale++;
        return null;
      }
      this.counters.matched++;
      return {
        stamp: rgb.msg.header.stamp,
        frameId: rgb.msg.header.frame_id,
        rgb: rgb.msg,
        depth: depth.msg,
        cameraInfo: info.msg,
        joints: joints.msg,
        ...(extraImages.length > 0 ? { extraImages } : {}),
      };
    }
    return null;
  }
}

function checkedLimits(limits: FrameSyncLimits): FrameSyncLimits {
  const { slopSec, maxAgeSec, maxFutureSec } = limits;
  if (!(slopSec >= 0) || !(maxAgeSec > 0) || !(maxFutureSec >= 0)) {
    throw new RangeError(`FrameSync: slopSec and maxFutureSec must be >= 0 and maxAgeSec > 0 (got ${slopSec}, ${maxFutureSec}, ${maxAgeSec})`);
  }
  return { slopSec, maxAgeSec, maxFutureSec };
}

/** Index of the message closest in time to stampSec within slopSec, or -1. */
function closestIndex<T>(buffer: Stamped<T>[], stampSec: number, slopSec: number): number {
  let best = -1;
  let bestGap = Infinity;
  buffer.forEach((item, index) => {
    const gap = Math.abs(item.stampSec - stampSec);
    if (gap < bestGap) {
      best = index;
      bestGap = gap;
    }
  });
  return bestGap <= slopSec ? best : -1;
}

/** Camera infos between two looks at whether images go missing (3 s at 30 Hz). */
export const LOSS_WINDOW = 90;

/**
 * Whether the colour or depth images are being lost on the way: camera info (small) arriving
 * while far fewer images do is what a DDS whose receive buffers are too small for the images
 * looks like. Compares two `received` counts at least LOSS_WINDOW camera infos apart; null when
 * at least 80 % of the images came.
 */
export function imageLoss(before: FrameSyncStats['received'], now: FrameSyncStats['received']): string | null {
  const infos = now.cameraInfo - before.cameraInfo;
  if (infos < LOSS_WINDOW) return null;
  const lost = (['rgb', 'depth'] as const).filter((stream) => now[stream] - before[stream] < 0.8 * infos);
  if (lost.length === 0) return null;
  const counts = lost.map((stream) => `${now[stream] - before[stream]} ${stream === 'rgb' ? 'colour' : 'depth'} images`).join(' and ');
  return `only ${counts} arrived with ${infos} camera_info messages: large messages are being lost on the way, most likely in DDS, whose socket receive buffer must hold a whole image (docs/ros-setup.md)`;
}
