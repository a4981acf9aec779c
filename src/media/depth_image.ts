/**
 * Metric depth as a picture for people: the colourised `~/depth_image`.
 */
import type { DepthImage, RgbImage } from '../core/model/types.js';

/**
 * 256-entry colour map from warm (index 0, near) to cool (index 255, far): hue 0 -> 240 degrees at
 * full saturation and value. Built once.
 */
const DEPTH_PALETTE: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const h = ((i / 255) * 240) / 60; // hue sector in [0, 4]
    const x = 1 - Math.abs((h % 2) - 1);
    const [r, g, b] = h < 1 ? [1, x, 0] : h < 2 ? [x, 1, 0] : h < 3 ? [0, 1, x] : [0, x, 1];
    lut[i * 3] = Math.round(r * 255);
    lut[i * 3 + 1] = Math.round(g * 255);
    lut[i * 3 + 2] = Math.round(b * 255);
  }
  return lut;
})();

/** Metres mapped to the ends of the colour scale. Missing ends are taken from the image itself. */
export interface DepthRange {
  min?: number;
  max?: number;
}

/**
 * A colourised rgb8 view of metric depth for `~/depth_image`: near is red, far is blue, pixels
 * without a measurement are black. With no fixed range the image's own valid min/max is used.
 */
export function colorizeDepth(depth: DepthImage, range: DepthRange = {}): RgbImage {
  const src = depth.data;
  let min = range.min ?? Infinity;
  let max = range.max ?? -Infinity;
  if (range.min === undefined || range.max === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < src.length; i++) {
      const m = src[i];
      if (m > 0 && m < Infinity) {
        if (m < lo) lo = m;
        if (m > hi) hi = m;
      }
    }
    if (range.min === undefined) min = lo;
    if (range.max === undefined) max = hi;
  }
  const out = new Uint8Array(src.length * 3);
  // Nothing valid at all: every pixel stays black.
  if (!(min <= max)) return { width: depth.width, height: depth.height, data: out };
  const scale = max > min ? 255 / (max - min) : 0;
  for (let i = 0, d = 0; i < src.length; i++, d += 3) {
    const m = src[i];
    if (!(m > 0 && m < Infinity)) continue;
    let k = Math.round((m - min) * scale);
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    out[d] = DEPTH_PALETTE[k * 3];
    out[d + 1] = DEPTH_PALETTE[k * 3 + 1];
    out[d + 2] = DEPTH_PALETTE[k * 3 + 2];
  }
  return { width: depth.width, height: depth.height, data: out };
}
