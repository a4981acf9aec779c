/**
 * The `~/trace_image` overlay: the camera frame with the visual trace (a polyline and numbered
 * points; start green, end red) and the instruction written along the top. Raw rgb8 out, as
 * encoding to PNG would cost several times more than the drawing itself.
 *
 * It is drawn at camera rate, so the work per frame is only what changes: the polyline (over a
 * dark outline, so it shows on bright and dark scenes alike) and the discs are drawn straight into
 * the frame's pixels, a copy unless the caller gives the frame up. Text needs a font renderer: the
 * instruction band and the point numbers are rendered by sharp (SVG text) once per text and
 * size, cached, and blended in.
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
  /**
   * Draw on the frame's own pixels instead of a copy: for a caller that gives the frame up (the
   * reasoning worker, which owns it once the step is done), it saves copying the whole image.
   */
  inPlace?: boolean;
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

interface Style {
  base: number;
  lineWidth: number;
  radius: number;
  fontSize: number;
  line: Rgb;
  start: Rgb;
  end: Rgb;
  point: Rgb;
}

type Rgb = [number, number, number];

function styleFor(width: number, height: number, opts: TraceImageOptions): Style {
  const base = Math.max(0.5, Math.max(width, height) / 640);
  return {
    base,
    lineWidth: opts.lineWidth ?? 3 * base,
    radius: opts.pointRadius ?? 9 * base,
    fontSize: opts.fontSize ?? 16 * base,
    line: hexColour(opts.lineColour ?? '#ffd21f'),
    start: hexColour(opts.startColour ?? '#1fd655'),
    end: hexColour(opts.endColour ?? '#ff3b30'),
    point: hexColour(opts.pointColour ?? '#ffd21f'),
  };
}

function hexColour(text: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  if (!m) throw new Error(`trace image colour: expected #rrggbb, got "${text}"`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** The instruction band as SVG: a translucent black strip along the top with the text in white. */
export function instructionBandSvg(width: number, instruction: string, fontSize: number): { svg: string; height: number } | null {
  const text = fitText(instruction, Math.floor((width - fontSize) / (fontSize * 0.55)));
  if (text.length === 0) return null;
  const height = Math.ceil(fontSize * 1.6);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#000" fill-opacity="0.55"/>` +
    `<text x="${fmt(fontSize / 2)}" y="${fmt(height * 0.7)}" font-size="${fmt(fontSize)}" fill="#fff">${escapeXml(text)}</text>` +
    '</svg>';
  return { svg, height };
}

/** An RGBA raster of some text, rendered once by sharp. */
interface Sprite {
  width: number;
  height: number;
  rgba: Uint8Array;
}

const spriteCache = new Map<string, Promise<Sprite>>();

function cachedSprite(key: string, svg: string): Promise<Sprite> {
  let sprite = spriteCache.get(key);
  if (!sprite) {
    if (spriteCache.size >= 64) spriteCache.delete(spriteCache.keys().next().value!);
    sprite = sharp(Buffer.from(svg))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }) => ({ width: info.width, height: info.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) }));
    // A failed render is not kept: the next frame tries again.
    sprite.catch(() => spriteCache.delete(key));
    spriteCache.set(key, sprite);
  }
  return sprite;
}

/** A point's number, black bold, centred in a square of `size`. */
function numberSprite(label: string, size: number): Promise<Sprite> {
  const side = Math.ceil(size * 2);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" font-family="DejaVu Sans, sans-serif">` +
    `<text x="${fmt(side / 2)}" y="${fmt(side / 2 + size * 0.36)}" font-size="${fmt(size)}" text-anchor="middle" fill="#000" font-weight="bold">${label}</text></svg>`;
  return cachedSprite(`n:${label}:${side}`, svg);
}

/** The frame with the trace and instruction drawn on it, same size, packed rgb8 (a copy unless opts.inPlace). */
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
  const style = styleFor(width, height, opts);
  const out = opts.inPlace ? rgb.data : new Uint8Array(rgb.data);
  const image: RgbImage = { width, height, data: out };
  const points = pixels.filter((p) => Number.isFinite(p.u) && Number.isFinite(p.v));
  drawPolyline(image, points, style);
  const labelSize = style.radius * 1.2;
  const numbers = await Promise.all(points.map((_, i) => numberSprite(String(i), labelSize)));
  points.forEach((p, i) => {
    const fill = i === 0 ? style.start : i === points.length - 1 ? style.end : style.point;
    drawDisc(image, p.u, p.v, style.radius, fill, style.base);
    const sprite = numbers[i];
    blend(image, sprite, Math.round(p.u - sprite.width / 2), Math.round(p.v - sprite.height / 2));
  });
  const band = instructionBandSvg(width, instruction, style.fontSize);
  if (band) blend(image, await cachedSprite(`b:${width}:${style.fontSize}:${instruction}`, band.svg), 0, 0);
  return image;
}

/**
 * The polyline: a dark outline (60 % black, `base` px wider on each side) under the line colour.
 * Row by row, the spans the segments cover are merged first, so a pixel where segments overlap is
 * drawn once; only covered pixels are visited, so the cost follows the line's length, not the
 * size of the image or of the trace's bounding box.
 */
function drawPolyline(image: RgbImage, points: readonly PixelCoord[], style: Style): void {
  if (points.length < 2) return;
  const { width, height, data } = image;
  const inner = style.lineWidth / 2;
  const outer = inner + style.base;
  const top = Math.max(0, Math.ceil(Math.min(...points.map((p) => p.v)) - outer));
  const bottom = Math.min(height - 1, Math.floor(Math.max(...points.map((p) => p.v)) + outer));
  const [lr, lg, lb] = style.line;
  for (let v = top; v <= bottom; v++) {
    const outline = coveredSpans(points, outer, v, width);
    if (outline.length === 0) continue;
    const line = coveredSpans(points, inner, v, width);
    let k = 0; // the first line span that does not end before u
    for (let s = 0; s < outline.length; s += 2) {
      for (let u = outline[s], p = (v * width + u) * 3; u <= outline[s + 1]; u++, p += 3) {
        while (k < line.length && line[k + 1] < u) k += 2;
        if (k < line.length && line[k] <= u) {
          data[p] = lr;
          data[p + 1] = lg;
          data[p + 2] = lb;
        } else {
          data[p] = data[p] * 0.4;
          data[p + 1] = data[p + 1] * 0.4;
          data[p + 2] = data[p + 2] * 0.4;
        }
      }
    }
  }
}

/**
 * The pixels of row `v` (0 <= u < width) whose centre lies within `radius` of some segment of the
 * polyline: sorted, disjoint spans as [from, to, from, to, ...], inclusive.
 */
function coveredSpans(points: readonly PixelCoord[], radius: number, v: number, width: number): number[] {
  const spans: [number, number][] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const reach = segmentReach(points[i], points[i + 1], radius, v);
    if (!reach) continue;
    const from = Math.max(0, Math.ceil(reach[0]));
    const to = Math.min(width - 1, Math.floor(reach[1]));
    if (from <= to) spans.push([from, to]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  const merged: number[] = [];
  for (const [from, to] of spans) {
    const last = merged.length - 1; // the previous span's end, -1 for none
    if (last >= 0 && from <= merged[last] + 1) merged[last] = Math.max(merged[last], to);
    else merged.push(from, to);
  }
  return merged;
}

/**
 * Where row `v` meets the points within `radius` of the segment a-b (rounded caps): [lo, hi] in
 * u, or null. The shape is convex, so that is one interval: the union of what the row meets of the
 * two end discs and of the band between them.
 */
function segmentReach(a: PixelCoord, b: PixelCoord, radius: number, v: number): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const end of [a, b]) {
    const half2 = radius * radius - (v - end.v) ** 2;
    if (half2 >= 0) {
      const half = Math.sqrt(half2);
      lo = Math.min(lo, end.u - half);
      hi = Math.max(hi, end.u + half);
    }
  }
  const du = b.u - a.u;
  const dv = b.v - a.v;
  const length2 = du * du + dv * dv;
  if (length2 > 0) {
    // x = u - a.u within the band: |x dv - (v - a.v) du| <= radius |ab|, and
    // 0 <= x du + (v - a.v) dv <= |ab|^2 (the foot of the perpendicular lies on the segment).
    const reach = radius * Math.sqrt(length2);
    let left = -Infinity;
    let right = Infinity;
    const across = (v - a.v) * du;
    if (dv !== 0) {
      const x1 = (across - reach) / dv;
      const x2 = (across + reach) / dv;
      left = Math.max(left, Math.min(x1, x2));
      right = Math.min(right, Math.max(x1, x2));
    } else if (Math.abs(across) > reach) {
      left = Infinity;
    }
    const along = (v - a.v) * dv;
    if (du !== 0) {
      const x1 = -along / du;
      const x2 = (length2 - along) / du;
      left = Math.max(left, Math.min(x1, x2));
      right = Math.min(right, Math.max(x1, x2));
    } else if (along < 0 || along > length2) {
      left = Infinity;
    }
    if (left <= right) {
      lo = Math.min(lo, a.u + left);
      hi = Math.max(hi, a.u + right);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A filled disc with a black rim `rim` px wide. */
function drawDisc(image: RgbImage, cu: number, cv: number, radius: number, fill: Rgb, rim: number): void {
  const { width, height, data } = image;
  const outer2 = (radius + rim / 2) ** 2;
  const inner2 = (radius - rim / 2) ** 2;
  const reach = Math.ceil(radius + rim);
  for (let v = Math.max(0, Math.floor(cv) - reach); v <= Math.min(height - 1, Math.ceil(cv) + reach); v++) {
    for (let u = Math.max(0, Math.floor(cu) - reach); u <= Math.min(width - 1, Math.ceil(cu) + reach); u++) {
      const d2 = (u - cu) ** 2 + (v - cv) ** 2;
      if (d2 > outer2) continue;
      const p = (v * width + u) * 3;
      const colour = d2 >= inner2 ? [0, 0, 0] : fill;
      data[p] = colour[0];
      data[p + 1] = colour[1];
      data[p + 2] = colour[2];
    }
  }
}

/** Alpha-blends an RGBA sprite onto the image with its top-left corner at (left, top), clipped. */
function blend(image: RgbImage, sprite: Sprite, left: number, top: number): void {
  const { width, height, data } = image;
  const rgba = sprite.rgba;
  const x0 = Math.max(0, -left);
  const x1 = Math.min(sprite.width, width - left);
  for (let y = Math.max(0, -top); y < sprite.height && top + y < height; y++) {
    for (let x = x0, s = (y * sprite.width + x0) * 4, p = ((top + y) * width + left + x0) * 3; x < x1; x++, s += 4, p += 3) {
      const alpha = rgba[s + 3];
      if (alpha === 0) continue;
      // d + (s - d) * alpha / 255, rounded, in integers: (d * (255 - alpha) + s * alpha) / 255.
      const keep = 255 - alpha;
      data[p] = ((data[p] * keep + rgba[s] * alpha) * 257 + 32896) >>> 16;
      data[p + 1] = ((data[p + 1] * keep + rgba[s + 1] * alpha) * 257 + 32896) >>> 16;
      data[p + 2] = ((data[p + 2] * keep + rgba[s + 2] * alpha) * 257 + 32896) >>> 16;
    }
  }
}
