import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { settleHandshake } from '../net/handshakes.js';
import type { ConnectionHandler } from './connection.js';
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

/**
 * What the JSON stream and plain text share: a TCP (or TLS) socket, its
 * byte-capped outbound queue, and the session it reports to. A subclass
 * says how bytes become frames (`decode`) and what a dropped slow reader is
 * told; writing, closing and flow control are the same for both.
 */
export abstract class SocketConnection implements SocketListener, OutputOwner {
  readonly remoteAddress: string;
  readonly secure: boolean;
  protected readonly output: SocketOutput;
  protected handler: ConnectionHandler | undefined;

  constructor(
    protected readonly socket: Socket | TLSSocket,
    protected readonly context: StreamTransportContext,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.secure = 'encrypted' in socket && socket.encrypted === true;
    this.output = new SocketOutput(
      socket,
      context.scheduler,
      context.maxOutboundBytes,
      context.stats,
      this,
    );
  }

  /** Bytes that arrived, to turn into frames for the handler. */
  protected abstract decode(chunk: Buffer): void;

  /** The last words to a reader dropped for reading too slowly. */
  protected abstract readonly slowConsumerNotice: Uint8Array;

  attach(handler: ConnectionHandler): void {
    this.handler = handler;
    listen(this.socket, this);
  }

  end(): void {
    this.output.flush();
    endOrDestroy(this.socket);
  }

  destroy(): void {
    this.output.drop();
    this.socket.destroy();
  }

  handshakeDone(): void {
    settleHandshake(this.socket);
  }

  drained(lowWater: number, stallMs: number): Promise<boolean> {
    return this.output.drained(lowWater, stallMs);
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
    this.decode(chunk);
  }

  /** @internal The socket closed. */
  socketClosed(): void {
    this.output.drop();
    this.handler!.closed();
  }

  /** @internal The reader fell too far behind. */
  overflowed(): void {
    this.context.stats.slowConsumers++;
    endOrDestroy(this.socket, this.slowConsumerNotice);
  }

  /** Queues bytes for the client, counting the frame if the queue took it. */
  protected queue(bytes: Uint8Array): void {
    if (this.output.write(bytes)) this.context.stats.framesOut++;
  }
}
