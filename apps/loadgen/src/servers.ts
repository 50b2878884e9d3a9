import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which server a run drives. */
export type ServerKind = 'confab' | 'socketio';

/** A server process under test. */
export interface ServerUnderTest {
  kind: ServerKind;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The CPU the server runs on; the generator takes the other. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;

/** Extra Node/V8 flags for the Confab server under test (`CONFAB_SERVER_NODE_FLAGS`), to measure what a flag costs or saves. */
function serverNodeFlags(): string[] {
  return (process.env.CONFAB_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}

/** Runs `argv` on one CPU with room for many sockets, when the tools are there. */
function pinned(argv: string[], cpu: number, pin: boolean): string[] {
  return pin ? ['prlimit', '--nofile=20000', 'taskset', '-c', String(cpu), ...argv] : argv;
}

/** Starts a server on a free port, pinned to the server CPU. */
export async function startServer(
  kind: ServerKind,
  options: { store?: 'sqlite' | 'memory'; pin: boolean },
): Promise<ServerUnderTest> {
  let dataDir: string | undefined;
  let argv: string[];
  if (kind === 'confab') {
    const cli = join(dirname(fileURLToPath(import.meta.resolve('@confab/server'))), 'cli.js');
    dataDir = mkdtempSync(join(tmpdir(), 'confab-bench-'));
    // Limits that would refuse a benchmark are lifted; liveness is made slow
    // so silent receivers are not pinged during a run.
    argv = [
      process.execPath,
      ...serverNodeFlags(),
      cli,
      '--port',
      '0',
      '--store',
      options.store ?? 'sqlite',
      '--data-dir',
      dataDir,
      '--rate-limit',
      '0',
      '--max-connections',
      '0',
      '--max-connections-per-ip',
      '0',
      '--ping-interval',
      '3600000',
      '--handshake-timeout',
      '600000',
      '--log-level',
      'info',
      '--max-outbound-bytes',
      String(4 * 1024 * 1024),
    ];
  } else {
    // The built peer, whether this runs from dist/ (the benchmark) or src/ (its tests).
    argv = [process.execPath, join(here, '..', 'dist', 'peers', 'socketio-server.js')];
  }
  const [command, ...args] = pinned(argv, SERVER_CPU, options.pin);
  const child: ChildProcess = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /"port":(\d+)/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}): ${out}`)));
  });
  return {
    kind,
    pid: child.pid!,
    port,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
