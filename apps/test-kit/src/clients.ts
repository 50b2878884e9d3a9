import net from 'node:net';
import tls from 'node:tls';
import type { ClientFrame, RawFrame, ServerFrame } from '@confab/protocol';
import { NdjsonDecoder, encodeFrame } from '@confab/protocol';
import { Inbox } from './inbox.js';
import { WAIT_MS } from './wait.js';

/** Numbers the ping markers of `beforePong`. */
let markers = 0;

type FrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/** What JSON and WebSocket clients have in common. */
export abstract class FrameClient {
  readonly inbox = new Inbox<ServerFrame>();
  readonly closed: Promise<void>;
  protected markClosed!: () => void;
  isClosed = false;
  /** Answers the server's pings, as a live client does (PROTOCOL.md section 10); off, a test sees them unanswered. */
  answerPings = false;

  constructor() {
    this.closed = new Promise(
      (resolve) => (this.markClosed = () => ((this.isClosed = true), resolve())),
    );
  }

  abstract sendRaw(text: string): void;

  /** Takes in a frame from the server. */
  protected receive(frame: ServerFrame): void {
    this.inbox.push(frame);
    if (frame.type === 'ping' && this.answerPings)
      this.send({ type: 'pong', ...(frame.ref === undefined ? {} : { ref: frame.ref }) });
  }
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

/** Where a client that asks for a port connects (see {@link routeConnections}). */
let route: (port: number) => number = (port) => port;

/**
 * Sends the clients that ask for a port elsewhere: the server's cluster
 * test project sends every other one to the cluster's other node.
 */
export function routeConnections(to: (port: number) => number): void {
  route = to;
}

/** A connected socket to 127.0.0.1:`port`, over TLS or plain TCP. */
export function connectSocket(port: number, options: ConnectOptions = {}): Promise<net.Socket> {
  const target = {
    port: route(port),
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
        frame: (raw: RawFrame) => this.receive(raw as unknown as ServerFrame),
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

  /** Connects and gives the name, as `nc` users do; resolves once they are in #general. */
  static async named(
    port: number,
    name: string,
    options: ConnectOptions = {},
  ): Promise<PlainClient> {
    const person = await PlainClient.connect(port, options);
    person.type(name);
    await person.line('* In #general');
    return person;
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
