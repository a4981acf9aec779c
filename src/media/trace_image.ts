/**
 * The `~/trace_image` overlay: the camera frame with the visual trace (a polyline and numbered
 * points; start green, end red) and the instruction written along the top. Raw rgb8 out, as
 * encoding to PNG would cost several times more than the drawing itself.
 *
 * It is drawn at camera rate, so the work per frame is only what changes: the polyline and the
 * discs are drawn straight into a copy of the frame through a coverage mask (a dark outline
 * under the line, so it shows on bright and dark scenes alike). Text needs a font renderer: the
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
  const style = styleFor(width, height, opts);
  const out = new Uint8Array(rgb.data);
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

/** A rectangle of the image, in pixels (inclusive bounds). */
interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The polyline: a dark outline (60 % black, `base` px wider on each side) under the line colour.
 * Coverage is marked in a mask first, so overlapping segments blend once; the mask covers only the
 * trace's bounding box, so the cost follows the trace, not the size of the image.
 */
function drawPolyline(image: RgbImage, points: readonly PixelCoord[], style: Style): void {
  if (points.length < 2) return;
  const { width, height, data } = image;
  const inner = style.lineWidth / 2;
  const outer = inner + style.base;
  const box: Box = {
    left: Math.max(0, Math.floor(Math.min(...points.map((p) => p.u)) - outer)),
    top: Math.max(0, Math.floor(Math.min(...points.map((p) => p.v)) - outer)),
    right: Math.min(width - 1, Math.ceil(Math.max(...points.map((p) => p.u)) + outer)),
    bottom: Math.min(height - 1, Math.ceil(Math.max(...points.map((p) => p.v)) + outer)),
  };
  if (box.left > box.right || box.top > box.bottom) return; // wholly outside the image
  const boxWidth = box.right - box.left + 1;
  const mask = new Uint8Array(boxWidth * (box.bottom - box.top + 1)); // 1 outline, 2 line
  for (let i = 0; i + 1 < points.length; i++) {
    markSegment(mask, box, points[i], points[i + 1], outer, 1);
    markSegment(mask, box, points[i], points[i + 1], inner, 2);
  }
  const [lr, lg, lb] = style.line;
  for (let v = box.top, i = 0; v <= box.bottom; v++) {
    for (let u = box.left, p = (v * width + u) * 3; u <= box.right; u++, i++, p += 3) {
      const m = mask[i];
      if (m === 0) continue;
      if (m === 2) {
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

/** Marks with `value` the pixels of `box` whose centre lies within `radius` of the segment a-b (rounded caps and joins). */
function markSegment(mask: Uint8Array, box: Box, a: PixelCoord, b: PixelCoord, radius: number, value: number): void {
  const u0 = Math.max(box.left, Math.floor(Math.min(a.u, b.u) - radius));
  const u1 = Math.min(box.right, Math.ceil(Math.max(a.u, b.u) + radius));
  const v0 = Math.max(box.top, Math.floor(Math.min(a.v, b.v) - radius));
  const v1 = Math.min(box.bottom, Math.ceil(Math.max(a.v, b.v) + radius));
  const boxWidth = box.right - box.left + 1;
  const du = b.u - a.u;
  const dv = b.v - a.v;
  const length2 = du * du + dv * dv;
  const r2 = radius * radius;
  for (let v = v0; v <= v1; v++) {
    // The columns of this row within reach of the segment: where the infinite line passes, widened.
    let from = u0;
    let to = u1;
    if (Math.abs(dv) > 1e-9) {
      const t0 = (v - a.v - radius) / dv;
      const t1 = (v - a.v + radius) / dv;
      const uA = a.u + du * Math.max(0, Math.min(1, Math.min(t0, t1)));
      const uB = a.u + du * Math.max(0, Math.min(1, Math.max(t0, t1)));
      const slack = radius * Math.hypot(du, dv) / Math.abs(dv);
      from = Math.max(u0, Math.floor(Math.min(uA, uB) - slack));
      to = Math.min(u1, Math.ceil(Math.max(uA, uB) + slack));
    }
    for (let u = from; u <= to; u++) {
      const t = length2 > 0 ? Math.max(0, Math.min(1, ((u - a.u) * du + (v - a.v) * dv) / length2)) : 0;
      const eu = a.u + t * du - u;
      const ev = a.v + t * dv - v;
      if (eu * eu + ev * ev <= r2) {
        const i = (v - box.top) * boxWidth + (u - box.left);
        if (mask[i] < value) mask[i] = value;
      }
    }
  }
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
  for (let y = Math.max(0, -top); y < sprite.height && top + y < height; y++) {
    for (let x = Math.max(0, -left); x < sprite.width && left + x < width; x++) {
      const s = (y * sprite.width + x) * 4;
      const alpha = sprite.rgba[s + 3];
      if (alpha === 0) continue;
      const p = ((top + y) * width + left + x) * 3;
      const a = alpha / 255;
      data[p] = data[p] + (sprite.rgba[s] - data[p]) * a;
      data[p + 1] = data[p + 1] + (sprite.rgba[s + 1] - data[p + 1]) * a;
      data[p + 2] = data[p + 2] + (sprite.rgba[s + 2] - data[p + 2]) * a;
    }
  }
}
