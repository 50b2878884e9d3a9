import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** What one trim did. */
export interface TrimResult {
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** How long the collection held the event loop. */
  pauseMs: number;
}

/** When a trim is worth its pause. */
export interface MemoryTrimOptions {
  /** How often to look. @default 1000 */
  checkEveryMs?: number;
  /** How long the event loop must have been nearly idle. @default 3000 */
  quietForMs?: number;
  /** Event-loop utilisation (0-1) under which a check counts as quiet. @default 0.02 */
  quietUtilization?: number;
  /**
   * Growth of resident memory since the last trim (or the start) that makes
   * a trim worth it: this many bytes, and at least a quarter of the heap in
   * use (the collection walks the heap: its pause grows with it, so must the
   * gain). @default 8 MiB
   */
  minGrowthBytes?: number;
  /** Least time between two trims. @default 60000 */
  minIntervalMs?: number;
  /** Told of every trim. */
  onTrim?: (result: TrimResult) => void;
}

/**
 * Gives memory back to the system once the server goes quiet after a burst.
 *
 * V8 grows its young generation (to 64 MB here) whenever many long-lived
 * objects are made at once (a storm of connections, a busy room) and keeps
 * those pages after the burst: ten thousand idle users then look like 9 KB
 * each, when what they hold is under 3 KB. V8 only hands such pages back in
 * a memory-reducing collection, which it runs under memory pressure, not
 * when a process merely falls idle.
 *
 * So: when resident memory has grown (by 8 MB, and by a quarter of the heap
 * in use) since the last trim and the event loop has been nearly idle for
 * `quietForMs`, run that collection once. It pauses the loop (about 50 ms
 * with 10,000 users, growing with the heap), which is why it waits for
 * quiet, runs at most once per `minIntervalMs`, and a server that stays
 * busy, or stays the same size, never runs it.
 */
export class MemoryTrimmer {
  private readonly checkEveryMs: number;
  private readonly quietForMs: number;
  private readonly quietUtilization: number;
  private readonly minGrowthBytes: number;
  private readonly minIntervalMs: number;
  private readonly onTrim: ((result: TrimResult) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private collect: (() => void) | undefined;
  private lastLoop: EventLoopUtilization = performance.eventLoopUtilization();
  private quietSinceMs: number | undefined;
  private baselineRss = process.memoryUsage.rss();
  private lastTrimMs = -Infinity;
  private trims = 0;

  constructor(options: MemoryTrimOptions = {}) {
    this.checkEveryMs = options.checkEveryMs ?? 1_000;
    this.quietForMs = options.quietForMs ?? 3_000;
    this.quietUtilization = options.quietUtilization ?? 0.02;
    this.minGrowthBytes = options.minGrowthBytes ?? 8 * 2 ** 20;
    this.minIntervalMs = options.minIntervalMs ?? 60_000;
    this.onTrim = options.onTrim;
    this.timer = setInterval(() => this.check(), this.checkEveryMs);
    this.timer.unref();
  }

  /** Trims done so far. */
  get count(): number {
    return this.trims;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = performance.now();
    const loop = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(loop, this.lastLoop).utilization;
    this.lastLoop = loop;
    if (busy >= this.quietUtilization) {
      this.quietSinceMs = undefined;
      return;
    }
    // The quiet began at the start of this check's window.
    this.quietSinceMs ??= now - this.checkEveryMs;
    if (now - this.quietSinceMs < this.quietForMs || now - this.lastTrimMs < this.minIntervalMs)
      return;
    const { rss, heapUsed } = process.memoryUsage();
    if (rss - this.baselineRss < Math.max(this.minGrowthBytes, heapUsed / 4)) return;
    this.trim(rss);
  }

  private trim(rssBeforeBytes: number): void {
    this.collect ??= memoryReducingCollection();
    const started = performance.now();
    this.collect();
    const ended = performance.now();
    const rssAfterBytes = process.memoryUsage.rss();
    this.trims++;
    this.lastTrimMs = ended;
    // What is left is what the server holds: growth is counted from here.
    this.baselineRss = rssAfterBytes;
    // The collection itself kept the loop busy; that is not traffic.
    this.lastLoop = performance.eventLoopUtilization();
    this.quietSinceMs = undefined;
    this.onTrim?.({ rssBeforeBytes, rssAfterBytes, pauseMs: ended - started });
  }
}

/**
 * V8's "last resort" collection: full collections until nothing more is
 * freed, then unused pages go back to the system. It is reached through the
 * `gc` function that `--expose-gc` puts in a new context; the flag is set
 * only for that moment, so nothing else in the process sees a `gc`.
 */
function memoryReducingCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  let gc: (options: object) => void;
  try {
    gc = vm.runInNewContext('gc') as typeof gc;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
