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

/**
 * Metric depth read pixel by pixel, for when only a few pixels are needed (lifting a trace): no
 * whole-image decode, no image-sized allocation. metresAt(x, y) takes integer pixel coordinates
 * inside the image and returns NaN where there is no measurement.
 */
export interface DepthSampler {
  width: number;
  height: number;
  metresAt(x: number, y: number): number;
}
