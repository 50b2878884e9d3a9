import type { Duplex } from 'node:stream';
import type { Flushable, FlushScheduler } from './flush-scheduler.js';
import type { TransportStats } from './stats.js';

/** Who owns an output: told once when the bound is passed (the connection must go). */
export interface OutputOwner {
  overflowed(): void;
}

/** A large answer waiting for room in the queue before it sends its next page. */
interface DrainWaiter {
  lowWater: number;
  resolve: (ok: boolean) => void;
}

/**
 * The outbound queue of a byte-stream connection (JSON stream, plain text,
 * WebSocket): appends only, writes once per turn, and never holds more than
 * `maxBytes` together with what the socket itself still buffers. It holds
 * no array until something is queued: an idle connection costs a few
 * fields.
 *
 * Large answers (replays, history) do not queue whole: they wait for
 * `drained` before each page, so a reader gets all of them at its own pace
 * and the queue stays within its bound. A reader that takes nothing for
 * the stall time while a page waits is a slow consumer.
 */
export class SocketOutput implements Flushable {
  private chunks: Uint8Array[] | undefined;
  private queuedBytes = 0;
  private dead = false;
  /** Bytes handed to the socket since the start: less its buffer, what the reader has taken. */
  private written = 0;
  private waiters: DrainWaiter[] | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private takenAtLastLook = 0;

  constructor(
    private readonly socket: Duplex,
    private readonly scheduler: FlushScheduler,
    private readonly maxBytes: number,
    private readonly stats: TransportStats,
    private readonly owner: OutputOwner,
  ) {}

  /** Bytes waiting to go out: queued here, and buffered by the socket. */
  get pendingBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

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
    this.written += bytes.length;
    this.socket.write(bytes);
    if (this.waiters) this.wakeWaiters();
  }

  /**
   * Resolves true once what waits to go out is `lowWater` bytes or less;
   * false when the connection is gone first, or when the reader took
   * nothing for `stallMs` (the owner is told: the connection must go).
   */
  drained(lowWater: number, stallMs: number): Promise<boolean> {
    if (this.dead) return Promise.resolve(false);
    if (this.pendingBytes <= lowWater) return Promise.resolve(true);
    return new Promise((resolve) => {
      if (this.waiters === undefined) {
        this.waiters = [];
        this.watchReader(stallMs);
      }
      this.waiters.push({ lowWater, resolve });
    });
  }

  /** Forgets what is queued (the connection is being destroyed). */
  drop(): void {
    this.dead = true;
    this.chunks = undefined;
    this.queuedBytes = 0;
    this.settleWaiters(false);
  }

  /** While pages wait: the socket's drains wake them, and a reader that takes nothing is found out. */
  private watchReader(stallMs: number): void {
    this.socket.on('drain', this.onDrain);
    this.takenAtLastLook = this.taken();
    this.stallTimer = setInterval(() => {
      const taken = this.taken();
      if (taken > this.takenAtLastLook) {
        this.takenAtLastLook = taken;
        return;
      }
      this.drop();
      this.owner.overflowed();
    }, stallMs);
    this.stallTimer.unref();
  }

  /** Bytes the reader has taken (handed to the socket, no longer in its buffer). */
  private taken(): number {
    return this.written - this.socket.writableLength;
  }

  private readonly onDrain = (): void => this.wakeWaiters();

  private wakeWaiters(): void {
    const waiters = this.waiters;
    if (!waiters) return;
    const pending = this.pendingBytes;
    const still = waiters.filter((waiter) => {
      if (pending > waiter.lowWater) return true;
      waiter.resolve(true);
      return false;
    });
    if (still.length > 0) this.waiters = still;
    else this.settleWaiters(true);
  }

  private settleWaiters(ok: boolean): void {
    const waiters = this.waiters;
    if (!waiters) return;
    this.waiters = undefined;
    clearInterval(this.stallTimer);
    this.stallTimer = undefined;
    this.socket.off('drain', this.onDrain);
    for (const waiter of waiters) waiter.resolve(ok);
  }
}
