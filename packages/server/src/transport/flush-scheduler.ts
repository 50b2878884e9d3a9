/** Something with queued output to write. */
export interface Flushable {
  flush(): void;
}

/**
 * Writes every connection's queued frames once per event-loop turn: one
 * `setImmediate` for the whole server, not one per connection, so a
 * broadcast to a thousand members costs a thousand appends and, after the
 * turn, one write per member.
 */
export class FlushScheduler {
  private pending: Flushable[] = [];
  private scheduled = false;
  // The last queue joined this turn, and its bytes.
  private lastChunks: readonly Uint8Array[] | undefined;
  private lastBytes: Uint8Array | undefined;

  /** Flushes `target` after this turn's I/O; call once per idle-to-queued change. */
  schedule(target: Flushable): void {
    this.pending.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /**
   * The chunks as one buffer. The members of a room are flushed one after
   * another with the same frames queued in the same order, so a queue that
   * holds the very chunks of the last one (compared by reference) gets the
   * same bytes again instead of a new copy.
   */
  join(chunks: readonly Uint8Array[], total: number): Uint8Array {
    const last = this.lastChunks;
    if (
      last !== undefined &&
      last.length === chunks.length &&
      last.every((chunk, i) => chunk === chunks[i])
    )
      return this.lastBytes!;
    const bytes = Buffer.concat(chunks as Uint8Array[], total);
    this.lastChunks = chunks;
    this.lastBytes = bytes;
    return bytes;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const target of batch) target.flush();
    // Nothing is kept from one turn to the next.
    this.lastChunks = undefined;
    this.lastBytes = undefined;
  };
}
