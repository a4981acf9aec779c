/**
 * An RGB image as a PNG whose pixel data is stored without compression (zlib "stored" blocks,
 * filter type 0 on every row): lossless and quick to write. A PNG is a signature and chunks of
 * length, type, data and CRC-32 (RFC 2083); the zlib stream is a two-byte header, blocks of at
 * most 65535 bytes each behind a five-byte header, and an Adler-32 (RFC 1950, 1951).
 *
 * Written here rather than with sharp: libvips' fixed cost per call (about 0.7 ms) and a new
 * buffer per image are most of what writing 256x256 pixels costs on a robot computer; this writes
 * into a buffer the caller keeps, in about 0.3 ms. Any PNG reader decodes it (the tests use sharp).
 */
import { crc32 } from 'node:zlib';
import type { RgbImage } from '../core/model/types.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const BLOCK = 65535;
const FILTER_NONE = new Uint8Array([0]);

/** Bytes of the PNG of an image of this size. */
export function storedPngLength(width: number, height: number): number {
  const raw = (width * 3 + 1) * height;
  const zlib = 2 + raw + 5 * Math.max(1, Math.ceil(raw / BLOCK)) + 4;
  return SIGNATURE.length + (12 + 13) + (12 + zlib) + 12;
}

/** Writes the PNG into `out` from 0 and returns its length. */
export function writeStoredPng(rgb: RgbImage, out: Buffer): number {
  const rowBytes = rgb.width * 3;
  const raw = (rowBytes + 1) * rgb.height;
  let o = 0;
  for (const byte of SIGNATURE) out[o++] = byte;

  o = beginChunk(out, o, 13, 'IHDR');
  out.writeUInt32BE(rgb.width, o);
  out.writeUInt32BE(rgb.height, o + 4);
  out[o + 8] = 8; // bits per channel
  out[o + 9] = 2; // colour type RGB
  out[o + 10] = 0; // compression
  out[o + 11] = 0; // filter method
  out[o + 12] = 0; // no interlace
  o = endChunk(out, o + 13, 13);

  const zlibLength = 2 + raw + 5 * Math.max(1, Math.ceil(raw / BLOCK)) + 4;
  o = beginChunk(out, o, zlibLength, 'IDAT');
  out[o++] = 0x78; // deflate, 32 KB window
  out[o++] = 0x01; // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  // The filtered rows (a 0 before each row) as stored blocks of at most BLOCK bytes.
  let written = 0;
  let blockLeft = 0;
  const put = (bytes: Uint8Array): void => {
    for (let p = 0; p < bytes.length; ) {
      if (blockLeft === 0) {
        blockLeft = Math.min(BLOCK, raw - written);
        out[o] = written + blockLeft === raw ? 1 : 0; // the last block?
        out.writeUInt16LE(blockLeft, o + 1);
        out.writeUInt16LE(~blockLeft & 0xffff, o + 3);
        o += 5;
      }
      const n = Math.min(blockLeft, bytes.length - p);
      out.set(bytes.subarray(p, p + n), o);
      o += n;
      p += n;
      blockLeft -= n;
      written += n;
    }
  };
  for (let y = 0; y < rgb.height; y++) {
    put(FILTER_NONE);
    put(rgb.data.subarray(y * rowBytes, (y + 1) * rowBytes));
  }
  out.writeUInt32BE(adler32(rgb.data, rowBytes, rgb.height), o);
  o = endChunk(out, o + 4, zlibLength);

  o = beginChunk(out, o, 0, 'IEND');
  return endChunk(out, o, 0);
}

function beginChunk(out: Buffer, o: number, length: number, type: string): number {
  out.writeUInt32BE(length, o);
  out.write(type, o + 4, 'latin1');
  return o + 8;
}

/** Writes the CRC over the chunk's type and data, which end at `end`. */
function endChunk(out: Buffer, end: number, length: number): number {
  out.writeUInt32BE(crc32(out.subarray(end - length - 4, end)), end);
  return end + 4;
}

/** Adler-32 of the filtered rows: each row's filter byte (0), then its pixels. */
function adler32(data: Uint8Array, rowBytes: number, rows: number): number {
  let a = 1;
  let b = 0;
  for (let y = 0; y < rows; y++) {
    b += a; // the filter byte 0
    const end = (y + 1) * rowBytes;
    for (let i = y * rowBytes; i < end; ) {
      // Fold before the sums could pass 2^53 (far above what 4096 bytes can add).
      const stop = Math.min(end, i + 4096);
      for (; i < stop; i++) {
        a += data[i];
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
  }
  return ((b << 16) | a) >>> 0;
}
