import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { userShell } from './user-shell.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const started: ChildProcess[] = [];

interface Started {
  wrapper: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the README's `pnpm --filter server start` in a process group of its
 * own, as a terminal runs a command in the foreground, and waits until the
 * server listens.
 */
function pnpmStart(): Promise<Started> {
  const wrapper = spawn(
    'pnpm',
    ['--filter', 'server', 'start', '--port', '0', '--store', 'memory', '--log-level', 'info'],
    { cwd: root, env: userShell(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(wrapper);
  let out = '';
  wrapper.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  wrapper.stderr!.on('data', (chunk: Buffer) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    wrapper.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const port = /"msg":"listening"/.test(out) ? /"port":(\d+)/.exec(out)?.[1] : undefined;
      if (port === undefined) return;
      clearInterval(timer);
      resolve({ wrapper, port: Number(port), output: () => out, exited });
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`pnpm start exited before listening:\n${out}`));
    });
  });
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until nothing listens on the port any more; false if something still does after `ms`. */
async function stopsListening(port: number, ms = 8_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

afterEach(() => {
  // Whatever a failed test left: the whole group, server included.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

describe('pnpm --filter server start', () => {
  it('stops cleanly and quietly on Ctrl-C (SIGINT to the foreground group)', async () => {
    const run = await pnpmStart();
    process.kill(-run.wrapper.pid!, 'SIGINT');
    const { code } = await run.exited;
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toMatch(/ERR_PNPM|Command failed/);
    expect(code).toBe(0);
    expect(await listening(run.port)).toBe(false);
  });

  it('stops the server when the pnpm wrapper alone is sent SIGTERM', async () => {
    const run = await pnpmStart();
    process.kill(run.wrapper.pid!, 'SIGTERM');
    expect(await stopsListening(run.port)).toBe(true);
  });

  it('stops the server when the pnpm wrapper is killed outright (SIGKILL)', async () => {
    const run = await pnpmStart();
    process.kill(run.wrapper.pid!, 'SIGKILL');
    expect(await stopsListening(run.port)).toBe(true);
  });
});
