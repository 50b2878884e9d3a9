import { useEntry } from '../recently-used.js';
import { TokenBucket } from '../session/token-bucket.js';

/** A rate of attempts: `burst` at once, then `perSecond` (0: no limit). */
export interface ThrottleRate {
  perSecond: number;
  burst: number;
}

/** Limits attempts per key (a name, an address), as token buckets. */
export interface Throttle {
  /** Takes one attempt for `key`; false when it is over the rate. */
  take(key: string, now: number): Promise<boolean>;
}

/**
 * Password attempts allowed: per address, `perAddress` a second in bursts
 * of three times as many; per name, 10, then one every 6 s (so a guesser
 * gets some 14,400 tries a day at most, and the owner, who has a token, is
 * not locked out). 0 lifts both.
 */
export function loginRates(perAddress: number): { byName: ThrottleRate; byAddress: ThrottleRate } {
  return {
    byName: { perSecond: perAddress > 0 ? 1 / 6 : 0, burst: 10 },
    byAddress: { perSecond: perAddress, burst: perAddress * 3 },
  };
}

/**
 * New accounts allowed: `perHour` from one address, three times as many
 * from its network (an IPv4 /24 or an IPv6 /64), at once and then spread
 * over the hour. 0 lifts both.
 */
export function registrationRates(perHour: number): {
  byAddress: ThrottleRate;
  byNetwork: ThrottleRate;
} {
  return {
    byAddress: { perSecond: perHour / 3600, burst: perHour },
    byNetwork: { perSecond: (3 * perHour) / 3600, burst: 3 * perHour },
  };
}

/** Keys a memory throttle remembers; past it, the one used longest ago is forgotten. */
const MAX_KEYS = 100_000;

/** A throttle of one process. */
export class MemoryThrottle implements Throttle {
  /** In the order last used: the first is the one to forget. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rate: ThrottleRate) {}

  async take(key: string, now: number): Promise<boolean> {
    if (this.rate.perSecond <= 0) return true;
    const bucket = useEntry(
      this.buckets,
      key,
      MAX_KEYS,
      () => new TokenBucket(this.rate.perSecond, this.rate.burst, now),
    );
    return bucket.take(now);
  }
}
