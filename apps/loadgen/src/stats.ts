/** A bounded sample of latencies (reservoir sampling): memory stays fixed however long the run. */
export class LatencySample {
  private readonly values: Float64Array;
  private count = 0;
  private seen = 0;
  max = 0;

  constructor(capacity = 200_000) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.seen++;
    if (ms > this.max) this.max = ms;
    if (this.count < this.values.length) {
      this.values[this.count++] = ms;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.values.length) this.values[slot] = ms;
  }

  get size(): number {
    return this.seen;
  }

  /** The q-quantile (0..1) of what was kept, in ms. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = this.values.slice(0, this.count).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  }
}

/** Monotonic milliseconds, comparable across processes of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
