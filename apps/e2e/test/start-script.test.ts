import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listening, startRedis } from './redis.js';
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
function pnpmStart(flags: string[] = ['--store', 'memory']): Promise<Started> {
  const wrapper = spawn(
    'pnpm',
    ['--filter', 'server', 'start', '--port', '0', '--log-level', 'info', ...flags],
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

/** Someone chatting over the JSON stream: what they heard, and whether the server closed on them. */
interface Chatter {
  say(text: string, ref: string): void;
  heard(): Array<Record<string, unknown>>;
  closed: Promise<void>;
}

async function chatter(port: number, name: string): Promise<Chatter> {
  const socket = net.connect(port, '127.0.0.1');
  const frames: Array<Record<string, unknown>> = [];
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line) frames.push(JSON.parse(line) as Record<string, unknown>);
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.write(`${JSON.stringify({ type: 'hello', version: 1, name })}\n`);
  await until(() => frames.some((f) => f.type === 'joined' && f.name === name), `${name} to join`);
  return {
    say: (text, ref) =>
      socket.write(`${JSON.stringify({ type: 'say', room: '#general', text, ref })}\n`),
    heard: () => frames,
    closed,
  };
}

async function until(test: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real redis-server, gone when the test ends. */
async function redis(): Promise<string> {
  const server = await startRedis();
  cleanups.push(() => server.stop());
  return server.url;
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

const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
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
  it.each([
    ['SQLite, one process', 'sqlite'],
    ['Redis, one process', 'redis'],
    ['Redis, --workers 2', 'workers'],
  ])('stops cleanly and quietly on one Ctrl-C with clients connected (%s)', async (_, setup) => {
    const flags =
      setup === 'sqlite'
        ? ['--data-dir', mkdtempSync(join(tmpdir(), 'confab-start-data-'))]
        : ['--redis', await redis(), ...(setup === 'workers' ? ['--workers', '2'] : [])];
    const run = await pnpmStart(flags);
    const ada = await chatter(run.port, 'ada');
    const bob = await chatter(run.port, 'bob');
    ada.say('stored before the stop', 'r1');
    await until(() => ada.heard().some((f) => f.type === 'ack' && f.ref === 'r1'), 'the ack');
    // Ctrl-C in a terminal: SIGINT to the whole foreground group, pnpm and the server.
    process.kill(-run.wrapper.pid!, 'SIGINT');
    const { code } = await run.exited;
    await Promise.all([ada.closed, bob.closed]);
    for (const person of [ada, bob])
      expect(person.heard().at(-1)).toMatchObject({ type: 'quit', reason: 'server_shutdown' });
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toMatch(/again: exiting now|ERR_PNPM|Command failed/);
    expect(code).toBe(0);
    expect(await listening(run.port)).toBe(false);
    // What was acked is there after the restart.
    const again = await pnpmStart(flags);
    const cy = await chatter(again.port, 'cy');
    await until(() => cy.heard().some((f) => f.type === 'history'), 'the history on joining');
    const history = cy.heard().find((f) => f.type === 'history') as {
      messages: Array<{ text: string }>;
    };
    expect(history.messages.map((m) => m.text)).toContain('stored before the stop');
    process.kill(-again.wrapper.pid!, 'SIGINT');
    expect((await again.exited).code).toBe(0);
  });

  it('serves the chat page at /, and stops cleanly on Ctrl-C with no one connected', async () => {
    const run = await pnpmStart();
    // The README's quick start: a browser at http://127.0.0.1:PORT/ gets the page.
    const page = await fetch(`http://127.0.0.1:${run.port}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="app.js"></script>');
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
