import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientFrame, RawFrame, ServerFrame } from '@confab/protocol';
import { NdjsonDecoder, encodeFrame } from '@confab/protocol';
import { inject } from 'vitest';
import WebSocket from 'ws';
import type { ServerOptions } from '../src/index.js';
import { createServer } from '../src/index.js';
import type { ConfabServer } from '../src/index.js';

/**
 * How long a test waits for a frame before failing. Only a failing test waits
 * this long; it is generous because CI runs every suite at once on two cores.
 */
export const WAIT_MS = 8_000;

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

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'confab-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
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
    // Whether the workspace's page is built yet must not change what `/` answers.
    webPage: 'off',
    ...options,
  };
  if (!clustered) {
    const server = createServer(settings);
    const { port } = await server.listen();
    return { server, port };
  }
  const cluster = { ...settings, redis: redisUrl, redisPrefix: `confab:test:${randomUUID()}:` };
  const peer = createServer(cluster);
  await peer.listen();
  const server = createServer(cluster);
  const { port } = await server.listen();
  peers.set(port, { peer: peer.address().port, next: 0 });
  const close = server.close.bind(server);
  server.close = () => close().then(() => peer.close());
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

/**
 * Keeps every client of the server at `port` on that node, for a test of
 * what a node counts for itself (its connection limits, per-address rates
 * and budgets), or of what does not yet cross nodes.
 */
export function sameNode(port: number): void {
  peers.delete(port);
}

/** What a hello asks for to follow rooms' state and moderation (protocol 1.4). */
export const ROOMS = { features: ['rooms'] };

/** Joins a room and waits until its replay came; returns the room's state frame. */
export async function joinRoom(
  client: FrameClient,
  room: string,
): Promise<Extract<ServerFrame, { type: 'room' }>> {
  client.send({ type: 'join', room });
  const state = await client.next('room', (f) => f.room === room);
  await client.next('history', (f) => f.room === room);
  client.inbox.drain();
  return state;
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

/** Numbers the ping markers of `beforePong`. */
let markers = 0;

/** Frames waiting to be taken by a test, with waiters for the next match. */
class Inbox<T> {
  readonly all: T[] = [];
  private readonly unread: T[] = [];
  private waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = [];

  push(item: T): void {
    this.all.push(item);
    const index = this.waiters.findIndex((w) => w.match(item));
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1);
      waiter!.resolve(item);
    } else this.unread.push(item);
  }

  /** The unread items before the first that matches (waiting for it); they and it are taken. */
  async takeUntil(match: (item: T) => boolean, what: string, ms = WAIT_MS): Promise<T[]> {
    const marker = await this.take(match, what, ms);
    // take() left the items before the marker unread, in order; later ones came after it.
    const at = this.all.indexOf(marker);
    const before = this.unread.filter((item) => this.all.indexOf(item) < at);
    for (const item of before) this.unread.splice(this.unread.indexOf(item), 1);
    return before;
  }

  /** The first unread item that matches (waiting for it); items before it stay unread. */
  take(match: (item: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
    const index = this.unread.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unread.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (item: T) => (clearTimeout(timer), resolve(item)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        // The newest frames say most about what went wrong: the last few, in full.
        const last = this.unread.slice(-8).map((item) => JSON.stringify(item).slice(0, 300));
        reject(
          new Error(
            `timed out waiting for ${what}; ${this.unread.length} unread, the last:\n${last.join('\n')}`,
          ),
        );
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /**
   * Takes `first` (an item just taken) and the unread items right after it
   * that match `goesOn`: a line's continuation rows, which came with it.
   */
  takeFollowing(goesOn: (item: T) => boolean, after: T): T[] {
    const at = this.all.lastIndexOf(after);
    const following: T[] = [];
    for (let i = at + 1; i < this.all.length && goesOn(this.all[i]!); i++) {
      const index = this.unread.indexOf(this.all[i]!);
      if (index < 0) break;
      following.push(this.unread.splice(index, 1)[0]!);
    }
    return following;
  }

  /** Unread items so far, and forgets them. */
  drain(): T[] {
    return this.unread.splice(0, this.unread.length);
  }
}

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** What JSON and WebSocket clients have in common. */
export abstract class FrameClient {
  readonly inbox = new Inbox<ServerFrame>();
  readonly closed: Promise<void>;
  protected markClosed!: () => void;
  isClosed = false;

  constructor() {
    this.closed = new Promise(
      (resolve) => (this.markClosed = () => ((this.isClosed = true), resolve())),
    );
  }

  abstract sendRaw(text: string): void;
  abstract end(): void;

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** The next frame of `type` (matching `where`), skipping none of the others. */
  next<T extends ServerFrame['type']>(
    type: T,
    where: (frame: FrameOf<T>) => boolean = () => true,
    ms?: number,
  ): Promise<FrameOf<T>> {
    return this.inbox.take((f) => f.type === type && where(f as FrameOf<T>), type, ms) as Promise<
      FrameOf<T>
    >;
  }

  /** Sends hello, waits for welcome and the #general replay, and forgets the frames of registering. */
  async register(name: string, extra: Record<string, unknown> = {}): Promise<FrameOf<'welcome'>> {
    this.send({ type: 'hello', version: 1, name, ...extra });
    const welcome = await this.next('welcome');
    await this.next('history', (h) => h.room.toLowerCase() === '#general');
    this.inbox.drain();
    return welcome;
  }

  /** Runs the `<quit>` handshake and waits for the close. */
  async quit(): Promise<void> {
    this.send({ type: 'quit' });
    await this.next('quit');
    await this.closed;
  }

  /**
   * What came before a marker: waits for the first unread frame that
   * `marker` matches and returns the unread frames that came before it
   * (all of them taken, the marker too). A negative check sends the marker
   * after the thing that must not happen, through the same path (a message
   * after a message, a ping after a command), so that had it happened it
   * would have come first: sound however slow the machine.
   */
  async before<K extends ServerFrame['type']>(
    type: K,
    marker: (frame: Extract<ServerFrame, { type: K }>) => boolean,
    ms = WAIT_MS,
  ): Promise<ServerFrame[]> {
    return this.inbox.takeUntil(
      (f) => f.type === type && marker(f as Extract<ServerFrame, { type: K }>),
      `a ${type} marker`,
      ms,
    );
  }

  /** What came before the answer to a ping sent now: what this connection was sent before it handled the ping. */
  async beforePong(): Promise<ServerFrame[]> {
    const ref = `marker-${++markers}`;
    this.send({ type: 'ping', ref });
    return this.before('pong', (p) => p.ref === ref);
  }
}

/** How a test client connects: over TLS (any certificate), and from which local address. */
export interface ConnectOptions {
  tls?: boolean;
  /** Another loopback address (127.0.0.2 …) stands for another machine. @default 127.0.0.1 */
  localAddress?: string;
}

/** A connected socket to 127.0.0.1:`port`, over TLS or plain TCP. */
function connectSocket(port: number, options: ConnectOptions = {}): Promise<net.Socket> {
  const target = {
    port: crossNode(port),
    host: '127.0.0.1',
    localAddress: options.localAddress ?? '127.0.0.1',
  };
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ ...target, rejectUnauthorized: false }, () => resolve(socket))
      : net.connect(target, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A JSON-stream client over a real TCP (or TLS) socket. */
export class JsonClient extends FrameClient {
  readonly socket: net.Socket;
  readonly decodeErrors: string[] = [];

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    const decoder = new NdjsonDecoder({ maxFrameBytes: 1 << 20 });
    socket.on('data', (chunk) =>
      decoder.push(chunk, {
        frame: (raw: RawFrame) => this.inbox.push(raw as unknown as ServerFrame),
        error: (e) => this.decodeErrors.push(e.code),
      }),
    );
    socket.on('error', () => undefined);
    socket.on('close', () => this.markClosed());
  }

  static async connect(port: number, options: ConnectOptions = {}): Promise<JsonClient> {
    return new JsonClient(await connectSocket(port, options));
  }

  sendRaw(text: string): void {
    this.socket.write(text + '\n');
  }

  sendBytes(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  override send(frame: ClientFrame | Record<string, unknown>): void {
    this.socket.write(encodeFrame(frame as ClientFrame));
  }

  end(): void {
    this.socket.end();
  }
}

/** A WebSocket client at /ws. */
export class WsClient extends FrameClient {
  /** The close code the server gave, once closed. */
  closeCode: number | undefined;

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as ServerFrame));
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

/** A person on `nc`: lines in, lines out. */
export class PlainClient {
  readonly lines = new Inbox<string>();
  readonly raw: Buffer[] = [];
  readonly closed: Promise<void>;
  private partial = '';

  private constructor(readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\r\n');
      this.partial = parts.pop()!;
      for (const line of parts) this.lines.push(line);
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, options: ConnectOptions = {}): Promise<PlainClient> {
    return new PlainClient(await connectSocket(port, options));
  }

  type(line: string): void {
    this.socket.write(line + '\n');
  }

  /** The next line matching (a substring or a pattern). */
  line(match: string | RegExp, ms?: number): Promise<string> {
    const test = (l: string) => (typeof match === 'string' ? l.includes(match) : match.test(l));
    return this.lines.take(test, String(match), ms);
  }

  /**
   * The next line matching, with the rows that go on with it (indented: the
   * server wraps at 80 columns), joined as one sentence.
   */
  async sentence(match: string | RegExp, ms?: number): Promise<string> {
    const first = await this.line(match, ms);
    const rest = this.lines.takeFollowing((row) => row.startsWith('  '), first);
    return [first, ...rest.map((row) => row.trim())].join(' ');
  }

  /** Types `<quit>`, reads the server's goodbye and waits for the close. */
  async quit(): Promise<void> {
    this.type('<quit>');
    await this.line('* Bye.');
    await this.closed;
  }

  /** Every byte received so far, as text. */
  text(): string {
    return Buffer.concat(this.raw).toString('utf8');
  }
}

/**
 * Waits until `condition` holds, looking every few milliseconds; fails,
 * saying `what` it waited for, after `ms`. For what no single frame
 * announces (counts, a state reached by several events).
 */
export async function waitFor(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sleeps. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  await new Promise((resolve) => socket.once('connect', resolve));
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
    for (let waited = 0; !received.includes('\n') && waited < WAIT_MS; waited += 10)
      await pause(10);
    return received.split('\n')[0]!;
  } finally {
    socket.destroy();
  }
}
