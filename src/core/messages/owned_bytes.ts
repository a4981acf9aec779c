/**
 * Byte arrays that are the only view of their ArrayBuffer. Two consumers need that: moving a
 * buffer to another thread (the transfer takes the whole ArrayBuffer), and rclnodejs, which
 * serialises a typed-array field from its whole underlying buffer, ignoring the view's offset.
 */

export function isSoleView(data: Uint8Array): boolean {
  return data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
}

/** `data` itself when it is the sole view of its buffer, otherwise a copy that is. */
export function soleView(data: Uint8Array): Uint8Array {
  return isSoleView(data) ? data : new Uint8Array(data);
}
