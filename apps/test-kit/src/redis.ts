import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { freePort, tempDir } from './places.js';

/** A real redis-server for a test: a free port, a temporary directory, the append-only file on. */
export interface TestRedis {
  port: number;
  url: string;
  /** Its data directory: the append-only file and snapshots, to read raw. */
  dir: string;
  /** Kills it (SIGKILL: no chance to flush) and starts it again on the same port and data. */
  crashAndRestart(downMs?: number): Promise<void>;
  /** Kills it (SIGKILL) and leaves it down. */
  crash(): Promise<void>;
  /** Starts it again after `crash`. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts redis-server (Debian's package) and resolves once it accepts
 * connections. `appendfsync always`: a write is on disk before Redis
 * answers it, which is what an `ack` promises (see the README's cluster
 * section). `persistent: false`: Redis's defaults here, no append-only
 * file and no snapshot: a restart loses everything.
 */
export async function startRedis(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  const dir = tempDir('confab-redis-');
  const port = await freePort();
  const persistent = options.persistent ?? true;
  const launch = (at: number, where: string) => launchRedis(at, where, persistent);
  let child = await launch(port, dir.path);
  const crash = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const restart = async () => {
    child = await launch(port, dir.path);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: dir.path,
    crash,
    restart,
    crashAndRestart: async (downMs = 0) => {
      await crash();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await restart();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      dir.remove();
    },
  };
}

async function launchRedis(port: number, dir: string, persistent: boolean): Promise<ChildProcess> {
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      persistent ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  child.stdout!.resume();
  return child;
}
