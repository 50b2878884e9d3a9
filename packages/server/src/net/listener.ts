import net from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { SecureContext, TLSSocket } from 'node:tls';
import { encodeFrame } from '@confab/protocol';
import { afterWaitingInput } from '../session/sweeper.js';
import type { Sweepable, Sweeper } from '../session/sweeper.js';
import { endOrDestroy } from '../transport/socket-connection.js';
import { ignoreError } from '../transport/socket-events.js';
import { addressKey } from './address-group.js';
import { carryHandshake, holdHandshake, settleHandshake } from './handshakes.js';
import { sniff } from './sniff.js';

/** A socket whose transport is known, with its bytes so far still to be read. */
export type ByteStream = Socket | TLSSocket;

/** Where the listener hands a connection once it knows what it is. */
export interface ListenerRoutes {
  /** The JSON stream or plain text. `full`: over the connection limits. */
  stream(socket: ByteStream, kind: 'json' | 'plain', full: boolean): void;
  /** HTTP: WebSocket upgrades, /healthz, /metrics. */
  http(socket: ByteStream, full: boolean): void;
}

/** Options of {@link Listener}. */
export interface ListenerOptions {
  routes: ListenerRoutes;
  sweeper: Sweeper;
  now: () => number;
  /** TLS on the same port, when the server has a certificate. */
  secureContext?: SecureContext | undefined;
  /** Time to send the first bytes (the handshake timeout). */
  handshakeTimeoutMs: number;
  /**
   * How a connection that stays silent is met: programs speak first (JSON,
   * WebSocket, TLS), people on `nc` wait to be spoken to. After `afterMs`
   * of silence (0: never) the connection is taken for a person and sent
   * `bytes`, a prompt for their name (or `fullBytes` and closed, when over
   * the limits, or what `refusal` says and closed, when it says anything:
   * an address banned from the server); from then on it has `timeoutMs` to
   * say something, and is told `timeoutBytes` if it does not.
   */
  greeting?: {
    afterMs: number;
    bytes: Uint8Array;
    fullBytes: Uint8Array;
    timeoutMs: number;
    timeoutBytes: Uint8Array;
    refusal?: (address: string) => Uint8Array | undefined;
  };
  /** Connections in total (0: no limit). */
  maxConnections: number;
  /** Connections from one address (an IPv6 /64 counts as one; 0: no limit). */
  maxConnectionsPerIp: number;
  /**
   * Connections from one address still in their handshake (sending their
   * first bytes, a request head or `hello`, or a person typing a name; 0:
   * no limit): connections that hold a place without being anyone yet.
   */
  maxHandshakesPerIp: number;
  /** Liveness of plain-text links, which cannot answer pings. */
  keepAliveMs: number;
}

/**
 * How long a connection refused for the limits may stay to be told so:
 * refused connections count toward no limit, so a flood of them must not
 * pile up either.
 */
const REFUSED_GRACE_MS = 2_000;

/** Enough bytes to tell an HTTP request line from a person typing. */
const SNIFF_BYTES = 16;

const COUNTED_BY = Symbol('confab.listener');
type Counted = Socket & { [COUNTED_BY]?: Listener };

/** One close listener for every accepted socket: counts it out of its listener. */
function onCountedClose(this: Counted): void {
  this[COUNTED_BY]?.forget(this);
}

const TIMEOUT_LINE = encodeFrame({
  type: 'error',
  code: 'handshake_timeout',
  message: 'nothing was sent after connecting',
});

/**
 * One port for every transport: accepts sockets, counts them against the
 * limits, reads the first bytes to learn the transport (unwrapping TLS and
 * looking again inside), and hands each socket on with those bytes put back.
 */
export class Listener {
  readonly server: net.Server;
  private readonly perIp = new Map<string, number>();
  private readonly handshakesPerIp = new Map<string, number>();
  private open = 0;

  constructor(private readonly options: ListenerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Connections open now (every transport). */
  get connections(): number {
    return this.open;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting; open connections are not touched. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    const ip = addressKey(socket.remoteAddress ?? 'unknown');
    socket.on('error', ignoreError);
    const { maxConnections, maxConnectionsPerIp, maxHandshakesPerIp } = this.options;
    const full =
      (maxConnections > 0 && this.open >= maxConnections) ||
      (maxConnectionsPerIp > 0 && (this.perIp.get(ip) ?? 0) >= maxConnectionsPerIp) ||
      (maxHandshakesPerIp > 0 && (this.handshakesPerIp.get(ip) ?? 0) >= maxHandshakesPerIp);
    if (full) {
      // Refused: it counts toward nothing, and has a moment to read why, in its own transport.
      setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
      this.sniff(socket, true, false);
      return;
    }
    socket.setKeepAlive(true, this.options.keepAliveMs);
    count(this.perIp, ip, 1);
    count(this.handshakesPerIp, ip, 1);
    this.open++;
    (socket as Counted)[COUNTED_BY] = this;
    holdHandshake(socket, () => count(this.handshakesPerIp, ip, -1));
    socket.on('close', onCountedClose);
    this.sniff(socket, false, false);
  }

  /** @internal A counted socket closed. */
  forget(socket: Socket): void {
    this.open--;
    settleHandshake(socket);
    count(this.perIp, addressKey(socket.remoteAddress ?? 'unknown'), -1);
  }

  /**
   * Reads until the first bytes decide the transport, then routes the socket.
   * Everything made here is let go once the transport is known: an idle
   * connection keeps none of it.
   */
  private sniff(socket: ByteStream, full: boolean, insideTls: boolean): void {
    let started = this.options.now();
    let timeoutMs = this.options.handshakeTimeoutMs;
    let timeoutBytes = TIMEOUT_LINE;
    const chunks: Buffer[] = [];
    let length = 0;
    const greeting = this.options.greeting;
    let decided = false;
    const greetPerson = () => {
      if (decided || !greeting) return;
      const refusal = full
        ? greeting.fullBytes
        : greeting.refusal?.(socket.remoteAddress ?? 'unknown');
      if (refusal) {
        done();
        endOrDestroy(socket, refusal);
        return;
      }
      socket.write(greeting.bytes);
      started = this.options.now();
      timeoutMs = greeting.timeoutMs;
      timeoutBytes = greeting.timeoutBytes;
    };
    // A timer of its own, not the sweeper's: a person should be greeted at
    // once, and the sweeper looks only every second or so. It lives only
    // until the first bytes come; bytes that came in time but wait to be
    // read (the process was busy) still come first.
    const greet =
      greeting && greeting.afterMs > 0
        ? setTimeout(() => afterWaitingInput(greetPerson), greeting.afterMs)
        : undefined;
    const done = () => {
      decided = true;
      clearTimeout(greet);
      this.options.sweeper.delete(deadline);
      socket.off('data', onData);
      socket.off('close', done);
    };
    const deadline: Sweepable = {
      sweep: (now) => {
        if (now - started < timeoutMs) return;
        done();
        socket.end(timeoutBytes);
        setTimeout(() => socket.destroy(), 1_000).unref();
      },
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const head = chunks.length === 1 ? chunk : Buffer.concat(chunks, length);
      const kind = sniff(head.subarray(0, SNIFF_BYTES));
      if (kind === 'undecided' && length < SNIFF_BYTES) return;
      done();
      socket.pause();
      socket.unshift(head);
      this.route(socket, kind === 'undecided' ? 'plain' : kind, full, insideTls);
    };
    this.options.sweeper.add(deadline);
    socket.on('data', onData);
    socket.on('close', done);
  }

  private route(
    socket: ByteStream,
    kind: 'json' | 'http' | 'tls' | 'plain',
    full: boolean,
    insideTls: boolean,
  ): void {
    if (kind === 'tls') {
      if (!this.options.secureContext || insideTls) {
        socket.destroy();
        return;
      }
      // TLSSocket reads the bytes put back with unshift first (the ClientHello).
      const secure = new tls.TLSSocket(socket, {
        isServer: true,
        secureContext: this.options.secureContext,
      });
      carryHandshake(socket, secure);
      secure.on('error', () => socket.destroy());
      this.sniff(secure, full, true);
      return;
    }
    if (kind === 'http') this.options.routes.http(socket, full);
    else this.options.routes.stream(socket, kind, full);
  }
}

/** Adds `by` to a per-address count, forgetting counts that fall to 0; returns the new count. */
function count(counts: Map<string, number>, key: string, by: number): number {
  const value = (counts.get(key) ?? 0) + by;
  if (value <= 0) counts.delete(key);
  else counts.set(key, value);
  return value;
}
