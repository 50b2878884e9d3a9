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
    if (this.perSecond <= 0) return true;
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
