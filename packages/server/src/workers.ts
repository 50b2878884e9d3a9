import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { onStopSignals } from './stop-signals.js';

/** Server processes for a `--workers` setting (`auto`: one per core). */
export function workerCount(setting: string): number {
  return setting === 'auto' ? availableParallelism() : Number(setting);
}

/** A worker that dies within this long of its start is not restarted (it would only die again). */
const MIN_UPTIME_MS = 5_000;

/**
 * The primary process of `--workers N`: forks N copies of this server, which
 * share the port through Node's cluster module (the primary accepts and
 * hands each connection to a worker in turn) and the chat through Redis.
 * A worker that dies is started again; one that cannot start stops all.
 * SIGINT/SIGTERM go to every worker, which shut down cleanly; the primary
 * exits when they have.
 */
export function runPrimary(count: number, announce: (host: string, port: number) => void): void {
  let stopping = false;
  let exitCode = 0;
  let announced = false;
  const startedAt = new Map<Worker, number>();

  const fork = () => startedAt.set(cluster.fork(), Date.now());

  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    announce(address.address ?? '127.0.0.1', address.port);
  });
  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(exitCode);
      return;
    }
    const how = signal ?? `code ${code}`;
    if (uptime < MIN_UPTIME_MS) {
      process.stderr.write(`confab-server: a worker stopped at start (${how}): stopping\n`);
      stopAll('SIGTERM', 1);
      return;
    }
    process.stderr.write(`confab-server: a worker stopped (${how}): starting another\n`);
    fork();
  });

  const stopAll = (signal: NodeJS.Signals, code: number) => {
    stopping = true;
    exitCode = code;
    if (startedAt.size === 0) process.exit(exitCode);
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  onStopSignals(
    () => stopAll('SIGTERM', 0),
    (signal) => {
      process.stderr.write(`confab-server: ${signal} again: exiting now\n`);
      for (const worker of startedAt.keys()) worker.process.kill('SIGKILL');
      process.exit(1);
    },
  );

  for (let i = 0; i < count; i++) fork();
}
