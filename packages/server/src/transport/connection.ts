import type { FrameError, RawFrame } from '@confab/protocol';
import type { Outgoing } from '../core/outgoing.js';

/** How a connection speaks. Stable: used as a metrics label. */
export type TransportKind = 'json' | 'ws' | 'plain';

/** What a connection reports to its session. */
export interface ConnectionHandler {
  /** One decoded frame. */
  frame(raw: RawFrame): void;
  /** Input that did not decode (`bad_frame`, `frame_too_large`). */
  decodeError(error: FrameError): void;
  /** The connection is gone (called once). */
  closed(): void;
}

/**
 * One client link, message-oriented and the same for every transport: it
 * turns bytes into frames and frames into bytes, and holds no chat logic.
 */
export interface Connection {
  readonly kind: TransportKind;
  /** The peer's address, for limits and logs. */
  readonly remoteAddress: string;
  /** Whether it runs over TLS. */
  readonly secure: boolean;
  /** Starts reporting to `handler` (once). */
  attach(handler: ConnectionHandler): void;
  /**
   * Queues a frame. Never blocks and never throws; queued frames go out
   * together once per event-loop turn. Past the outbound bound the
   * connection is closed as a slow consumer.
   */
  send(out: Outgoing): void;
  /** Sends what is queued, then closes. */
  end(): void;
  /** Closes now, dropping what is queued. */
  destroy(): void;
  /**
   * Resolves true once what waits to go out is `lowWater` bytes or less,
   * so a large answer may send its next page; false when the connection is
   * gone, or when its reader took nothing for `stallMs` (it is then closed
   * as a slow consumer).
   */
  drained(lowWater: number, stallMs: number): Promise<boolean>;
  /** The connection is through its handshake: it no longer counts toward its address's handshakes. */
  handshakeDone(): void;
  /** Stops reading input (the session is behind), or starts again. */
  pauseReading(): void;
  resumeReading(): void;
}
