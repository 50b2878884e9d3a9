import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerFrame } from '@confab/protocol';
import {
  FrameClient,
  JsonClient,
  connectSocket,
  pause,
  routeConnections,
  waitFor,
} from '@confab/test-kit';
import { afterEach, inject } from 'vitest';
import WebSocket from 'ws';
import type { ServerOptions } from '../src/index.js';
import { createServer } from '../src/index.js';
import type { ConfabServer } from '../src/index.js';

// The clients, waits and places every suite of the project shares, for the server's tests to import from here.
export {
  FrameClient,
  JsonClient,
  PlainClient,
  ROOMS,
  WAIT_MS,
  connectSocket,
  joinRoom,
  pause,
  startRedis,
  tempDir,
  waitFor,
} from '@confab/test-kit';
export type { ConnectOptions } from '@confab/test-kit';

/** The `--metrics-token` of every server a test starts. */
export const METRICS_TOKEN = 'metrics-token-of-the-tests';

/** A server's `/metrics` on the chat port, read with the tests' token. */
export async function scrapeMetrics(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
  });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/**
 * Starts a server on a free port of 127.0.0.1 (memory store, silent logs
 * unless told). In the `cluster` test project, a server that is not told
 * where to keep history is a node of a fresh two-node cluster (its own key
 * prefix in the project's Redis); closing it closes the other node too.
 */
export async function startServer(
  options: ServerOptions = {},
): Promise<{ server: ConfabServer; port: number }> {
  const redisUrl = inject('clusterRedisUrl');
  const clustered =
    redisUrl !== undefined && options.store === undefined && options.ports === undefined;
  const settings: ServerOptions = {
    port: 0,
    store: 'memory',
    logLevel: 'silent',
    // Every test client comes from one address: per-address limits are for the tests that try them.
    maxConnectionsPerIp: 0,
    maxHandshakesPerIp: 0,
    addressRate: 0,
    metricsToken: METRICS_TOKEN,
    // A cluster node's copy of the search index is read again from Redis as it starts.
    searchIndex: 'memory',
    // Whether the workspace's page is built yet must not change what `/` answers.
    webPage: 'off',
    ...options,
  };
  if (!clustered) {
    const server = createServer(settings);
    const { port } = await server.listen();
    // The port may be one a closed cluster had: this server is one process.
    peers.delete(port);
    return { server, port };
  }
  const cluster: ServerOptions = {
    ...settings,
    redis: redisUrl,
    redisPrefix: `confab:test:${randomUUID()}:`,
  };
  const peer = createServer(cluster);
  await peer.listen();
  const server = createServer(cluster);
  const { port } = await server.listen();
  peers.set(port, { peer: peer.address().port, next: 0 });
  const close = server.close.bind(server);
  server.close = () =>
    close()
      .then(() => peer.close())
      .finally(() => peers.delete(port));
  return { server, port };
}

/** In the cluster project: each node's port, the other node's, and whose turn it is. */
const peers = new Map<number, { peer: number; next: number }>();

/**
 * Where a test client that asks for `port` connects: in the cluster project,
 * every other one to the cluster's other node, so that what the test checks
 * between its clients (delivery, names, acks, history) crosses nodes.
 */
function crossNode(port: number): number {
  const pair = peers.get(port);
  if (!pair) return port;
  return pair.next++ % 2 === 0 ? port : pair.peer;
}
routeConnections(crossNode);

/**
 * Keeps every client of the server at `port` on that node, for a test of
 * what a node counts for itself (its connection limits, per-address rates
 * and budgets), or of what does not yet cross nodes.
 */
export function sameNode(port: number): void {
  peers.delete(port);
}

/**
 * What a test file's tests start and open, let go after each test, the
 * newest first. Called once at the top of a file: `cleanups` takes what
 * else a test must let go; `serve` starts a server (`defaults` under the
 * options given) that is closed after the test, and resolves with its port;
 * `person` connects someone over the JSON stream, registered (`extra`:
 * more of their hello) and in #general.
 */
export function testScope(defaults: ServerOptions = {}): {
  cleanups: Array<() => Promise<void> | void>;
  serve: (options?: ServerOptions) => Promise<number>;
  person: (port: number, name: string, extra?: Record<string, unknown>) => Promise<JsonClient>;
} {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const serve = async (options: ServerOptions = {}) => {
    const { server, port } = await startServer({ ...defaults, ...options });
    cleanups.push(() => server.close());
    return port;
  };
  const person = async (port: number, name: string, extra: Record<string, unknown> = {}) => {
    const client = await JsonClient.connect(port);
    cleanups.push(() => client.end());
    await client.register(name, extra);
    return client;
  };
  return { cleanups, serve, person };
}

let refs = 0;

/**
 * Says `text` in `room` (answering the message `replyTo`, when given) and
 * waits for its ack; resolves with the message's id and seq.
 */
export async function say(
  client: FrameClient,
  text: string,
  room = '#general',
  replyTo?: string,
): Promise<{ id: string; seq: number }> {
  const ref = `say-${++refs}`;
  client.send({ type: 'say', room, text, ref, ...(replyTo ? { reply_to: replyTo } : {}) });
  const ack = await client.next('ack', (a) => a.ref === ref);
  return { id: ack.id, seq: ack.seq! };
}

/** The built `confab-server`. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A `confab-server` process started by a test. */
export interface ServerProcess {
  child: ChildProcess;
  /** The port of each process that logged `listening` (one per worker with `--workers`). */
  ports: number[];
  /** Its standard output so far (JSON log lines). */
  output(): string;
}

/**
 * Starts the built `confab-server` with `args` and resolves once `listeners`
 * of its processes have logged `listening` (more than one with `--workers`);
 * rejects if it exits first.
 */
export function spawnServer(
  args: string[],
  options: { listeners?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const ports = out
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.includes('"msg":"listening"'))
        .map((line) => (JSON.parse(line) as { port: number }).port);
      if (ports.length >= (options.listeners ?? 1)) resolve({ child, ports, output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`confab-server exited (${code}): ${out}`)));
  });
}

/** A WebSocket client at /ws. */
export class WsClient extends FrameClient {
  /** The close code the server gave, once closed. */
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => this.receive(JSON.parse(String(data)) as ServerFrame));
    ws.on('close', (code) => {
      this.closeCode = code;
      this.markClosed();
    });
    ws.on('error', () => undefined);
  }

  static connect(
    port: number,
    options: { tls?: boolean; origin?: string } = {},
  ): Promise<WsClient> {
    const url = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/ws`;
    const ws = new WebSocket(url, {
      rejectUnauthorized: false,
      ...(options.origin === undefined ? {} : { origin: options.origin }),
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  end(): void {
    this.ws.close();
  }
}

/**
 * Connects a raw socket to an in-process server, waits `afterMs`, then sends
 * `line` and keeps this process (the server's too) busy for `stallMs`, as a
 * long pause for garbage collection would: the line came in time, but waits
 * to be read while the event loop goes on to its due timers. Resolves with
 * the first line the server answers.
 */
export async function sendThenStall(
  port: number,
  line: string,
  afterMs: number,
  stallMs: number,
): Promise<string> {
  const socket = await connectSocket(port);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  await pause(afterMs);
  await new Promise<void>((resolve) =>
    // From the check phase: after it, the loop runs its timers before it reads sockets.
    setImmediate(() => {
      socket.write(`${line}\n`);
      const until = Date.now() + stallMs;
      while (Date.now() < until);
      resolve();
    }),
  );
  try {
    await waitFor(() => received.includes('\n'), 'the first line of the answer');
    return received.split('\n')[0]!;
  } finally {
    socket.destroy();
  }
}

/** Every file under `dir`, read raw, as one buffer (a file gone meanwhile holds nothing): what a store left on disk. */
export function rawFiles(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) parts.push(readFileSync(path));
    } catch (error) {
      // Redis renames and removes its temporary files as it rewrites them.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return Buffer.concat(parts);
}
