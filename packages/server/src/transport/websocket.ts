import type { Duplex } from 'node:stream';
import type { FrameError } from '@confab/protocol';
import { parseFrameText } from '@confab/protocol';
import type { RawData, WebSocket } from 'ws';
import { Outgoing } from '../core/outgoing.js';
import { settleHandshake } from '../net/handshakes.js';
import type { Connection, ConnectionHandler } from './connection.js';
import type { StreamTransportContext } from './socket-connection.js';
import type { OutputOwner } from './socket-output.js';
import { SocketOutput } from './socket-output.js';
import { withinFrameLimit } from './frame-limit.js';
import { textFrame } from './websocket-frame.js';

const BINARY: FrameError = {
  code: 'bad_frame',
  message: 'send frames as WebSocket text messages, not binary',
};
const NOT_UTF8: FrameError = { code: 'bad_frame', message: 'the message is not valid UTF-8' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Close codes (RFC 6455): a normal closure, and a message too big to take. */
const NORMAL = 1000;
const TOO_BIG = 1009;

/** Each frame's WebSocket encoding, made once per broadcast: the JSON line's bytes without `\n`, framed. */
const WS_FRAME = Outgoing.slot<Uint8Array>();
function frameOf(out: Outgoing): Uint8Array {
  const line = out.line;
  return textFrame(line.subarray(0, line.length - 1));
}
const SLOW_CONSUMER = frameOf(
  new Outgoing({
    type: 'error',
    code: 'slow_consumer',
    message: 'you read too slowly; disconnected',
  }),
);

/**
 * A WebSocket connection (`/ws`): one JSON object per text message. The `ws`
 * library does the handshake, reads messages and answers control frames;
 * frames to the client are encoded once per broadcast and written straight
 * to the socket, queued and coalesced like the JSON stream's.
 */
export class WebSocketConnection implements Connection, OutputOwner {
  readonly kind = 'ws' as const;
  private readonly output: SocketOutput;
  private handler: ConnectionHandler | undefined;
  private dead = false;
  /** How the link closes when the session ends it: 1009 after a message over the frame limit. */
  private closeCode = NORMAL;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly remoteAddress: string,
    readonly secure: boolean,
    private readonly context: StreamTransportContext,
  ) {
    this.output = new SocketOutput(
      socket,
      context.scheduler,
      context.maxOutboundBytes,
      context.stats,
      this,
    );
  }

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    this.ws.once('close', () => {
      this.dead = true;
      this.output.drop();
      handler.closed();
    });
    this.ws.on('error', () => undefined);
  }

  send(out: Outgoing): void {
    if (this.dead) return;
    const fitting = withinFrameLimit(out, this.context.maxFrameBytes, this.context.stats);
    if (this.output.write(fitting.encoded(WS_FRAME, frameOf))) this.context.stats.framesOut++;
  }

  end(): void {
    this.output.flush();
    this.dead = true;
    this.ws.close(this.closeCode);
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  destroy(): void {
    this.dead = true;
    this.output.drop();
    this.ws.terminate();
  }

  handshakeDone(): void {
    settleHandshake(this.socket);
  }

  drained(lowWater: number, stallMs: number): Promise<boolean> {
    return this.output.drained(lowWater, stallMs);
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    if (this.handler) this.ws.resume();
  }

  /** @internal The reader fell too far behind. */
  overflowed(): void {
    this.context.stats.slowConsumers++;
    this.dead = true;
    this.socket.write(SLOW_CONSUMER);
    this.ws.close(NORMAL, 'slow_consumer');
    setTimeout(() => this.ws.terminate(), 2_000).unref();
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
      this.closeCode = TOO_BIG;
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
