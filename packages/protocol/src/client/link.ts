import type { ErrorCode } from '../errors.js';
import type { ClientFrame } from '../frames.js';
import type {
  ClientHandshakeEffect,
  ClientHandshakeEvent,
  ClientHandshakeState,
} from '../handshake.js';
import { clientHandshakeStep } from '../handshake.js';
import { LIMITS } from '../limits.js';
import type { RawFrame } from '../validate.js';
import type { BackoffOptions } from './backoff.js';
import { backoffDelay } from './backoff.js';
import type { ClientClock, ClientTransport, Connect } from './transport.js';

/** The connection as a view shows it. */
export type ClientStatus =
  | 'connecting'
  | 'awaiting_welcome'
  /** The server refused the name: call {@link ChatClient.retryName}. */
  | 'awaiting_name'
  | 'registered'
  /** The link dropped; a new attempt starts at `reconnectAt`. */
  | 'reconnecting'
  | 'quitting'
  /** Over for good: see the `ended` event for why. */
  | 'closed';

/** Why the client stopped for good. */
export type EndReason =
  /** The user quit (the handshake ran, or timed out). */
  | 'user'
  /** The server ended the session: its `quit` (e.g. shutdown) or a closing error. */
  | 'server'
  /** The first connection failed or closed before `welcome` (the message says why). */
  | 'unreachable';

/** What a link asks of, and tells, the client it serves. */
export interface LinkHost {
  /** The `hello` to send (on every connect and retry). */
  hello(): ClientFrame;
  /** A frame from the server, not yet checked. */
  frame(raw: RawFrame): void;
  /** `welcome` came: the link is up. `reconnected`: not its first. */
  registered(reconnected: boolean): void;
  /**
   * The link is gone, before or after `welcome` (`wasUp`: it had been
   * welcomed, so losing it is news); `serverStopping`: the server said it
   * was shutting down; `reconnecting`: another link will be tried.
   */
  lost(wasUp: boolean, serverStopping: boolean, reconnecting: boolean): void;
  /** Over for good. */
  ended(reason: EndReason, message: string | undefined): void;
  status(status: ClientStatus): void;
}

/** Options of a {@link Link}. */
export interface LinkOptions {
  connect: Connect;
  clock: ClientClock;
  /** Reconnect after a lost link (once registered); `false` to stop instead. */
  reconnect: BackoffOptions | false;
  /** Silence after which the server is pinged; twice this and the link counts as lost. */
  keepaliveMs: number;
}

/**
 * One connection's life, again and again: it opens the transport, runs the
 * `<quit>` handshake's client side (`clientHandshakeStep`), keeps the link
 * alive with pings, and when a registered link is lost, opens another
 * after a backoff with jitter. What is said on the link is the host's.
 */
export class Link {
  private handshake: ClientHandshakeState = 'connecting';
  private statusValue: ClientStatus = 'connecting';
  private transport: ClientTransport | undefined;
  /** Identifies the current link; events from an older one are ignored. */
  private linkToken: object | undefined;
  private attempt = 0;
  private everRegistered = false;
  /** The current link got as far as `welcome`: losing it is news for the user. */
  private up = false;
  /** The server said it is shutting down (it may be restarting). */
  private serverStopping = false;
  private reconnectTimer: unknown;
  private quitTimer: unknown;
  private keepaliveTimer: unknown;
  private lastHeardAt = 0;
  private lastCloseError: string | undefined;
  /** The server's reason when it ends the session (its `quit`, or a refusal). */
  private serverEndMessage: string | undefined;
  private quitReason: string | undefined;
  /** When the next reconnect attempt starts (status `reconnecting`). */
  reconnectAt = 0;

  constructor(
    private readonly options: LinkOptions,
    private readonly host: LinkHost,
  ) {}

  get status(): ClientStatus {
    return this.statusValue;
  }

  /** Whether the handshake waits for `welcome` (a refusal of `hello` is answered by the host). */
  get awaitingWelcome(): boolean {
    return this.handshake === 'awaiting_welcome';
  }

  /** Whether this client was ever welcomed (a later `hello` resumes). */
  get wasRegistered(): boolean {
    return this.everRegistered;
  }

  /** Opens the first connection. */
  start(): void {
    this.open();
  }

  /** Sends a frame on the current link (a no-op without one). */
  send(frame: ClientFrame): void {
    this.transport?.send(frame);
  }

  /** Runs the `<quit>` handshake: sends `quit`, closes on the answer or after 2 s. */
  quit(reason?: string): void {
    this.clearTimer('reconnectTimer');
    if (this.statusValue === 'reconnecting' || !this.transport) {
      this.finish('user');
      return;
    }
    this.quitReason = reason;
    this.step({ type: 'user_quit' });
  }

  /** The user gave another name (or credentials) after a refusal: `hello` again. */
  nameGiven(): void {
    this.step({ type: 'name_given' });
  }

  /** `welcome` came. */
  welcome(): void {
    this.step({ type: 'welcome' });
  }

  /** The server refused `hello` with `code`; `message` is its reason, should it end the session. */
  rejected(code: ErrorCode, message: string): void {
    this.serverEndMessage = message;
    this.step({ type: 'rejected', code });
  }

  /** The server's `quit`: the session ends (for a shutdown, it may come back: reconnect). */
  serverQuit(reason: string | undefined, shutdown: boolean): void {
    this.serverEndMessage = reason;
    if (shutdown) {
      this.serverStopping = true;
      // Its first attempts would only meet a server still stopping.
      this.attempt = Math.max(this.attempt, 1);
    }
    this.step({ type: 'server_quit', shutdown });
  }

  /** `hello` again after `delay` on this same link, if it still waits for `welcome` (the server was not ready). */
  helloLater(delay: number): void {
    const transport = this.transport;
    this.reconnectTimer = this.options.clock.setTimer(delay, () => {
      if (this.handshake === 'awaiting_welcome' && this.transport === transport) this.sendHello();
    });
  }

  /** Runs `then` after `delay` unless the client ends first (a name to try again, a reconnect's retry). */
  after(delay: number, then: () => void): void {
    this.reconnectTimer = this.options.clock.setTimer(delay, then);
  }

  /** Transport handlers must not be called before `connect` returns. */
  private open(): void {
    this.handshake = 'connecting';
    this.setStatus('connecting');
    // Events from a link that was replaced are stale: each link gets a token.
    const token = {};
    this.linkToken = token;
    const isCurrent = () => this.linkToken === token;
    this.transport = this.options.connect({
      open: () => isCurrent() && this.step({ type: 'transport_open' }),
      frame: (raw) => {
        if (!isCurrent()) return;
        this.lastHeardAt = this.options.clock.now();
        this.host.frame(raw);
      },
      decodeError: () => undefined,
      close: (detail) => {
        if (!isCurrent()) return;
        this.linkToken = undefined;
        this.transport = undefined;
        this.lastCloseError = detail?.error;
        this.step({ type: 'transport_closed' });
      },
    });
  }

  private step(event: ClientHandshakeEvent): void {
    const transition = clientHandshakeStep(this.handshake, event);
    this.handshake = transition.state;
    for (const effect of transition.effects) this.apply(effect);
    if (transition.state !== 'closed' && transition.state !== 'awaiting_name')
      this.setStatus(transition.state);
  }

  private apply(effect: ClientHandshakeEffect): void {
    switch (effect) {
      case 'send_hello':
        this.sendHello();
        break;
      case 'ask_name':
        this.setStatus('awaiting_name');
        break;
      case 'send_quit':
        this.send(
          this.quitReason === undefined
            ? { type: 'quit' }
            : { type: 'quit', reason: this.quitReason },
        );
        break;
      case 'start_quit_timer':
        this.quitTimer = this.options.clock.setTimer(LIMITS.quitTimeoutMs, () =>
          this.step({ type: 'quit_timeout' }),
        );
        break;
      case 'close_transport': {
        const transport = this.transport;
        this.transport = undefined;
        this.linkToken = undefined;
        transport?.close();
        break;
      }
      case 'registered':
        this.onRegistered();
        break;
      case 'ended_by_user':
        this.finish('user');
        break;
      case 'ended_by_server':
        this.finish('server', this.serverEndMessage);
        break;
      case 'lost':
        this.onLost();
        break;
    }
  }

  private sendHello(): void {
    this.lastHeardAt = this.options.clock.now();
    this.send(this.host.hello());
  }

  private onRegistered(): void {
    const reconnected = this.everRegistered;
    this.up = true;
    this.serverStopping = false;
    this.attempt = 0;
    this.reconnectAt = 0;
    this.everRegistered = true;
    this.scheduleKeepalive();
    this.host.registered(reconnected);
  }

  private onLost(): void {
    this.clearTimer('keepaliveTimer');
    const reconnect = this.options.reconnect;
    const wasUp = this.up;
    this.up = false;
    this.host.lost(wasUp, this.serverStopping, this.everRegistered && reconnect !== false);
    // A first link that never got as far as `welcome` is a wrong address or a
    // server that is down: say so rather than retry in silence.
    if (!this.everRegistered) {
      this.finish('unreachable', this.lastCloseError);
      return;
    }
    if (reconnect === false) {
      this.finish('server', this.lastCloseError);
      return;
    }
    const delay = backoffDelay(this.attempt++, this.options.clock.random(), reconnect);
    this.reconnectAt = this.options.clock.now() + delay;
    this.setStatus('reconnecting');
    this.reconnectTimer = this.options.clock.setTimer(delay, () => {
      this.reconnectTimer = undefined;
      this.open();
    });
  }

  private finish(reason: EndReason, message?: string): void {
    this.clearTimer('quitTimer');
    this.clearTimer('keepaliveTimer');
    this.clearTimer('reconnectTimer');
    const transport = this.transport;
    this.transport = undefined;
    this.linkToken = undefined;
    transport?.close();
    this.handshake = 'closed';
    if (this.statusValue === 'closed') return;
    this.setStatus('closed');
    this.host.ended(reason, message);
  }

  private scheduleKeepalive(): void {
    const interval = this.options.keepaliveMs;
    this.clearTimer('keepaliveTimer');
    this.keepaliveTimer = this.options.clock.setTimer(interval, () => {
      const silent = this.options.clock.now() - this.lastHeardAt;
      if (silent >= 2 * interval) {
        // The server has not answered a ping: treat the link as lost.
        this.transport?.close();
        return;
      }
      if (silent >= interval) this.send({ type: 'ping' });
      this.scheduleKeepalive();
    });
  }

  private clearTimer(which: 'quitTimer' | 'keepaliveTimer' | 'reconnectTimer'): void {
    if (this[which] !== undefined) this.options.clock.clearTimer(this[which]);
    this[which] = undefined;
  }

  private setStatus(status: ClientStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.host.status(status);
  }
}
