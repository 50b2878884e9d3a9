import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DecoderSink, FrameError, RawFrame } from '@confab/protocol';
import { NdjsonDecoder, encodeFrame } from '@confab/protocol';
import type { Outgoing } from '../core/outgoing.js';
import type { Connection, ConnectionHandler } from './connection.js';
import type { FlushScheduler } from './flush-scheduler.js';
import type { SocketListener } from './socket-events.js';
import { listen } from './socket-events.js';
import type { OutputOwner } from './socket-output.js';
import { SocketOutput } from './socket-output.js';
import type { TransportStats } from './stats.js';

/** What a byte-stream transport needs from the server. */
export interface StreamTransportContext {
  scheduler: FlushScheduler;
  stats: TransportStats;
  maxFrameBytes: number;
  maxOutboundBytes: number;
}

const SLOW_CONSUMER = encodeFrame({
  type: 'error',
  code: 'slow_consumer',
  message: 'you read too slowly; disconnected',
});

/** Closes a socket that will not finish closing by itself (its peer does not read). */
export function endOrDestroy(socket: Socket | TLSSocket, last?: Uint8Array): void {
  if (socket.destroyed) return;
  if (last) socket.end(last);
  else socket.end();
  // Read (and drop) whatever still comes, so the peer's FIN is seen and the socket closes.
  socket.removeAllListeners('data');
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/** The JSON stream over TCP (or TLS): one JSON object per line. */
export class JsonStreamConnection implements Connection, DecoderSink, SocketListener, OutputOwner {
  readonly kind = 'json' as const;
  readonly remoteAddress: string;
  readonly secure: boolean;
  private readonly decoder: NdjsonDecoder;
  private readonly output: SocketOutput;
  private handler: ConnectionHandler | undefined;

  constructor(
    private readonly socket: Socket | TLSSocket,
    private readonly context: StreamTransportContext,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.secure = 'encrypted' in socket && socket.encrypted === true;
    this.decoder = new NdjsonDecoder({ maxFrameBytes: context.maxFrameBytes });
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
    listen(this.socket, this);
  }

  send(out: Outgoing): void {
    if (this.output.write(out.line)) this.context.stats.framesOut++;
  }

  end(): void {
    this.output.flush();
    endOrDestroy(this.socket);
  }

  destroy(): void {
    this.output.drop();
    this.socket.destroy();
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (this.handler) this.socket.resume();
  }

  /** @internal Socket data. */
  received(chunk: Buffer): void {
    this.context.stats.bytesIn += chunk.length;
    this.decoder.push(chunk, this);
  }

  /** @internal The socket closed. */
  socketClosed(): void {
    this.output.drop();
    this.decoder.reset();
    this.handler!.closed();
  }

  /** @internal A decoded frame. */
  frame(raw: RawFrame): void {
    this.context.stats.framesIn++;
    this.handler!.frame(raw);
  }

  /** @internal A line that did not decode. */
  error(error: FrameError): void {
    this.handler!.decodeError(error);
  }

  /** @internal The reader fell too far behind. */
  overflowed(): void {
    this.context.stats.slowConsumers++;
    endOrDestroy(this.socket, SLOW_CONSUMER);
  }
}
