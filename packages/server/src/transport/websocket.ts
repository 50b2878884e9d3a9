import type { FrameError } from '@confab/protocol';
import { parseFrameText } from '@confab/protocol';
import type { RawData, WebSocket } from 'ws';
import type { Outgoing } from '../core/outgoing.js';
import type { Connection, ConnectionHandler } from './connection.js';
import type { Flushable } from './flush-scheduler.js';
import type { StreamTransportContext } from './json-stream.js';

const BINARY: FrameError = {
  code: 'bad_frame',
  message: 'send frames as WebSocket text messages, not binary',
};
const NOT_UTF8: FrameError = { code: 'bad_frame', message: 'the message is not valid UTF-8' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Normal closure (RFC 6455). */
const NORMAL = 1000;

/** A WebSocket connection (`/ws`): one JSON object per text message. */
export class WebSocketConnection implements Connection, Flushable {
  readonly kind = 'ws' as const;
  private queue: Outgoing[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private dead = false;
  private handler: ConnectionHandler | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    readonly secure: boolean,
    private readonly context: StreamTransportContext,
  ) {}

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    this.ws.once('close', () => {
      this.dead = true;
      this.queue = [];
      handler.closed();
    });
    this.ws.on('error', () => undefined);
  }

  send(out: Outgoing): void {
    if (this.dead) return;
    const size = out.line.length;
    if (this.queuedBytes + size + this.ws.bufferedAmount > this.context.maxOutboundBytes) {
      this.context.stats.slowConsumers++;
      this.dead = true;
      this.queue = [];
      this.ws.send(
        JSON.stringify({
          type: 'error',
          code: 'slow_consumer',
          message: 'you read too slowly; disconnected',
        }),
      );
      this.ws.close(NORMAL, 'slow_consumer');
      setTimeout(() => this.ws.terminate(), 2_000).unref();
      return;
    }
    this.queue.push(out);
    this.queuedBytes += size;
    this.context.stats.framesOut++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.context.scheduler.schedule(this);
    }
  }

  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const out of queue) {
      const line = out.line;
      this.context.stats.bytesOut += line.length - 1;
      // The JSON stream's bytes without their `\n`: encoded once for both transports.
      this.ws.send(line.subarray(0, line.length - 1), { binary: false });
    }
  }

  end(): void {
    this.flush();
    this.dead = true;
    this.ws.close(NORMAL);
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  destroy(): void {
    this.dead = true;
    this.queue = [];
    this.ws.terminate();
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    if (this.handler) this.ws.resume();
  }

  private receive(data: RawData, isBinary: boolean): void {
    const handler = this.handler!;
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    this.context.stats.bytesIn += bytes.length;
    if (isBinary) return handler.decodeError(BINARY);
    if (bytes.length > this.context.maxFrameBytes) {
      handler.decodeError({
        code: 'frame_too_large',
        message: `a frame must be at most ${this.context.maxFrameBytes} bytes`,
      });
      return;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return handler.decodeError(NOT_UTF8);
    }
    const result = parseFrameText(text);
    if (!result.ok) return handler.decodeError(result.error);
    this.context.stats.framesIn++;
    handler.frame(result.frame);
  }
}
