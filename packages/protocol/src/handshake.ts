import type { ClientFrameType } from './frames.js';
import type { ErrorCode } from './errors.js';
import { errorCloses } from './errors.js';

/*
 * The handshake as explicit state machines, one per side. They are pure
 * tables: a state and an event give the next state and the effects to carry
 * out. The client core and the server's session run them; PROTOCOL.md draws
 * the same tables.
 */

// --- Client side -----------------------------------------------------------

/** Where a client connection is in its life. */
export type ClientHandshakeState =
  'connecting' | 'awaiting_welcome' | 'awaiting_name' | 'registered' | 'quitting' | 'closed';

/** What happens to a client connection. */
export type ClientHandshakeEvent =
  | { type: 'transport_open' }
  | { type: 'welcome' }
  /** An `error` frame received before `welcome`. */
  | { type: 'rejected'; code: ErrorCode }
  /** The user gave a new name after `name_taken` / `name_invalid`. */
  | { type: 'name_given' }
  /** The user asked to leave (`<quit>`, `/quit`, Ctrl-C, window closed). */
  | { type: 'user_quit' }
  /** The server sent `quit`: an answer to ours, or its own (`server_shutdown`: it may be restarting). */
  | { type: 'server_quit'; shutdown?: boolean }
  | { type: 'quit_timeout' }
  | { type: 'transport_closed' };

/** What the client must do after a transition. */
export type ClientHandshakeEffect =
  | 'send_hello'
  | 'ask_name'
  | 'send_quit'
  | 'start_quit_timer'
  | 'close_transport'
  | 'registered'
  /** The connection ended at the user's request: do not reconnect. */
  | 'ended_by_user'
  /** The server ended it on purpose (its `quit`, or a closing error): do not reconnect at once. */
  | 'ended_by_server'
  /** The link was lost without a handshake: reconnect. */
  | 'lost';

/** The result of one step. `state` equals the old state when the event does not apply. */
export interface ClientTransition {
  state: ClientHandshakeState;
  effects: readonly ClientHandshakeEffect[];
}

/** Refusals the user answers on the same connection: another name, or credentials. */
const NAME_RETRY_CODES: ReadonlySet<ErrorCode> = new Set([
  'name_taken',
  'name_invalid',
  'auth_failed',
  'auth_required',
]);

/** One step of the client's handshake machine. */
export function clientHandshakeStep(
  state: ClientHandshakeState,
  event: ClientHandshakeEvent,
): ClientTransition {
  const stay: ClientTransition = { state, effects: [] };
  if (state === 'closed') return stay;
  switch (event.type) {
    case 'transport_open':
      return state === 'connecting' ? { state: 'awaiting_welcome', effects: ['send_hello'] } : stay;
    case 'welcome':
      return state === 'awaiting_welcome' ? { state: 'registered', effects: ['registered'] } : stay;
    case 'rejected':
      if (state !== 'awaiting_welcome') return stay;
      if (NAME_RETRY_CODES.has(event.code))
        return { state: 'awaiting_name', effects: ['ask_name'] };
      // A closing error before welcome (unsupported_version, server_full, …)
      // will not change on a retry: stop rather than reconnect in a loop.
      return errorCloses(event.code)
        ? { state: 'closed', effects: ['close_transport', 'ended_by_server'] }
        : stay;
    case 'name_given':
      return state === 'awaiting_name'
        ? { state: 'awaiting_welcome', effects: ['send_hello'] }
        : stay;
    case 'user_quit':
      if (state === 'quitting') return stay;
      if (state === 'connecting')
        return { state: 'closed', effects: ['close_transport', 'ended_by_user'] };
      return { state: 'quitting', effects: ['send_quit', 'start_quit_timer'] };
    case 'server_quit':
      if (state === 'quitting')
        return { state: 'closed', effects: ['close_transport', 'ended_by_user'] };
      // A clean stop is usually a restart: come back, with backoff.
      return event.shutdown
        ? { state: 'closed', effects: ['close_transport', 'lost'] }
        : { state: 'closed', effects: ['close_transport', 'ended_by_server'] };
    case 'quit_timeout':
      return state === 'quitting'
        ? { state: 'closed', effects: ['close_transport', 'ended_by_user'] }
        : stay;
    case 'transport_closed':
      return state === 'quitting'
        ? { state: 'closed', effects: ['ended_by_user'] }
        : { state: 'closed', effects: ['lost'] };
  }
}

// --- Server side -----------------------------------------------------------

/** Where a server session is in its life. */
export type ServerHandshakeState = 'awaiting_hello' | 'registered' | 'quitting' | 'closed';

/** Frames a client may send before it is registered. */
const ALLOWED_BEFORE_HELLO: ReadonlySet<ClientFrameType> = new Set([
  'hello',
  'ping',
  'pong',
  'quit',
]);

/**
 * Whether a session in `state` handles a frame of `type`: undefined when it
 * does, else the error code to answer with (`null`: ignore silently, as for
 * frames after the client's own `quit`).
 */
export function serverFrameGate(
  state: ServerHandshakeState,
  type: ClientFrameType,
): ErrorCode | null | undefined {
  switch (state) {
    case 'awaiting_hello':
      return ALLOWED_BEFORE_HELLO.has(type) ? undefined : 'not_registered';
    case 'registered':
      return type === 'hello' ? 'already_registered' : undefined;
    case 'quitting':
    case 'closed':
      return null;
  }
}

/** What happens to a server session. */
export type ServerHandshakeEvent =
  | 'hello_accepted'
  /** The client sent `quit`, or the server is shutting down. */
  | 'quit'
  | 'handshake_timeout'
  /** A closing error was sent (`frame_too_large`, `slow_consumer`, …). */
  | 'fatal_error'
  | 'transport_closed';

/** One step of the server's session machine. */
export function serverHandshakeStep(
  state: ServerHandshakeState,
  event: ServerHandshakeEvent,
): ServerHandshakeState {
  if (state === 'closed') return state;
  switch (event) {
    case 'hello_accepted':
      return state === 'awaiting_hello' ? 'registered' : state;
    case 'quit':
      return 'quitting';
    case 'handshake_timeout':
      return state === 'awaiting_hello' ? 'closed' : state;
    case 'fatal_error':
    case 'transport_closed':
      return 'closed';
  }
}
