import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free port on 127.0.0.1 (free when asked; taken at once by the caller). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A real redis-server for a test: crash it, start it again on the same port and data, stop it. */
export interface TestRedis {
  url: string;
  /** Kills it (SIGKILL) and waits until it is gone. */
  crash(): Promise<void>;
  /** Starts it again after `crash`, on the same port and data. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  stop(): void;
}

/** Starts Debian's redis-server on a free port, its data in a temporary folder; resolves once it accepts connections. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'confab-e2e-redis-'));
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(
      'redis-server',
      // The append-only file written before each answer: what an `ack` promises
      // (a Confab node refuses a Redis that could lose acked messages).
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    child.on('error', () => undefined);
    const end = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (Date.now() > end) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    return child;
  };
  let child = await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    crash: async () => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    restart: async () => {
      child = await launch();
    },
    stop: () => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
