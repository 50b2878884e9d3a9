import net from 'node:net';
import WebSocket from 'ws';
import type { LatencySample } from '../stats.js';
import { nowMs } from '../stats.js';

/** The transports a run can use. `socketio` speaks socket.io's protocol to the peer server. */
export type LoadTransport = 'json' | 'ws' | 'plain' | 'socketio';

/**
 * One simulated user. It keeps costs low so the generator measures the
 * server, not itself: a plain receiver only counts newlines (or messages);
 * only senders and latency samplers look inside what they receive.
 */
export interface LoadClient {
  /** Messages received since `startCounting`. */
  delivered: number;
  /** Reads so far, counting or not: how a run tells the link has gone quiet. */
  activity: number;
  /** Opens the link and registers under `name` (resolves once in the room). */
  join(name: string): Promise<void>;
  /** From now on every line (message) received counts as a delivery. */
  startCounting(): void;
  /** Sends a room message. */
  send(text: string): void;
  /** Called when the server confirms one of this client's messages (an ack, or its own echo). */
  onConfirm: (() => void) | undefined;
  /** Stops reading (a slow reader) or starts again. */
  pauseReading(): void;
  resumeReading(): void;
  /** Resolves when the link closes. */
  readonly closed: Promise<void>;
  close(): void;
}

/** How a client treats what it receives. */
export interface ClientRole {
  /** Looks inside each received message (senders and latency samplers do). */
  parses: boolean;
  /** Where sampled latencies go. */
  latency?: LatencySample | undefined;
}

/** The message text: send time, then padding to make the frame ~100 bytes. */
export function messageText(sender: string, seq: number): string {
  const head = `${nowMs().toFixed(3)}|${sender}|${seq}|`;
  return head.padEnd(40, 'x');
}

/** Reads the send time back out of a message text (or a line that holds one). */
function sentAt(text: string, from: number): number {
  const end = text.indexOf('|', from);
  return Number(text.slice(from, end));
}

const NEWLINE = 0x0a;

/** Counts newlines in a chunk. */
function countLines(chunk: Buffer): number {
  let count = 0;
  let at = chunk.indexOf(NEWLINE);
  while (at !== -1) {
    count++;
    at = chunk.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/** Splits chunks into complete lines (for clients that parse). */
class Lines {
  private rest = '';
  feed(chunk: Buffer, line: (text: string) => void): void {
    const text = this.rest + chunk.toString('utf8');
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      line(text.slice(start, end));
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    this.rest = text.slice(start);
  }
}

function connectTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** What every load client shares: the counts, the join handshake's end, a sampled delivery. */
abstract class BaseClient implements LoadClient {
  delivered = 0;
  activity = 0;
  onConfirm: (() => void) | undefined;
  closed!: Promise<void>;
  /** Past registering: what arrives now is the run's traffic. */
  protected isJoined = false;
  /** Deliveries (and their latencies) count only from `startCounting`: a warm-up does not. */
  protected counting = false;
  private markJoined: (() => void) | undefined;

  constructor(
    protected readonly port: number,
    protected readonly role: ClientRole,
  ) {}

  abstract join(name: string): Promise<void>;
  abstract send(text: string): void;
  abstract pauseReading(): void;
  abstract resumeReading(): void;
  abstract close(): void;

  startCounting(): void {
    this.counting = true;
    this.delivered = 0;
  }

  /** A promise that `joined()` resolves. */
  protected untilJoined(): Promise<void> {
    return new Promise((resolve) => (this.markJoined = resolve));
  }

  /** The join is over: the client is in the room. */
  protected joined(): void {
    this.isJoined = true;
    this.markJoined?.();
  }

  /** One message received: counted, and timed from the send time that starts its text at `textAt`. */
  protected delivery(text: string, textAt: number): void {
    if (!this.counting) return;
    this.delivered++;
    this.role.latency?.add(nowMs() - sentAt(text, textAt));
  }
}

/**
 * A client over TCP that reads lines (the JSON stream, plain text). Counting
 * receivers only count newlines; the others split lines and read them.
 */
abstract class LineClient extends BaseClient {
  protected socket!: net.Socket;
  private readonly lines = new Lines();

  /** What the client writes first. */
  protected abstract greeting(name: string): string;
  /** One line, while joining or when this client reads what it receives. */
  protected abstract line(line: string): void;

  async join(name: string): Promise<void> {
    this.socket = await connectTcp(this.port);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', () => undefined);
    const joined = this.untilJoined();
    this.socket.on('data', (chunk: Buffer) => {
      this.activity++;
      if (this.isJoined && !this.role.parses) {
        if (this.counting) this.delivered += countLines(chunk);
      } else this.lines.feed(chunk, (line) => this.line(line));
    });
    this.socket.write(this.greeting(name));
    await joined;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A client of Confab's JSON stream. */
class JsonLoadClient extends LineClient {
  protected greeting(name: string): string {
    return `{"type":"hello","version":1,"name":"${name}"}\n`;
  }

  protected line(line: string): void {
    if (!this.isJoined) {
      // The join replay is the last frame of registering.
      if (line.startsWith('{"type":"history"')) this.joined();
      return;
    }
    if (line.startsWith('{"type":"message"')) this.delivery(line, line.indexOf('"text":"') + 8);
    else if (line.startsWith('{"type":"ack"')) this.onConfirm?.();
  }

  send(text: string): void {
    this.socket.write(`{"type":"say","room":"#general","text":"${text}","ref":"r"}\n`);
  }
}

/** A person on `nc`, as a load: its own echo confirms a message (plain text has no acks). */
class PlainLoadClient extends LineClient {
  private mine = '';

  protected greeting(name: string): string {
    this.mine = `<${name}> `;
    return `${name}\n`;
  }

  protected line(line: string): void {
    if (!this.isJoined) {
      if (line.startsWith('* In #general:')) this.joined();
      return;
    }
    const text = line.indexOf('> ');
    if (text === -1) return;
    this.delivery(line, text + 2);
    if (line.includes(this.mine)) this.onConfirm?.();
  }

  send(text: string): void {
    this.socket.write(`${text}\n`);
  }
}

/** A client over WebSocket: one message per frame. */
abstract class MessageClient extends BaseClient {
  protected ws!: WebSocket;

  protected abstract url(): string;
  /** Called once the link is open. */
  protected abstract opened(name: string): void;
  /** One message, whatever the state. */
  protected abstract message(data: Buffer): void;

  async join(name: string): Promise<void> {
    this.ws = new WebSocket(this.url(), { perMessageDeflate: false });
    this.closed = new Promise((resolve) => this.ws.once('close', () => resolve()));
    this.ws.on('error', () => undefined);
    const joined = this.untilJoined();
    this.ws.on('message', (data: Buffer) => {
      this.activity++;
      this.message(data);
    });
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.opened(name);
    await joined;
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A client of Confab's WebSocket transport (`/ws`). */
class WsLoadClient extends MessageClient {
  protected url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  protected opened(name: string): void {
    this.ws.send(`{"type":"hello","version":1,"name":"${name}"}`);
  }

  protected message(data: Buffer): void {
    if (!this.isJoined) {
      if (data.toString('latin1', 0, 17) === '{"type":"history"') this.joined();
      return;
    }
    if (!this.role.parses) {
      if (this.counting) this.delivered++;
      return;
    }
    const text = data.toString('utf8');
    if (text.startsWith('{"type":"message"')) this.delivery(text, text.indexOf('"text":"') + 8);
    else if (text.startsWith('{"type":"ack"')) this.onConfirm?.();
  }

  send(text: string): void {
    this.ws.send(`{"type":"say","room":"#general","text":"${text}","ref":"r"}`);
  }
}

/**
 * A socket.io client, speaking Engine.IO 4 / socket.io 5 packets over a
 * plain WebSocket (`0` open, `40` connect, `2`/`3` ping/pong, `42[…]`
 * events), so the generator costs the same as for Confab's WebSocket.
 * Its own echo confirms a message (the canonical chat has no acks).
 */
class SocketIoLoadClient extends MessageClient {
  private name = '';

  protected url(): string {
    return `ws://127.0.0.1:${this.port}/socket.io/?EIO=4&transport=websocket`;
  }

  protected opened(name: string): void {
    this.name = name;
  }

  protected message(data: Buffer): void {
    const kind = data[0]! - 0x30;
    if (kind === 4 && data[1] === 0x32) {
      if (!this.isJoined) return;
      if (!this.role.parses) {
        if (this.counting) this.delivered++;
        return;
      }
      const text = data.toString('utf8');
      this.delivery(text, text.indexOf(',"') + 2);
      if (text.includes(`|${this.name}|`)) this.onConfirm?.();
    } else if (kind === 0) this.ws.send('40');
    else if (kind === 4 && data[1] === 0x30) this.joined();
    else if (kind === 2) this.ws.send('3');
  }

  send(text: string): void {
    this.ws.send(`42["chat message","${text}"]`);
  }
}

/** Makes a client of the given transport. */
export function makeClient(transport: LoadTransport, port: number, role: ClientRole): LoadClient {
  switch (transport) {
    case 'json':
      return new JsonLoadClient(port, role);
    case 'ws':
      return new WsLoadClient(port, role);
    case 'plain':
      return new PlainLoadClient(port, role);
    case 'socketio':
      return new SocketIoLoadClient(port, role);
  }
}
