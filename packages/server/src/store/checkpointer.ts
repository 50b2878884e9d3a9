import { Worker } from 'node:worker_threads';

/**
 * Commits after which the helper thread copies the log into the file: a
 * few hundred commits of a busy room are a few thousand pages, well below
 * the 10,000 at which a commit would do it itself. A quiet history is left
 * alone (no copy, no wait for the disk) until it closes.
 */
const COMMITS_PER_CHECKPOINT = 200;

/** How long a stop waits for the helper to close its connection. */
const STOP_WAIT_MS = 2_000;

/*
 * The helper thread: its own connection to the file, copying what the log
 * holds into it when asked (a PASSIVE checkpoint never waits for the
 * writer, nor makes it wait), answering when done, until told to stop.
 */
const HELPER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // The file is busy: the next one tries again.
  }
  parentPort.postMessage('done');
});
`;

/**
 * Copies a SQLite file's write-ahead log into the file from a thread of
 * its own. A checkpoint writes every page the log holds and waits for the
 * disk twice: on the event loop, inside whichever commit crossed the log's
 * limit, it was the longest pause a message saw (tens of milliseconds, the
 * p99 of a busy room). With the pages already copied here, the checkpoint
 * a commit still runs (SQLite's `wal_autocheckpoint`, the safety net) has
 * next to nothing left to do.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private commits = 0;
  private running = false;

  constructor(file: string) {
    this.worker = new Worker(HELPER, { eval: true, workerData: { file } });
    // Its failure only gives the work back to the commits.
    this.worker.on('error', () => undefined);
    this.worker.on('message', () => {
      this.running = false;
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** A transaction was committed: after enough of them, the log is copied (one copy at a time). */
  committed(): void {
    if (++this.commits < COMMITS_PER_CHECKPOINT || this.running) return;
    this.commits = 0;
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  /** Stops the thread once its connection is closed (a running checkpoint finishes first). */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), STOP_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
