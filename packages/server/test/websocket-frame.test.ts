import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { textFrame } from '../src/transport/websocket-frame.js';

// ws's frame reader (not in its type declarations, but part of its exports).
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void };
};

/** Reads frames back with the `ws` library's own receiver: an independent check of the encoding. */
function decode(frame: Uint8Array): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString('utf8'));
  });
  receiver.write(Buffer.from(frame));
  return messages;
}

describe('textFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])(
    'frames a %i-byte payload as ws reads it',
    (length) => {
      const payload = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
      expect(decode(textFrame(new TextEncoder().encode(payload)))).toEqual([payload]);
    },
  );
});
