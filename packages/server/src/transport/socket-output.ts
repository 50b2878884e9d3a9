import type { Duplex } from 'node:stream';
import type { Flushable, FlushScheduler } from './flush-scheduler.js';
import type { TransportStats } from './stats.js';

/**
 * The outbound queue of a byte-stream connection (JSON stream, plain text):
 * appends only, writes once per turn, and never holds more than `maxBytes`
 * together with what the socket itself still buffers.
 */
export class SocketOutput implements Flushable {
  private chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private dead = false;

  constructor(
    private readonly socket: Duplex,
    private readonly scheduler: FlushScheduler,
    private readonly maxBytes: number,
    private readonly stats: TransportStats,
    /** Called once when the bound is passed: the connection must go. */
    private readonly onOverflow: () => void,
  ) {}

  /** Queues bytes; false (and `onOverflow`) when they would pass the bound. */
  write(bytes: Uint8Array): boolean {
    if (this.dead) return false;
    if (this.queuedBytes + bytes.length + this.socket.writableLength > this.maxBytes) {
      this.dead = true;
      this.chunks = [];
      this.queuedBytes = 0;
      this.onOverflow();
      return false;
    }
    this.chunks.push(bytes);
    this.queuedBytes += bytes.length;
    if (!this.scheduled) {
      this.scheduled = true;
      this.scheduler.schedule(this);
    }
    return true;
  }

  /** Writes everything queued in one write. */
  flush(): void {
    this.scheduled = false;
    const chunks = this.chunks;
    if (chunks.length === 0 || this.socket.destroyed) return;
    this.chunks = [];
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.queuedBytes);
    this.queuedBytes = 0;
    this.stats.bytesOut += bytes.length;
    this.socket.write(bytes);
  }

  /** Forgets what is queued (the connection is being destroyed). */
  drop(): void {
    this.dead = true;
    this.chunks = [];
    this.queuedBytes = 0;
  }
}
