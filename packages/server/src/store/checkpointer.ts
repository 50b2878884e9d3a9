import { Worker } from 'node:worker_threads';

/** How often the helper thread copies the write-ahead log into the file. */
const CHECKPOINT_EVERY_MS = 250;

/** How long a stop waits for the helper to close its connection. */
const STOP_WAIT_MS = 2_000;

/*
 * The helper thread: its own connection to the file, copying what the log
 * holds into it (a PASSIVE checkpoint never waits for the writer, nor
 * makes it wait), until told to stop.
 */
const HELPER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.file);
const checkpoint = () => {
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // The file is busy or going: the next turn tries again.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
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

  constructor(file: string) {
    this.worker = new Worker(HELPER, {
      eval: true,
      workerData: { file, everyMs: CHECKPOINT_EVERY_MS },
    });
    // Its failure only gives the work back to the commits.
    this.worker.on('error', () => undefined);
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
  }

  /** Stops the thread once its connection is closed (a running checkpoint finishes first). */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), STOP_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
