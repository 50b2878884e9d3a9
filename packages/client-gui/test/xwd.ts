import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

/** An image as 8-bit RGB rows. */
export interface Rgb {
  width: number;
  height: number;
  pixels: Buffer;
}

/**
 * Reads the screen Xvfb keeps in `-fbdir` (an XWD dump, 24-bit TrueColor at
 * 32 bits per pixel), so a test can see the real X screen with no extra tool.
 */
export function readXwd(path: string): Rgb {
  const file = readFileSync(path);
  const field = (i: number) => file.readUInt32BE(i * 4);
  const headerSize = field(0);
  const width = field(4);
  const height = field(5);
  const byteOrder = field(7);
  const bitsPerPixel = field(11);
  const bytesPerLine = field(12);
  const colormapEntries = field(19);
  if (bitsPerPixel !== 32) throw new Error(`unexpected XWD depth ${bitsPerPixel}`);
  const start = headerSize + colormapEntries * 12;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = start + y * bytesPerLine + x * 4;
      const value = byteOrder === 0 ? file.readUInt32LE(at) : file.readUInt32BE(at);
      const out = (y * width + x) * 3;
      pixels[out] = (value >> 16) & 0xff;
      pixels[out + 1] = (value >> 8) & 0xff;
      pixels[out + 2] = value & 0xff;
    }
  }
  return { width, height, pixels };
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGB as a PNG. */
export function toPng(image: Rgb): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0);
  header.writeUInt32BE(image.height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((image.width * 3 + 1) * image.height);
  for (let y = 0; y < image.height; y++) {
    image.pixels.copy(
      rows,
      y * (image.width * 3 + 1) + 1,
      y * image.width * 3,
      (y + 1) * image.width * 3,
    );
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** How many different colours an image has (a blank screen has one or two). */
export function colourCount(image: Rgb): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.pixels.length; i += 3)
    seen.add((image.pixels[i]! << 16) | (image.pixels[i + 1]! << 8) | image.pixels[i + 2]!);
  return seen.size;
}

/** The colour at a point, as `[r, g, b]`. */
export function pixel(image: Rgb, x: number, y: number): [number, number, number] {
  const at = (y * image.width + x) * 3;
  return [image.pixels[at]!, image.pixels[at + 1]!, image.pixels[at + 2]!];
}

/** The first row, from `from` down, whose pixels from `x0` to `x1` all pass `test`; -1 if none. */
export function firstRow(
  image: Rgb,
  from: number,
  x0: number,
  x1: number,
  test: (rgb: [number, number, number]) => boolean,
): number {
  for (let y = from; y < image.height; y++) {
    let all = true;
    for (let x = x0; x < x1 && all; x++) all = test(pixel(image, x, y));
    if (all) return y;
  }
  return -1;
}
