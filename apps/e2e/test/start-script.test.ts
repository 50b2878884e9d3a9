import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, listening, startRedis, waitFor } from '@confab/test-kit';
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

/** Someone chatting over the JSON stream, in #general. */
async function chatter(port: number, name: string): Promise<JsonClient> {
  const client = await JsonClient.connect(port);
  cleanups.push(() => client.end());
  await client.register(name);
  return client;
}

/** A real redis-server, gone when the test ends. */
async function redis(): Promise<string> {
  const server = await startRedis();
  cleanups.push(() => server.stop());
  return server.url;
}

const cleanups: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  // Whatever a failed test left: the whole group, server included.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('pnpm --filter server start', () => {
  it.each([
    ['SQLite, one process', 'sqlite'],
    ['Redis, one process', 'redis'],
    ['Redis, --workers 2', 'workers'],
  ])('stops cleanly and quietly on one Ctrl-C with clients connected (%s)', async (_, setup) => {
    // The history's file, or (with Redis) each node's copy of the search index.
    const flags = [
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'confab-start-data-')),
      ...(setup === 'sqlite'
        ? []
        : ['--redis', await redis(), ...(setup === 'workers' ? ['--workers', '2'] : [])]),
    ];
    const run = await pnpmStart(flags);
    const ada = await chatter(run.port, 'ada');
    const bob = await chatter(run.port, 'bob');
    ada.send({ type: 'say', room: '#general', text: 'stored before the stop', ref: 'r1' });
    await ada.next('ack', (a) => a.ref === 'r1');
    // Ctrl-C in a terminal: SIGINT to the whole foreground group, pnpm and the server.
    process.kill(-run.wrapper.pid!, 'SIGINT');
    const { code } = await run.exited;
    await Promise.all([ada.closed, bob.closed]);
    for (const person of [ada, bob])
      expect(person.inbox.all.at(-1)).toMatchObject({ type: 'quit', reason: 'server_shutdown' });
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toMatch(/again: exiting now|ERR_PNPM|Command failed/);
    expect(code).toBe(0);
    expect(await listening(run.port)).toBe(false);
    // What was acked is there after the restart.
    const again = await pnpmStart(flags);
    const cy = await JsonClient.connect(again.port);
    cleanups.push(() => cy.end());
    cy.send({ type: 'hello', version: 1, name: 'cy' });
    const history = await cy.next('history');
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
    await waitFor(async () => !(await listening(run.port)), 'the server to stop listening');
  });

  it('stops the server when the pnpm wrapper is killed outright (SIGKILL)', async () => {
    const run = await pnpmStart();
    process.kill(run.wrapper.pid!, 'SIGKILL');
    await waitFor(async () => !(await listening(run.port)), 'the server to stop listening');
  });
});
