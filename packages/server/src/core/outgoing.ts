import type { ServerFrame } from '@confab/protocol';

const encoder = new TextEncoder();

/**
 * A frame on its way out, encoded at most once per form however many
 * connections it goes to: the JSON text (WebSocket) and the line bytes
 * (JSON stream) share one `JSON.stringify`.
 */
export class Outgoing {
  private text: string | undefined;
  private bytes: Uint8Array | undefined;

  constructor(readonly frame: ServerFrame) {}

  /** The frame's JSON, without a line ending. */
  get json(): string {
    return (this.text ??= JSON.stringify(this.frame));
  }

  /** The frame's JSON and `\n`, as UTF-8. */
  get line(): Uint8Array {
    return (this.bytes ??= encoder.encode(this.json + '\n'));
  }
}

/** Where the core sends frames for one connection. */
export interface Recipient {
  /** The session's id, unique on this node. */
  readonly sessionId: number;
  /** Queues a frame; never blocks, never throws. */
  deliver(out: Outgoing): void;
}
