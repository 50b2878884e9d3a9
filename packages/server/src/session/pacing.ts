import type { ClientFrameType } from '@confab/protocol';
import { useEntry } from '../recently-used.js';
import { TokenBucket } from './token-bucket.js';

/** How fast a connection's frames are handled, and how many may wait for their turn. */
export interface PacingLimits {
  /** Frames a second per connection (0: no limit), and how many at once. */
  perSecond: number;
  burst: number;
  /** Messages, changes to them and joins a second per address, across its connections (0: no limit), and at once. */
  addressPerSecond: number;
  addressBurst: number;
  /** Frames a connection may have waiting for their turn; past it, `rate_limited`. */
  queue: number;
}

/** Frames that do not use up the rate: answers and leaving. */
export const UNLIMITED: ReadonlySet<ClientFrameType> = new Set(['pong', 'quit']);

/** Frames an address's rate counts, across its connections: what fills rooms, mailboxes and the directory, and what reads an index. */
const COUNTED_PER_ADDRESS: ReadonlySet<ClientFrameType> = new Set([
  'say',
  'dm',
  'join',
  'react',
  'edit',
  'delete',
  'search',
]);

/** Addresses whose rate is remembered; past it, the one used longest ago starts afresh. */
const MAX_ADDRESSES = 100_000;

/** The per-address rates of one node: a bucket per address, shared by its connections. */
export class AddressRates {
  /** In the order last used: the first is the one to forget. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: PacingLimits) {}

  bucket(address: string, now: number): TokenBucket {
    return useEntry(
      this.buckets,
      address,
      MAX_ADDRESSES,
      () => new TokenBucket(this.limits.addressPerSecond, this.limits.addressBurst, now),
    );
  }
}

/**
 * The pace of one connection's frames, as IRC servers' "fake lag": a frame
 * over the rate is not refused but waits its turn, in order, so a person
 * pasting a hundred lines loses none of them; only past `queue` waiting
 * frames is one refused. Each frame counts against the connection's rate,
 * and messages and joins against its address's too, so many connections
 * from one address do not multiply what it may send.
 */
export class Pacer {
  private readonly own: TokenBucket;

  constructor(
    private readonly limits: PacingLimits,
    private readonly rates: AddressRates,
    private readonly address: string,
    now: number,
  ) {
    this.own = new TokenBucket(limits.perSecond, limits.burst, now);
  }

  /** How many frames may wait for their turn. */
  get queue(): number {
    return this.limits.queue;
  }

  /**
   * How many frames may wait in all: those over the rate (`queue`), and
   * those within it that wait only because a command before them awaits
   * (a store write in a busy cluster): a line pasted within the rate is
   * not refused for the store being slow. The tokens there now bound the
   * second kind, so the whole stays within `queue` + `burst`.
   */
  room(now: number): number {
    return this.limits.queue + Math.min(this.own.available(now), this.limits.burst);
  }

  /** Milliseconds until a frame of `type` may be handled; 0 when it may now (and its turns are taken). */
  wait(type: ClientFrameType, now: number): number {
    if (UNLIMITED.has(type)) return 0;
    const address = COUNTED_PER_ADDRESS.has(type)
      ? this.rates.bucket(this.address, now)
      : undefined;
    const wait = Math.max(this.own.delay(now), address?.delay(now) ?? 0);
    if (wait > 0) return wait;
    this.own.take(now);
    address?.take(now);
    return 0;
  }
}
