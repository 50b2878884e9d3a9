import type { DecoderSink, FrameError, RawFrame } from '@confab/protocol';
import { NdjsonDecoder, encodeFrame } from '@confab/protocol';
import type { Outgoing } from '../core/outgoing.js';
import type { Connection } from './connection.js';
import type { StreamTransportContext } from './socket-connection.js';
import { withinFrameLimit } from './frame-limit.js';
import { SocketConnection } from './socket-connection.js';

const SLOW_CONSUMER = encodeFrame({
  type: 'error',
  code: 'slow_consumer',
  message: 'you read too slowly; disconnected',
});

/** The JSON stream over TCP (or TLS): one JSON object per line. */
export class JsonStreamConnection extends SocketConnection implements Connection, DecoderSink {
  readonly kind = 'json' as const;
  protected readonly slowConsumerNotice = SLOW_CONSUMER;
  private readonly decoder: NdjsonDecoder;

  constructor(
    socket: ConstructorParameters<typeof SocketConnection>[0],
    context: StreamTransportContext,
  ) {
    super(socket, context);
    this.decoder = new NdjsonDecoder({ maxFrameBytes: context.maxFrameBytes });
  }

  send(out: Outgoing): void {
    this.queue(withinFrameLimit(out, this.context.maxFrameBytes, this.context.stats).line);
  }

  protected decode(chunk: Buffer): void {
    this.decoder.push(chunk, this);
  }

  override socketClosed(): void {
    this.decoder.reset();
    super.socketClosed();
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
}
