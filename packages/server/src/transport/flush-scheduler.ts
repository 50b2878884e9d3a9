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

  /** Flushes `target` after this turn's I/O; call once per idle-to-queued change. */
  schedule(target: Flushable): void {
    this.pending.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const target of batch) target.flush();
  };
}
