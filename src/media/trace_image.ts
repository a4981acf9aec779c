/**
 * The `~/trace_image` overlay: the camera frame with the visual trace (a polyline and numbered
 * points; start green, end red) and the instruction written along the top. Drawn as an SVG that
 * sharp composites onto the raw frame; the result stays raw rgb8 because encoding to PNG would cost
 * several times more than the drawing itself.
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/model/types.js';
import type { PixelCoord } from '../core/messages/camera_model.js';
import { MessageError } from '../core/messages/errors.js';

export interface TraceImageOptions {
  /** Polyline width, pixels. Defaults scale with the image (3 px at 640 wide). */
  lineWidth?: number;
  /** Point circle radius, pixels (9 px at 640 wide). */
  pointRadius?: number;
  /** Instruction font size, pixels (16 px at 640 wide). */
  fontSize?: number;
  lineColour?: string;
  startColour?: string;
  endColour?: string;
  /** Colour of the points between the first and the last. */
  pointColour?: string;
}

/** Text made safe inside an SVG element: XML-escaped, and without characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Cuts text to at most maxChars characters, marking the cut with an ellipsis. */
function fitText(text: string, maxChars: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= maxChars ? chars.join('') : chars.slice(0, Math.max(1, maxChars - 1)).join('') + '\u2026';
}

const fmt = (x: number): string => x.toFixed(1);

/** The SVG overlay for an image of width x height. Exported for tests and for reuse by other outputs. */
export function traceOverlaySvg(
  width: number,
  height: number,
  pixels: readonly PixelCoord[],
  instruction: string,
  opts: TraceImageOptions = {},
): string {
  const base = Math.max(0.5, Math.max(width, height) / 640);
  const lineWidth = opts.lineWidth ?? 3 * base;
  const radius = opts.pointRadius ?? 9 * base;
  const fontSize = opts.fontSize ?? 16 * base;
  const lineColour = opts.lineColour ?? '#ffd21f';
  const startColour = opts.startColour ?? '#1fd655';
  const endColour = opts.endColour ?? '#ff3b30';
  const pointColour = opts.pointColour ?? '#ffd21f';

  const pts = pixels.filter((p) => Number.isFinite(p.u) && Number.isFinite(p.v));
  const parts: string[] = [];

  if (pts.length >= 2) {
    const path = pts.map((p) => `${fmt(p.u)},${fmt(p.v)}`).join(' ');
    // A dark outline under the line keeps it visible on bright and dark scenes alike.
    parts.push(
      `<polyline points="${path}" fill="none" stroke="#000" stroke-opacity="0.6" stroke-width="${fmt(lineWidth + 2 * base)}" stroke-linejoin="round" stroke-linecap="round"/>`,
      `<polyline points="${path}" fill="none" stroke="${lineColour}" stroke-width="${fmt(lineWidth)}" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
  }
  const labelSize = radius * 1.2;
  pts.forEach((p, i) => {
    const fill = i === 0 ? startColour : i === pts.length - 1 ? endColour : pointColour;
    parts.push(
      `<circle cx="${fmt(p.u)}" cy="${fmt(p.v)}" r="${fmt(radius)}" fill="${fill}" stroke="#000" stroke-width="${fmt(base)}"/>`,
      `<text x="${fmt(p.u)}" y="${fmt(p.v + labelSize * 0.36)}" font-size="${fmt(labelSize)}" text-anchor="middle" fill="#000" font-weight="bold">${i}</text>`,
    );
  });

  const text = fitText(instruction, Math.floor((width - fontSize) / (fontSize * 0.55)));
  if (text.length > 0) {
    const band = fontSize * 1.6;
    parts.push(
      `<rect x="0" y="0" width="${width}" height="${fmt(band)}" fill="#000" fill-opacity="0.55"/>`,
      `<text x="${fmt(fontSize / 2)}" y="${fmt(band * 0.7)}" font-size="${fmt(fontSize)}" fill="#fff">${escapeXml(text)}</text>`,
    );
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">` +
    parts.join('') +
    '</svg>'
  );
}

/** The frame with the trace and instruction drawn on it, same size, packed rgb8. */
export async function renderTraceImage(
  rgb: RgbImage,
  pixels: readonly PixelCoord[],
  instruction: string,
  opts: TraceImageOptions = {},
): Promise<RgbImage> {
  const { width, height } = rgb;
  if (rgb.data.length !== width * height * 3) {
    throw new MessageError('bad_size', `trace image input: expected ${width * height * 3} bytes for ${width}x${height} rgb8, got ${rgb.data.length}`);
  }
  const svg = Buffer.from(traceOverlaySvg(width, height, pixels, instruction, opts));
  const input = Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength);
  const { data, info } = await sharp(input, { raw: { width, height, channels: 3 } })
    .composite([{ input: svg, left: 0, top: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`trace image: compositor returned ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
