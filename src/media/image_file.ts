/**
 * Image files and libvips' threads, for the command-line tools.
 */
import sharp from 'sharp';
import type { RgbImage } from '../core/messages/images.js';

/** A PNG, JPEG (or anything libvips reads) as packed 8-bit RGB. */
export async function readRgbFile(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Runs `work` with libvips held to `threads` threads (the one-core figures of the benchmark). */
export async function withImageThreads<T>(threads: number, work: () => Promise<T>): Promise<T> {
  const before = sharp.concurrency();
  sharp.concurrency(threads);
  try {
    return await work();
  } finally {
    sharp.concurrency(before);
  }
}
