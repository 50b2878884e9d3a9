import type { Duplex } from 'node:stream';
import type { Flushable, FlushScheduler } from './flush-scheduler.js';
import type { TransportStats } from './stats.js';

/** Who owns an output: told once when the bound is passed (the connection must go). */
export interface OutputOwner {
  overflowed(): void;
}

/**
 * The outbound queue of a byte-stream connection (JSON stream, plain text):
 * appends only, writes once per turn, and never holds more than `maxBytes`
 * together with what the socket itself still buffers. It holds no array
 * until something is queued: an idle connection costs a few fields.
 */
export class SocketOutput implements Flushable {
  private chunks: Uint8Array[] | undefined;
  private queuedBytes = 0;
  private dead = false;

  constructor(
    private readonly socket: Duplex,
    private readonly scheduler: FlushScheduler,
    private readonly maxBytes: number,
    private readonly stats: TransportStats,
    private readonly owner: OutputOwner,
  ) {}

  /** Queues bytes; false (and the owner told) when they would pass the bound. */
  write(bytes: Uint8Array): boolean {
    if (this.dead) return false;
    if (this.queuedBytes + bytes.length + this.socket.writableLength > this.maxBytes) {
      this.drop();
      this.owner.overflowed();
      return false;
    }
    if (this.chunks === undefined) {
      this.chunks = [bytes];
      this.scheduler.schedule(this);
    } else this.chunks.push(bytes);
    this.queuedBytes += bytes.length;
    return true;
  }

  /** Writes everything queued in one write. */
  flush(): void {
    const chunks = this.chunks;
    this.chunks = undefined;
    if (chunks === undefined || this.socket.destroyed) return;
    const bytes = chunks.length === 1 ? chunks[0]! : this.scheduler.join(chunks, this.queuedBytes);
    this.queuedBytes = 0;
    this.stats.bytesOut += bytes.length;
    this.socket.write(bytes);
  }

  /** Forgets what is queued (the connection is being destroyed). */
  drop(): void {
    this.dead = true;
    this.chunks = undefined;
    this.queuedBytes = 0;
  }
}
