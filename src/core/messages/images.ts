/**
 * Decoded images, as the pipeline handles them between the messages and the model.
 */

/** An 8-bit RGB image, rows packed (HWC, no padding). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A depth image in metres; NaN marks pixels without a measurement. */
export interface DepthImage {
  width: number;
  height: number;
  data: Float32Array;
}
