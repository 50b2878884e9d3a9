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

/** How often to look. */
const CHECK_EVERY_MS = 1_000;
/** How long the event loop must have been nearly idle. */
const QUIET_FOR_MS = 3_000;
/** Event-loop utilisation (0-1) under which a check counts as quiet. */
const QUIET_UTILIZATION = 0.02;
/**
 * Growth of resident memory since the last trim (or the start) that makes a
 * trim worth it: this many bytes, and at least a quarter of the heap in use
 * (the collection walks the heap: its pause grows with it, so must the gain).
 */
const MIN_GROWTH_BYTES = 8 * 2 ** 20;
/** Least time between two trims. */
const MIN_INTERVAL_MS = 60_000;

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
 * three seconds, run that collection once. It pauses the loop (about 50 ms
 * with 10,000 users, growing with the heap), which is why it waits for
 * quiet, runs at most once a minute, and a server that stays busy, or stays
 * the same size, never runs it.
 */
export class MemoryTrimmer {
  private readonly timer: NodeJS.Timeout;
  private collect: (() => void) | undefined;
  private lastLoop: EventLoopUtilization = performance.eventLoopUtilization();
  private quietSinceMs: number | undefined;
  private baselineRss = process.memoryUsage.rss();
  private lastTrimMs = -Infinity;
  private trims = 0;

  /** `onTrim` is told of every trim. */
  constructor(private readonly onTrim: (result: TrimResult) => void) {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
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
    if (busy >= QUIET_UTILIZATION) {
      this.quietSinceMs = undefined;
      return;
    }
    // The quiet began at the start of this check's window.
    this.quietSinceMs ??= now - CHECK_EVERY_MS;
    if (now - this.quietSinceMs < QUIET_FOR_MS || now - this.lastTrimMs < MIN_INTERVAL_MS) return;
    const { rss, heapUsed } = process.memoryUsage();
    if (rss - this.baselineRss < Math.max(MIN_GROWTH_BYTES, heapUsed / 4)) return;
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
    this.onTrim({ rssBeforeBytes, rssAfterBytes, pauseMs: ended - started });
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
