/**
 * A token bucket: `burst` frames at once, refilled at `perSecond`. A rate of
 * 0 turns limiting off. Time comes in from the caller (milliseconds).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token; false when there is none (the frame must be refused). */
  take(now: number): boolean {
    if (this.delay(now) > 0) return false;
    if (this.perSecond > 0) this.tokens -= 1;
    return true;
  }

  /** Whole tokens there now (Infinity with no limit); takes none. */
  available(now: number): number {
    if (this.perSecond <= 0) return Number.POSITIVE_INFINITY;
    this.delay(now);
    return Math.floor(this.tokens);
  }

  /** Milliseconds until a token is there (0: one is there now); takes none. */
  delay(now: number): number {
    if (this.perSecond <= 0) return 0;
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
    }
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
