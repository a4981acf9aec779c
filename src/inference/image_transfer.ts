/**
 * Moving a frame's image buffers to the reasoning worker without copying them where that is
 * possible, and with one copy where it is not.
 *
 * Two kinds of buffer cannot be moved:
 * - a view into a larger buffer (a pool): moving the whole buffer would take memory that is not
 *   the image's, so the image is copied into a buffer of its own first;
 * - memory the middleware owns: rclnodejs hands a received uint8[] over as an ArrayBuffer over
 *   its own allocation, which Node cannot detach. Node 20 silently clones such a buffer when it is
 *   in the transfer list; Node 21 and later throw a DataCloneError instead, and the images are then
 *   copied into buffers of their own and sent again.
 * Each image is counted as moved only when its buffer really was detached by the send.
 */
import { isSoleView, soleView } from '../core/messages/owned_bytes.js';

/** The part of a MessagePort / Worker this needs. */
export interface MessageSink {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

export interface TransferCount {
  /** Image buffers that moved to the other thread as they were. */
  transferred: number;
  /** Images that were copied on the way (first here, or by the structured clone). */
  copied: number;
}

/**
 * Posts `message`, moving the buffers of `images` (objects inside `message`). `data` of an image
 * may be replaced by a copy, so read the images through `message`, not through older references.
 */
export function postWithImages(sink: MessageSink, message: unknown, images: { data: Uint8Array }[]): TransferCount {
  const sent = images.map((image) => {
    const copiedFirst = !isSoleView(image.data);
    image.data = soleView(image.data);
    return { buffer: image.data.buffer as ArrayBuffer, copiedFirst };
  });
  try {
    sink.postMessage(message, sent.map((s) => s.buffer));
  } catch (err) {
    if ((err as Error)?.name !== 'DataCloneError') throw err;
    images.forEach((image, k) => {
      if (!sent[k].copiedFirst) image.data = new Uint8Array(image.data);
    });
    sink.postMessage(message, images.map((image) => image.data.buffer as ArrayBuffer));
  }
  const transferred = sent.filter((s) => !s.copiedFirst && s.buffer.byteLength === 0).length;
  return { transferred, copied: images.length - transferred };
}
