/**
 * Moving a frame's image buffers to the reasoning worker without copying them where that is
 * possible, and with one copy into a warm buffer where it is not.
 *
 * Two kinds of buffer cannot be moved:
 * - a view into a larger buffer (a pool): moving the whole buffer would take memory that is not
 *   the image's, so the image is copied into a buffer of its own first;
 * - memory the middleware owns: rclnodejs hands a received uint8[] over as an ArrayBuffer over
 *   its own allocation, which Node cannot detach. Node 20 silently clones such a buffer when it is
 *   in the transfer list; Node 21 and later throw a DataCloneError instead, and the images are then
 *   copied into buffers of their own and sent again.
 * Node's clone writes the bytes into fresh memory twice (its serialiser's buffer, then the copy on
 * the other side), and the first touch of fresh pages is what costs: 7.7 ms for one 1280x720 rgb8
 * image on a virtual machine, where copying it into a buffer used before takes 0.16 ms. So once an
 * image could not be moved, the sender copies every image itself into a BufferPool of buffers the
 * worker gives back after each step.
 * Each image is counted as moved only when its buffer really was detached by the send.
 */
import { isSoleView } from '../core/messages/owned_bytes.js';

/** The part of a MessagePort / Worker this needs. */
export interface MessageSink {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

export interface TransferCount {
  /** Image buffers that moved to the other thread as they were. */
  transferred: number;
  /** Images that were copied on the way (first here, or by the structured clone). */
  copied: number;
  /** Copies made into a buffer from the pool rather than into fresh memory. */
  reused: number;
  /**
   * Images that were their buffer's sole view and still could not be moved (memory the middleware
   * owns). Where the port refuses the send (Node 21+) it does not say which buffer it refused, and
   * every image that was to move counts: what matters to the sender is whether any could not.
   */
  unmovable: number;
}

/**
 * Buffers to copy images into, given back by the worker once it is done with a frame. A buffer
 * is handed out only for an image of exactly its size, so it is the sole view and moves whole.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** `capacity`: buffers kept at most (a frame's images, one step in flight, one being drawn). */
  constructor(private readonly capacity = 8) {}

  /** A view over a pooled buffer of exactly `byteLength` bytes (fresh memory when none is free), and whether it was pooled. */
  take(byteLength: number): { data: Uint8Array; reused: boolean } {
    const index = this.free.findIndex((buffer) => buffer.byteLength === byteLength);
    if (index < 0) return { data: new Uint8Array(byteLength), reused: false };
    const [buffer] = this.free.splice(index, 1);
    return { data: new Uint8Array(buffer), reused: true };
  }

  /** Buffers back for later copies; detached ones are ignored, the oldest dropped beyond the capacity. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength > 0 && !this.free.includes(buffer)) this.free.push(buffer);
    }
    if (this.free.length > this.capacity) this.free.splice(0, this.free.length - this.capacity);
  }

  get size(): number {
    return this.free.length;
  }
}

/**
 * Posts `message`, moving the buffers of `images` (objects inside `message`). `data` of an image
 * may be replaced by a copy, so read the images through `message`, not through older references.
 * With a `pool`, every image is copied into one of its buffers first (the sender has learnt that
 * the images' own buffers cannot be moved).
 */
export function postWithImages(sink: MessageSink, message: unknown, images: { data: Uint8Array }[], pool: BufferPool | null = null): TransferCount {
  let reused = 0;
  const copy = (data: Uint8Array): Uint8Array => {
    if (!pool) return new Uint8Array(data);
    const target = pool.take(data.byteLength);
    target.data.set(data);
    if (target.reused) reused++;
    return target.data;
  };
  const sent = images.map((image) => {
    const copiedFirst = pool !== null || !isSoleView(image.data);
    if (copiedFirst) image.data = copy(image.data);
    return { buffer: image.data.buffer as ArrayBuffer, copiedFirst };
  });
  let refused = 0;
  try {
    sink.postMessage(message, sent.map((s) => s.buffer));
  } catch (err) {
    if ((err as Error)?.name !== 'DataCloneError') throw err;
    images.forEach((image, k) => {
      if (sent[k].copiedFirst) return;
      image.data = copy(image.data);
      refused++;
    });
    sink.postMessage(message, images.map((image) => image.data.buffer as ArrayBuffer));
  }
  const transferred = sent.filter((s) => !s.copiedFirst && s.buffer.byteLength === 0).length;
  const cloned = refused > 0 ? 0 : sent.filter((s) => !s.copiedFirst && s.buffer.byteLength > 0).length;
  return { transferred, copied: images.length - transferred, reused, unmovable: refused + cloned };
}
