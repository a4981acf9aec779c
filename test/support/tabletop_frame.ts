import { TabletopWorld } from '../../src/apps/sim/world.js';
import type { RgbImage } from '../../src/core/model/types.js';

/**
 * A 640x480 camera frame for the image tests, rendered by the tabletop world (a table, a plate,
 * blocks and the arm, with shading): the same picture for the same seed.
 */
export function tabletopFrame(seed = 11): RgbImage {
  const rgb = TabletopWorld.create({ seed }).render().rgb;
  return { width: rgb.width, height: rgb.height, data: rgb.data };
}
