import type {
  ClientFrame,
  FrameError,
  HelloFrame,
  LeaveReason,
  RawFrame,
  ServerFrame,
  ServerHandshakeState,
} from '@confab/protocol';
import {
  ConfabError,
  LOGGED_OUT_REASON,
  SERVER_SHUTDOWN_REASON,
  SERVER_BANNED_REASON,
  SESSION_REPLACED_REASON,
  SESSION_REVOKED_REASON,
  errorCloses,
  serverFrameGate,
  serverHandshakeStep,
  validateClientFrame,
} from '@confab/protocol';
import type { Logger } from 'pino';
import type { ChatCore, ChatUser } from '../core/chat-core.js';
import { Outgoing } from '../core/outgoing.js';
import type { Recipient } from '../core/outgoing.js';
import type { Connection, ConnectionHandler } from '../transport/connection.js';
import type { Login } from '../accounts/auth.js';
import type { AccountSession, AccountsContext, Caller } from './accounts.js';
import { identityFor } from './accounts.js';
import type { CommandResult } from './commands.js';
import { COMMANDS } from './commands.js';
import type { Sweepable } from './sweeper.js';
import { addressKey } from '../net/address-group.js';
import type { AddressBudgets } from './address-budget.js';
import type { AddressRates, PacingLimits } from './pacing.js';
import { Pacer } from './pacing.js';

/** Limits a session enforces. */
export interface SessionLimits {
  maxTextBytes: number;
  /** The largest frame sent to a client (lists are cut to fit). */
  maxFrameBytes: number;
  /** How fast frames are handled, per connection and per address, and how many may wait. */
  pacing: PacingLimits;
  handshakeTimeoutMs: number;
  /** The handshake timeout of a person on plain text, who types a name. */
  nameTimeoutMs: number;
  /** Silence after which the server pings; twice this and the peer is gone. */
  pingIntervalMs: number;
  /**
   * Bytes queued for the connection at most before a large answer sends its
   * next page: a quarter of the outbound bound, so live messages keep room.
   */
  pageLowWater: number;
}

/** Counters a session bumps. */
export interface SessionStats {
  rateLimited: number;
  errorsSent: number;
}

/** What every session shares. */
export interface SessionContext {
  core: ChatCore;
  accounts: AccountsContext;
  limits: SessionLimits;
  stats: SessionStats;
  /** What each address may make the server read and send for large answers. */
  budgets: AddressBudgets;
  /** How fast each address's messages and joins are handled. */
  addressRates: AddressRates;
  now: () => number;
  logger: Logger;
  /** Called once when the session is over. */
  ended: (session: Session) => void;
}

/** Frames that may wait behind a command that awaits when the pacing queue is 0 (frames over the rate are refused at once). */
const MIN_INBOX = 64;
/** Frames handled at once even while room messages are being stored: more messages, and liveness. */
const PIPELINED: ReadonlySet<ClientFrame['type']> = new Set(['say', 'ping', 'pong']);
/** How long `quit` (or a command behind a room message) waits for acks of messages still being stored. */
const SETTLE_TIMEOUT_MS = 5_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => resolve(),
    );
  });
}

/**
 * A frame as it waits its turn: validated at once (only its known, bounded
 * fields are kept, so waiting frames take little memory whatever was sent),
 * or the refusal it will be answered with, in its place in the order.
 */
type Intake = { frame: ClientFrame; ref: string | undefined } | { refusal: FrameError };

/** A refusal carries the `ref` of the frame it answers, when that frame had one. */
function withRef(refusal: FrameError, ref: string | undefined): FrameError {
  if (refusal.ref !== undefined || ref === undefined) return refusal;
  return { ...refusal, ref };
}

const RATE_LIMITED: FrameError = {
  code: 'rate_limited',
  message: 'too many frames: slow down and send it again',
};

/**
 * One connection's life: the handshake, validation, the rate limit, frame
 * order (each frame is handled after the one before it is done), liveness,
 * and the ways it ends. It holds no chat state: that is the core's.
 */
export class Session implements Recipient, ConnectionHandler, Sweepable, AccountSession {
  state: ServerHandshakeState = 'awaiting_hello';
  user: ChatUser | undefined;
  /** Who is calling, for logins: set by `hello`. */
  caller: Caller;
  /** A login made for a plain-text person: it ends with the connection. */
  private transientLogin: { accountId: string; id: string } | undefined;
  private readonly connectedAt: number;
  private lastHeardAt: number;
  private pingSentAt = 0;
  private registering = false;
  /** Frames waiting behind a command that awaits (or their turn); made only when one has to wait. */
  private inbox: Intake[] | undefined;
  private busy = false;
  private readonly pacer: Pacer;
  private leaveReason: LeaveReason = 'disconnected';
  private isClosed = false;
  /** What per-address limits count this connection by. */
  private readonly addressKey: string;

  constructor(
    readonly sessionId: number,
    readonly connection: Connection,
    private readonly context: SessionContext,
  ) {
    const now = context.now();
    this.connectedAt = now;
    this.lastHeardAt = now;
    this.addressKey = addressKey(connection.remoteAddress);
    this.pacer = new Pacer(context.limits.pacing, context.addressRates, this.addressKey, now);
    this.caller = {
      address: connection.remoteAddress,
      client: connection.kind,
      transient: connection.kind === 'plain',
    };
    this.log('debug', undefined, 'connected');
    connection.attach(this);
    const banned = context.core.addressBanned(this.addressKey);
    if (banned) this.refuseAndClose({ code: 'banned', message: banned });
  }

  /** The largest frame this connection may be sent. */
  get maxFrameBytes(): number {
    return this.context.limits.maxFrameBytes;
  }

  /** The chat core, for command handlers. */
  get core(): ChatCore {
    return this.context.core;
  }

  /** Accounts, for command handlers. */
  get accounts(): AccountsContext {
    return this.context.accounts;
  }

  // --- Recipient -------------------------------------------------------------

  deliver(out: Outgoing): void {
    this.connection.send(out);
  }

  /** Sends a frame to this connection only. */
  reply(frame: ServerFrame): void {
    this.connection.send(new Outgoing(frame));
  }

  welcomed(): void {
    this.connection.handshakeDone();
  }

  async ready(): Promise<boolean> {
    // Everyone else's turn first: a long answer never holds the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await this.context.budgets.read(this.addressKey);
    if (this.isClosed) return false;
    const { pageLowWater, pingIntervalMs } = this.context.limits;
    // A reader that takes nothing for the liveness interval is gone as far as the answer goes.
    return this.connection.drained(pageLowWater, pingIntervalMs);
  }

  spent(bytes: number): void {
    this.context.budgets.charge(this.addressKey, bytes);
  }

  // --- ConnectionHandler -------------------------------------------------------

  frame(raw: RawFrame): void {
    this.lastHeardAt = this.context.now();
    if (this.state === 'quitting' || this.state === 'closed') return;
    const item = this.intake(raw);
    // A pong only says the client is there, which is now noted: it never waits.
    if ('frame' in item && item.frame.type === 'pong') return;
    // The usual case: nothing waits, the frame is handled now.
    if (!this.busy && (this.inbox === undefined || this.inbox.length === 0)) {
      this.handleNow(item);
      return;
    }
    const inbox = (this.inbox ??= []);
    const room = this.pacer.queue === 0 ? MIN_INBOX : this.pacer.room(this.lastHeardAt);
    if (inbox.length >= room && !isQuit(item)) {
      // Past the bound, what comes is refused at once, not held.
      this.context.stats.rateLimited++;
      this.refuse(withRef(RATE_LIMITED, refOfIntake(item)));
      return;
    }
    inbox.push(item);
  }

  /** Validates a frame as it comes in; what waits is the validated frame, or its refusal. */
  private intake(raw: RawFrame): Intake {
    const validated = validateClientFrame(raw, { maxTextBytes: this.context.limits.maxTextBytes });
    if (!validated.ok) return { refusal: validated.error };
    return { frame: validated.frame, ref: typeof raw.ref === 'string' ? raw.ref : undefined };
  }

  decodeError(error: FrameError): void {
    this.lastHeardAt = this.context.now();
    if (this.state === 'quitting' || this.state === 'closed') return;
    this.refuse(error);
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // A quit still waiting its turn (behind a frame being handled) was said:
    // a page that closes right after saying it left, it was not cut off.
    if (this.inbox?.some(isQuit)) this.leaveReason = 'quit';
    this.state = 'closed';
    this.inbox = undefined;
    const user = this.user;
    this.user = undefined;
    if (user) {
      this.log('info', { name: user.name, reason: this.leaveReason }, 'left');
      this.core
        .leave(user, this.leaveReason)
        .catch((error: unknown) => this.log('error', { err: error }, 'leave failed'));
    } else this.log('debug', undefined, 'disconnected');
    this.endTransientLogin();
    this.context.ended(this);
  }

  /** A plain-text person's login is forgotten with the connection: nothing kept its token. */
  private endTransientLogin(): void {
    const login = this.transientLogin;
    this.transientLogin = undefined;
    if (login)
      this.accounts.store
        .revoke(login.accountId, login.id)
        .catch((error: unknown) => this.log('error', { err: error }, 'forgetting a login failed'));
  }

  // --- Sweepable ----------------------------------------------------------------

  sweep(now: number): void {
    const limits = this.context.limits;
    if (this.state === 'awaiting_hello') {
      const timeout =
        this.connection.kind === 'plain' ? limits.nameTimeoutMs : limits.handshakeTimeoutMs;
      if (!this.registering && now - this.connectedAt >= timeout) {
        this.refuse({
          code: 'handshake_timeout',
          message: `send hello within ${Math.round(timeout / 1000)} s of connecting`,
        });
      }
      return;
    }
    // Plain-text people cannot answer pings; TCP keepalive watches their links.
    if (this.state !== 'registered' || this.connection.kind === 'plain') return;
    const silent = now - this.lastHeardAt;
    if (silent >= 2 * limits.pingIntervalMs) {
      this.log('info', undefined, 'no answer to ping: timed out');
      this.leaveReason = 'timeout';
      this.connection.destroy();
    } else if (silent >= limits.pingIntervalMs && this.pingSentAt <= this.lastHeardAt) {
      this.pingSentAt = now;
      this.reply({ type: 'ping' });
    }
  }

  // --- Commands ----------------------------------------------------------------

  /** Registers the user (the `hello` command): as a guest, or logged in to an account. */
  async register(frame: HelloFrame): Promise<FrameError | undefined> {
    this.registering = true;
    try {
      if (frame.client !== undefined) this.caller = { ...this.caller, client: frame.client };
      const identified = await identityFor(frame, this.caller, this.accounts);
      if ('code' in identified) return identified;
      const { login } = identified;
      const banned =
        identified.identity.account && this.core.accountBanned(identified.identity.account.id);
      if (banned) {
        if (login?.token !== undefined)
          await this.accounts.store
            .revoke(login.session.accountId, login.session.id)
            .catch(() => false);
        this.refuseAndClose({ code: 'banned', message: banned });
        return undefined;
      }
      const identity = {
        ...identified.identity,
        address: this.addressKey,
        // Plain text shows rooms' state and moderation as lines.
        roomEvents: this.connection.kind === 'plain' || frame.features?.includes('rooms') === true,
        typingEvents: frame.features?.includes('typing') === true,
        reactionEvents: frame.features?.includes('reactions') === true,
        readEvents: frame.features?.includes('read') === true,
        // Plain text shows edits and deletes as lines.
        editEvents: this.connection.kind === 'plain' || frame.features?.includes('edits') === true,
        ...(frame.revs === undefined ? {} : { revs: frame.revs }),
        ...(frame.drev === undefined ? {} : { drev: frame.drev }),
      };
      const result = await this.core.register(this, frame.name, frame.resume, identity);
      const made = login?.token !== undefined ? login.session : undefined;
      if (!('key' in result)) {
        // A login made for a connection that did not come in is forgotten at once.
        if (made) await this.accounts.store.revoke(made.accountId, made.id).catch(() => false);
        return result;
      }
      if (this.isClosed) {
        // Gone during its replays: it was welcomed, token and all, so the login stays.
        await this.core.leave(result, 'disconnected');
        return undefined;
      }
      if (made && this.caller.transient)
        this.transientLogin = { accountId: made.accountId, id: made.id };
      this.user = result;
      this.state = serverHandshakeStep(this.state, 'hello_accepted');
      this.log(
        'info',
        { name: result.name, client: frame.client, account: identity.account !== undefined },
        'registered',
      );
      return undefined;
    } finally {
      this.registering = false;
    }
  }

  // --- AccountSession ---------------------------------------------------------

  account(): { id: string; login: string | undefined } | undefined {
    const user = this.user;
    const id = user?.person.accountId;
    return id === undefined ? undefined : { id, login: user!.login };
  }

  guest(): { name: string; rooms: string[]; devices: number } {
    const user = this.user!;
    return {
      name: user.name,
      rooms: [...user.rooms.values()].map((m) => m.room.name),
      devices: user.person.devices.size,
    };
  }

  async becameAccount(login: Login): Promise<void> {
    await this.core.becomeAccount(this.user!, login.account, login.session.id);
    if (this.caller.transient)
      this.transientLogin = { accountId: login.account.id, id: login.session.id };
    this.log('info', { name: login.account.name }, 'registered an account');
  }

  end(reason: string): void {
    void this.endFromServer(reason, reason === LOGGED_OUT_REASON ? 'quit' : 'disconnected');
  }

  /**
   * The server's side of the `<quit>` handshake: what the client sent before
   * is answered, the rooms hear `left` (reason `quit`), the queued frames go
   * out, then `quit`, then the connection closes.
   */
  async quit(reason?: string): Promise<undefined> {
    this.state = serverHandshakeStep(this.state, 'quit');
    const user = this.user;
    if (user) {
      await withTimeout(this.core.settled(user), SETTLE_TIMEOUT_MS);
      this.user = undefined;
      this.log('info', { name: user.name, reason }, 'quit');
      await this.core.leave(user, 'quit');
    }
    this.reply({ type: 'quit' });
    this.connection.end();
    return undefined;
  }

  /**
   * Starts the handshake from the server's side (shutdown). Resolves when
   * `quit` is queued. `announce`: the rooms hear that the user left; not
   * when every member is being shut down too (one process stopping), where
   * it would only be a line per user in everyone's log before they go.
   */
  shutdown(announce = true): Promise<void> {
    return this.endFromServer(SERVER_SHUTDOWN_REASON, 'disconnected', announce);
  }

  /**
   * The server ends the session with its own `quit` (`reason`): what the
   * client sent is answered first, the rooms hear `leave` (unless not
   * `announce`d), then `quit` goes out and the connection closes.
   */
  private async endFromServer(reason: string, leave: LeaveReason, announce = true): Promise<void> {
    if (this.state === 'quitting' || this.state === 'closed') return;
    this.state = serverHandshakeStep(this.state, 'quit');
    this.inbox = undefined;
    const user = this.user;
    if (user) {
      await withTimeout(this.core.settled(user), SETTLE_TIMEOUT_MS);
      this.user = undefined;
      await this.core.leave(user, leave, announce);
    }
    this.reply({ type: 'quit', reason });
    this.connection.end();
  }

  /** This session's login was logged out from elsewhere: the connection ends, and says why. */
  revoked(): void {
    void this.endFromServer(SESSION_REVOKED_REASON, 'disconnected');
  }

  /** An operator banned this connection's account or address from the server: it ends, and says why. */
  banned(): void {
    void this.endFromServer(SERVER_BANNED_REASON, 'disconnected');
  }

  /**
   * The same guest connected again: this connection ends, and says why. The
   * person stays (the new connection is theirs), so no room hears a leave.
   */
  replaced(): void {
    void this.endFromServer(SESSION_REPLACED_REASON, 'disconnected', false);
  }

  // --- Dispatch ----------------------------------------------------------------

  /** Handles one frame; a command that awaits (or a frame waiting its turn) holds back the frames after it. */
  private handleNow(item: Intake): void {
    const ref = refOfIntake(item);
    const result = this.dispatch(item);
    if (result instanceof Promise) {
      this.busy = true;
      result
        .then(
          (refusal) => refusal && this.refuse(withRef(refusal, ref)),
          (error: unknown) => this.internalError(error, item),
        )
        .finally(() => {
          this.busy = false;
          this.pump();
        });
    } else if (result) this.refuse(withRef(result, ref));
  }

  /** Handles the frames that waited, in order, until one awaits again. */
  private pump(): void {
    const inbox = this.inbox;
    while (
      !this.busy &&
      inbox !== undefined &&
      inbox.length > 0 &&
      this.state !== 'quitting' &&
      this.state !== 'closed'
    ) {
      this.handleNow(inbox.shift()!);
    }
  }

  private dispatch(item: Intake): CommandResult {
    if ('refusal' in item) return item.refusal;
    const frame = item.frame;
    const gate = serverFrameGate(this.state, frame.type);
    if (gate === null) return undefined;
    if (gate !== undefined)
      return {
        code: gate,
        message: gate === 'not_registered' ? 'send hello first' : 'you are already registered',
      };
    const wait = this.pacer.wait(frame.type, this.context.now());
    if (wait > 0) {
      if (this.pacer.queue === 0) {
        this.context.stats.rateLimited++;
        return RATE_LIMITED;
      }
      // Over the rate: the frame waits its turn (and those after it wait behind it).
      return this.afterTurn(frame.type, wait).then((ready) =>
        ready ? this.settleThenRun(item) : undefined,
      );
    }
    return this.settleThenRun(item);
  }

  /** Waits until a frame of `type` may be handled (its turn taken); false when the session ended meanwhile. */
  private async afterTurn(type: ClientFrame['type'], wait: number): Promise<boolean> {
    for (let delay = wait; delay > 0; delay = this.pacer.wait(type, this.context.now())) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.state === 'quitting' || this.state === 'closed') return false;
    }
    return true;
  }

  private settleThenRun(item: { frame: ClientFrame; ref: string | undefined }): CommandResult {
    // A room message waits a turn for the store. Anything else this client
    // sends after it waits too, so what it causes stays in the order sent;
    // for a while only, so that an answer lost between the nodes of a
    // cluster cannot hold the session forever.
    if (this.user && this.user.unanswered > 0 && !PIPELINED.has(item.frame.type)) {
      return withTimeout(this.core.settled(this.user), SETTLE_TIMEOUT_MS).then(() =>
        this.run(item),
      );
    }
    return this.run(item);
  }

  private run(item: { frame: ClientFrame; ref: string | undefined }): CommandResult {
    try {
      return (COMMANDS[item.frame.type] as (s: Session, f: ClientFrame) => CommandResult)(
        this,
        item.frame,
      );
    } catch (error) {
      this.internalError(error, item);
      return undefined;
    }
  }

  /** Sends an error, then ends the connection whatever its code (a server ban). */
  refuseAndClose(error: FrameError): void {
    this.context.stats.errorsSent++;
    this.reply({ type: 'error', ...error });
    this.state = serverHandshakeStep(this.state, 'fatal_error');
    this.inbox = undefined;
    this.connection.end();
  }

  /** Sends an error; a closing one ends the connection after it. */
  private refuse(error: FrameError): void {
    this.context.stats.errorsSent++;
    this.reply({ type: 'error', ...error });
    if (!errorCloses(error.code)) return;
    this.log('debug', { code: error.code }, 'closing after error');
    this.state = serverHandshakeStep(this.state, 'fatal_error');
    this.inbox = undefined;
    this.connection.end();
  }

  /**
   * A command threw. A coded failure (the store or the cluster is out of
   * reach: `unavailable`) is told as it is; anything else is a bug, logged,
   * and told as `internal`.
   */
  private internalError(error: unknown, item: Intake): void {
    const coded = ConfabError.from(error);
    const type = 'frame' in item ? item.frame.type : undefined;
    if (coded.code === 'internal') this.log('error', { err: error, type }, 'command failed');
    else this.log('info', { code: coded.code, type }, coded.message);
    this.refuse(withRef({ code: coded.code, message: coded.message }, refOfIntake(item)));
  }

  /**
   * Logs with this session's id, transport and address. No logger object is
   * kept per session (an idle connection should cost a few fields): the
   * bindings go with each line, as a child logger's would.
   */
  private log(
    level: 'debug' | 'info' | 'error',
    fields: Record<string, unknown> | undefined,
    message: string,
  ): void {
    const logger = this.context.logger;
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        session: this.sessionId,
        transport: this.connection.kind,
        ip: this.connection.remoteAddress,
        ...fields,
      },
      message,
    );
  }
}

/** The `ref` of the frame an intake stands for, to echo in its answer. */
function refOfIntake(item: Intake): string | undefined {
  return 'frame' in item ? item.ref : item.refusal.ref;
}

function isQuit(item: Intake): boolean {
  return 'frame' in item && item.frame.type === 'quit';
}
