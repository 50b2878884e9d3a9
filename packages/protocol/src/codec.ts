import type { ClientFrame, ServerFrame } from './frames.js';
import { LIMITS } from './limits.js';
import type { FrameError, RawFrame } from './validate.js';

const LF = 0x0a;
const CR = 0x0d;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** A decoded frame, or a coded error for one line. */
export type ParseResult = { ok: true; frame: RawFrame } | { ok: false; error: FrameError };

const NOT_AN_OBJECT: ParseResult = {
  ok: false,
  error: { code: 'bad_frame', message: 'a frame must be a JSON object with a string "type"' },
};
const NOT_JSON: ParseResult = {
  ok: false,
  error: { code: 'bad_frame', message: 'the line is not valid JSON' },
};
const NOT_UTF8: ParseResult = {
  ok: false,
  error: { code: 'bad_frame', message: 'the line is not valid UTF-8' },
};

/**
 * Parses one frame from its JSON text (a line without its ending, or a
 * WebSocket text message). Never throws. `JSON.parse` makes `__proto__` an
 * own data property, so parsing alone cannot pollute a prototype.
 */
export function parseFrameText(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NOT_AN_OBJECT;
  if (typeof (value as { type?: unknown }).type !== 'string') return NOT_AN_OBJECT;
  return { ok: true, frame: value as RawFrame };
}

/** Parses one frame from the UTF-8 bytes of a line (without its ending). Never throws. */
export function parseFrameBytes(bytes: Uint8Array): ParseResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return NOT_UTF8;
  }
  return parseFrameText(text);
}

/** Where a decoder delivers what it finds. */
export interface DecoderSink {
  frame(frame: RawFrame): void;
  error(error: FrameError): void;
}

/** Options of {@link LineDecoder} and {@link NdjsonDecoder}. */
export interface DecoderOptions {
  /** Maximum bytes of one line, its ending included. @default 65536 */
  maxFrameBytes?: number;
}

/** Where a line decoder delivers what it finds. */
export interface LineSink {
  /** One line without its ending (`\n`, or `\r\n`); never empty. */
  line(bytes: Uint8Array): void;
  /** A line passed the limit; the rest of it is discarded. */
  tooLarge(): void;
}

/**
 * An incremental splitter of byte chunks into lines. Any split of the input
 * into chunks yields the same lines. `\r\n` is accepted, empty lines are
 * skipped, and a line longer than the limit is reported once, as soon as it
 * is known, and the rest of it discarded: the decoder never holds more than
 * one maximum line. Complete lines inside a chunk are passed as views of it,
 * without copying; a sink that keeps one must copy it.
 */
export class LineDecoder {
  readonly maxLineBytes: number;
  // Bytes of an unfinished line; allocated only when a line spans chunks.
  private pending: Uint8Array | undefined;
  private pendingLength = 0;
  // True while discarding the rest of an oversized line.
  private discarding = false;

  constructor(options: DecoderOptions = {}) {
    this.maxLineBytes = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
  }

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  /** Feeds one chunk; calls the sink for every complete line in it. */
  push(chunk: Uint8Array, sink: LineSink): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        this.hold(chunk, start, chunk.length, sink);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pendingLength > 0) {
        if (this.pendingLength + (newline - start) + 1 > this.maxLineBytes) {
          this.pendingLength = 0;
          sink.tooLarge();
        } else {
          this.hold(chunk, start, newline, sink);
          const line = this.pending!.subarray(0, this.pendingLength);
          this.pendingLength = 0;
          this.emit(line, sink);
        }
      } else if (newline - start + 1 > this.maxLineBytes) {
        sink.tooLarge();
      } else {
        this.emit(chunk.subarray(start, newline), sink);
      }
      start = newline + 1;
    }
  }

  /** Drops any unfinished line (the connection ended). */
  reset(): void {
    this.pendingLength = 0;
    this.discarding = false;
    this.pending = undefined;
  }

  private hold(chunk: Uint8Array, from: number, to: number, sink: LineSink): void {
    if (this.discarding || from === to) return;
    const length = this.pendingLength + (to - from);
    // Even the shortest ending (`\n`) would not fit: refuse now, keep nothing.
    if (length + 1 > this.maxLineBytes) {
      this.pendingLength = 0;
      this.pending = undefined;
      this.discarding = true;
      sink.tooLarge();
      return;
    }
    if (!this.pending || this.pending.length < length) {
      const size = Math.min(this.maxLineBytes, Math.max(length, 2 * (this.pending?.length ?? 256)));
      const grown = new Uint8Array(size);
      if (this.pending) grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(chunk.subarray(from, to), this.pendingLength);
    this.pendingLength = length;
  }

  private emit(line: Uint8Array, sink: LineSink): void {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    if (end === 0) return;
    sink.line(end === line.length ? line : line.subarray(0, end));
  }
}

/**
 * An incremental decoder of newline-delimited JSON from byte chunks: a
 * {@link LineDecoder} whose lines are parsed as frames. Lines that are not
 * UTF-8, JSON, or objects with a string `type` are `bad_frame`; a line over
 * the limit is one `frame_too_large`. It is its own line sink and builds
 * nothing per instance but its line buffer: servers hold one per connection.
 */
export class NdjsonDecoder implements LineSink {
  private readonly lines: LineDecoder;
  private sink: DecoderSink | undefined;

  constructor(options: DecoderOptions = {}) {
    this.lines = new LineDecoder(options);
  }

  /** The frame limit, line ending included. */
  get maxFrameBytes(): number {
    return this.lines.maxLineBytes;
  }

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.lines.bufferedBytes;
  }

  /** Feeds one chunk; calls the sink for every complete line in it. */
  push(chunk: Uint8Array, sink: DecoderSink): void {
    this.sink = sink;
    this.lines.push(chunk, this);
  }

  /** Drops any unfinished line (the connection ended). */
  reset(): void {
    this.lines.reset();
  }

  /** @internal A complete line, from the line decoder. */
  line(bytes: Uint8Array): void {
    const result = parseFrameBytes(bytes);
    if (result.ok) this.sink!.frame(result.frame);
    else this.sink!.error(result.error);
  }

  /** @internal A line over the limit, from the line decoder. */
  tooLarge(): void {
    this.sink!.error({
      code: 'frame_too_large',
      message: `a frame must be at most ${this.lines.maxLineBytes} bytes`,
    });
  }
}

/** The JSON text of a frame, without a line ending (one WebSocket message). */
export function encodeFrameText(frame: ServerFrame | ClientFrame): string {
  return JSON.stringify(frame);
}

/**
 * The exact bytes of a frame on a JSON stream: its JSON and `\n`. Encode a
 * broadcast once and write the same bytes to every recipient.
 */
export function encodeFrame(frame: ServerFrame | ClientFrame): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(frame) + '\n');
}

/** UTF-8 bytes of a string. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
