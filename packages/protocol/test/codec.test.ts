import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FrameError, RawFrame } from '../src/index.js';
import { NdjsonDecoder, encodeFrame, encodeUtf8, parseFrameText } from '../src/index.js';

type Event = { frame: RawFrame } | { error: FrameError['code'] };

function decodeChunks(chunks: Uint8Array[], maxFrameBytes?: number): Event[] {
  const decoder = new NdjsonDecoder(maxFrameBytes === undefined ? {} : { maxFrameBytes });
  const events: Event[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk, {
      frame: (frame) => events.push({ frame }),
      error: (error) => events.push({ error: error.code }),
    });
    expect(decoder.bufferedBytes).toBeLessThan(decoder.maxFrameBytes);
  }
  return events;
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

const sample = encodeUtf8(
  [
    '{"type":"hello","version":1,"name":"ada"}',
    '',
    '{"type":"say","room":"#general","text":"héllo 🌍\\nsecond line"}\r',
    'not json',
    '[1,2]',
    '{"type":3}',
    '{"type":"ping"}',
    '',
  ].join('\n'),
);

describe('NdjsonDecoder', () => {
  it('decodes frames and codes each bad line as bad_frame', () => {
    const events = decodeChunks([sample]);
    expect(events).toEqual([
      { frame: { type: 'hello', version: 1, name: 'ada' } },
      { frame: { type: 'say', room: '#general', text: 'héllo 🌍\nsecond line' } },
      { error: 'bad_frame' },
      { error: 'bad_frame' },
      { error: 'bad_frame' },
      { frame: { type: 'ping' } },
    ]);
  });

  it('yields the same frames for the input split at every byte', () => {
    const whole = decodeChunks([sample]);
    for (let cut = 0; cut <= sample.length; cut++) {
      expect(decodeChunks(splitAt(sample, [cut]))).toEqual(whole);
    }
    // One byte at a time.
    expect(decodeChunks(Array.from(sample, (b) => Uint8Array.of(b)))).toEqual(whole);
  });

  it('yields the same frames for any chunking (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(decodeChunks(splitAt(sample, cuts))).toEqual(decodeChunks([sample]));
      }),
    );
  });

  it('codes a line that is not UTF-8 as bad_frame and goes on', () => {
    const bytes = Uint8Array.of(
      ...encodeUtf8('{"type":"'),
      0xff,
      0xfe,
      ...encodeUtf8('x"}\n{"type":"ping"}\n'),
    );
    expect(decodeChunks([bytes])).toEqual([{ error: 'bad_frame' }, { frame: { type: 'ping' } }]);
  });

  it('accepts a frame of exactly the limit, line ending included, and refuses one byte more', () => {
    const frameOf = (size: number) => {
      const head = '{"type":"say","text":"';
      const tail = '"}\n';
      return encodeUtf8(head + 'x'.repeat(size - head.length - tail.length) + tail);
    };
    expect(decodeChunks([frameOf(100)], 100)).toHaveLength(1);
    expect(decodeChunks([frameOf(100)], 100)[0]).toHaveProperty('frame');
    expect(decodeChunks([frameOf(101)], 100)).toEqual([{ error: 'frame_too_large' }]);
  });

  it('refuses an endless line once, without holding more than the limit', () => {
    const decoder = new NdjsonDecoder({ maxFrameBytes: 1024 });
    const errors: string[] = [];
    const sink = {
      frame: () => errors.push('frame'),
      error: (e: FrameError) => errors.push(e.code),
    };
    const chunk = new Uint8Array(300).fill(0x61);
    for (let i = 0; i < 100; i++) {
      decoder.push(chunk, sink);
      expect(decoder.bufferedBytes).toBeLessThan(1024);
    }
    expect(errors).toEqual(['frame_too_large']);
    // The rest of that line is discarded; the next line decodes.
    decoder.push(encodeUtf8('aaa\n{"type":"ping"}\n'), sink);
    expect(errors).toEqual(['frame_too_large', 'frame']);
  });

  it('never throws on random bytes, and holds less than the limit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        // decodeChunks checks after every chunk that less than the limit is held.
        const events = decodeChunks(chunks, 512);
        // At most one outcome a line (the last may be cut short), each a frame or a known error.
        const lines = chunks.reduce((n, c) => n + c.filter((b) => b === 0x0a).length, 0);
        expect(events.length).toBeLessThanOrEqual(lines + 1);
        for (const event of events)
          if ('error' in event) expect(['bad_frame', 'frame_too_large']).toContain(event.error);
          else expect(typeof event.frame).toBe('object');
      }),
    );
  });

  it('round-trips any frame through encode and decode (property)', () => {
    const frame = fc.record({
      type: fc.constantFrom('say', 'message', 'hello'),
      text: fc.string({ unit: 'grapheme', maxLength: 200 }),
      n: fc.integer(),
      nested: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.boolean(), fc.constant(null))),
    });
    fc.assert(
      fc.property(frame, fc.array(fc.nat(), { maxLength: 5 }), (value, cuts) => {
        const bytes = encodeFrame(value as never);
        expect(bytes[bytes.length - 1]).toBe(0x0a);
        expect(decodeChunks(splitAt(bytes, cuts))).toEqual([{ frame: value }]);
      }),
    );
  });
});

describe('parseFrameText', () => {
  it('keeps __proto__ as plain data and pollutes nothing', () => {
    const result = parseFrameText(
      '{"type":"say","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
    );
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses objects without a string type', () => {
    for (const text of ['{}', '{"type":null}', '"say"', 'null', '1', '[]']) {
      expect(parseFrameText(text)).toMatchObject({ ok: false, error: { code: 'bad_frame' } });
    }
  });
});
