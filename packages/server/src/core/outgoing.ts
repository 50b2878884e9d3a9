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
  /** Other encodings transports keep here (a WebSocket frame, a rendered line), made once each. */
  private slots: unknown[] | undefined;
  private static slotCount = 0;

  /** `json`: the frame's JSON when the caller made it already (a page built from encoded messages). */
  constructor(
    readonly frame: ServerFrame,
    json?: string,
  ) {
    this.text = json;
  }

  /** Reserves a slot for one more encoding; a transport calls this once, at load. */
  static slot<T>(): EncodingSlot<T> {
    return { index: Outgoing.slotCount++ } as EncodingSlot<T>;
  }

  /** The frame in `slot`'s encoding, made by `make` the first time it is asked for. */
  encoded<T>(slot: EncodingSlot<T>, make: (out: Outgoing) => T): T {
    const slots = (this.slots ??= []);
    let value = slots[slot.index] as T | undefined;
    if (value === undefined) slots[slot.index] = value = make(this);
    return value;
  }

  /** The frame's JSON, without a line ending. */
  get json(): string {
    return (this.text ??= JSON.stringify(this.frame));
  }

  /** The frame's JSON and `\n`, as UTF-8. */
  get line(): Uint8Array {
    return (this.bytes ??= encoder.encode(this.json + '\n'));
  }
}

/** A place on every Outgoing for one encoding of its frame. */
export interface EncodingSlot<T> {
  readonly index: number;
  /** Type only: what the slot holds. */
  readonly kind?: T;
}

/** Where the core sends frames for one connection. */
export interface Recipient {
  /** The session's id, unique on this node. */
  readonly sessionId: number;
  /** Queues a frame; never blocks, never throws. */
  deliver(out: Outgoing): void;
  /** The connection was welcomed: it is through its handshake (its rooms are still to be replayed). */
  welcomed(): void;
  /**
   * Waits until the connection may be sent the next page of a large answer
   * (a replay, a history page, a member list): its queue has room, its
   * address's budget allows another read, and the event loop has had a
   * turn for everyone else. False when the connection is gone (or was
   * dropped for not reading): the answer stops there.
   */
  ready(): Promise<boolean>;
  /** Charges the bytes of a page just sent to the connection's address. */
  spent(bytes: number): void;
}
