/**
 * Pictures of an episode: the frames the policy reasoned about, each with its trace and the
 * instruction drawn (as ~/trace_image shows them), tiled into one PNG.
 */
import sharp from 'sharp';
import { traceToPixels } from '../core/model/decode.js';
import { renderTraceImage } from './trace_image.js';
import type { RgbImage, TracePoints } from '../core/model/types.js';

/** A frame of an episode to show: the picture, the trace the actions followed, what was asked. */
export interface StripFrame {
  rgb: RgbImage;
  trace: TracePoints | null;
  instruction: string;
  /** Reasoning steps before this one. */
  step: number;
  traceOverridden: boolean;
}

/** Writes up to `columns * rows` frames, evenly spread over the episode, as one PNG. */
export async function writeEpisodeStrip(records: readonly StripFrame[], file: string, columns = 4, rows = 2): Promise<void> {
  if (records.length === 0) return;
  const count = Math.min(records.length, columns * rows);
  const picked = Array.from({ length: count }, (_, i) => records[Math.round((i * (records.length - 1)) / Math.max(1, count - 1))]);
  const tileWidth = 320;
  const tileHeight = Math.round((records[0].rgb.height * tileWidth) / records[0].rgb.width);
  const tiles = await Promise.all(
    picked.map(async (record) => {
      const pixels = record.trace ? traceToPixels(record.trace, record.rgb.width, record.rgb.height) : [];
      const label = `${record.instruction}  (step ${record.step}${record.traceOverridden ? ', steered' : ''})`;
      const drawn = await renderTraceImage(record.rgb, pixels, label);
      return sharp(drawn.data, { raw: { width: drawn.width, height: drawn.height, channels: 3 } })
        .resize(tileWidth, tileHeight)
        .png()
        .toBuffer();
    }),
  );
  const rowsUsed = Math.ceil(count / columns);
  await sharp({ create: { width: tileWidth * Math.min(columns, count), height: tileHeight * rowsUsed, channels: 3, background: { r: 20, g: 20, b: 20 } } })
    .composite(tiles.map((input, i) => ({ input, left: (i % columns) * tileWidth, top: Math.floor(i / columns) * tileHeight })))
    .png()
    .toFile(file);
}
