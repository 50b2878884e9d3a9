import type { ErrorCode } from './errors.js';

/*
 * Frame types of protocol version 1. Every frame is a JSON object with a
 * string `type`; unknown fields are ignored on input and never produced here.
 */

/** Why a member left a room. Stable. */
export type LeaveReason = 'quit' | 'part' | 'disconnected' | 'timeout' | 'kicked';

/** Room -> last `seq` the client has seen. */
export type ResumeMap = Readonly<Record<string, number>>;

export interface HelloFrame {
  type: 'hello';
  version: number;
  name: string;
  client?: string;
  resume?: ResumeMap;
  /**
   * Extension: a guest's own secret (22 to 128 characters of A-Z a-z 0-9 -
   * _, made at random by the client and kept): the server keeps a guest's
   * direct messages under it, and gives them back to whoever comes with it.
   */
  guest?: string;
  /** Extension: the last direct-message `dseq` seen: the replay gives every one after it. */
  dseq?: number;
  /** Extension: log in to the account `name` with its password (or, with `register`, make it). */
  password?: string;
  /** Extension: log in with a session token the server gave earlier (`welcome.token`). */
  token?: string;
  /** Extension: make the account `name` with `password`, and log in to it. */
  register?: boolean;
}
/** Extension: make the current name an account with this password (the user is a guest holding it). */
export interface RegisterFrame {
  type: 'register';
  password: string;
  ref?: string;
}
/** Extension: change the account's password; every other session of the account is logged out. */
export interface PasswordFrame {
  type: 'password';
  current: string;
  password: string;
  ref?: string;
}
/** Extension: log out this session (its token stops working) and leave. */
export interface LogoutFrame {
  type: 'logout';
}
/** Extension: ask for the account's sessions (`sessions` answers). */
export interface SessionsRequestFrame {
  type: 'sessions';
}
/** Extension: log out one of the account's sessions, wherever it is connected. */
export interface RevokeFrame {
  type: 'revoke';
  id: string;
  ref?: string;
}
export interface SayFrame {
  type: 'say';
  room: string;
  text: string;
  ref?: string;
  /** Extension: the text is an action (`/me`), shown as `* name text`. */
  action?: boolean;
}
export interface DmFrame {
  type: 'dm';
  to: string;
  text: string;
  ref?: string;
  action?: boolean;
}
export interface JoinFrame {
  type: 'join';
  room: string;
}
export interface PartFrame {
  type: 'part';
  room: string;
}
export interface NickRequestFrame {
  type: 'nick';
  name: string;
}
export interface WhoFrame {
  type: 'who';
  room: string;
}
export interface HistoryRequestFrame {
  type: 'history';
  room: string;
  before?: number;
  limit?: number;
}
export interface PingFrame {
  type: 'ping';
  ref?: string;
}
export interface PongFrame {
  type: 'pong';
  ref?: string;
}
export interface QuitFrame {
  type: 'quit';
  reason?: string;
}

/** Any frame a client sends. */
export type ClientFrame =
  | HelloFrame
  | SayFrame
  | DmFrame
  | JoinFrame
  | PartFrame
  | NickRequestFrame
  | WhoFrame
  | HistoryRequestFrame
  | PingFrame
  | PongFrame
  | QuitFrame
  | RegisterFrame
  | PasswordFrame
  | LogoutFrame
  | SessionsRequestFrame
  | RevokeFrame;

/** The `type` of a client frame. */
export type ClientFrameType = ClientFrame['type'];

export interface WelcomeFrame {
  type: 'welcome';
  version: number;
  name: string;
  text: string;
  rooms: string[];
  server: string;
  /** Extension: the account the user is logged in to (its name); absent for a guest. */
  account?: string;
  /** Extension: a new session token, after a login with a password: keep it to log in again. */
  token?: string;
}
/** Extension: the user is now logged in to this account (after `register`), with a token to keep. */
export interface AccountFrame {
  type: 'account';
  name: string;
  token?: string;
  ref?: string;
}
/** One session (a remembered login) of an account. */
export interface SessionInfo {
  /** Names the session for `revoke` (not a secret). */
  id: string;
  /** The client it logged in with (`hello.client`). */
  client: string;
  /** When it logged in, and when it was last used (ms since the epoch). */
  created: number;
  seen: number;
  /** The session of the connection this list goes to. */
  current: boolean;
}
/** Extension: the account's sessions, newest first. */
export interface SessionsFrame {
  type: 'sessions';
  sessions: SessionInfo[];
  /** The list goes on in the next `sessions` frame (a list too long for one frame). */
  more?: boolean;
}
export interface JoinedFrame {
  type: 'joined';
  room: string;
  name: string;
  ts: number;
}
export interface LeftFrame {
  type: 'left';
  room: string;
  name: string;
  ts: number;
  reason: LeaveReason;
}
/** A room message (has `room` and `seq`) or a direct message (has `to`). */
export interface MessageFrame {
  type: 'message';
  id: string;
  from: string;
  text: string;
  ts: number;
  room?: string;
  seq?: number;
  to?: string;
  action?: boolean;
  /**
   * Extension, direct messages kept for the reader: its number among the
   * direct messages of the reader's identity (1, 2, 3 …, no gaps).
   */
  dseq?: number;
}
export interface AckFrame {
  type: 'ack';
  ref: string;
  id: string;
  ts: number;
  seq?: number;
}
export interface NamesFrame {
  type: 'names';
  room: string;
  names: string[];
  /**
   * Extension: the list goes on in the next `names` frame of this room (a
   * room too large for one frame); the last frame of a list has no `more`.
   */
  more?: boolean;
}
export interface HistoryFrame {
  type: 'history';
  room: string;
  messages: MessageFrame[];
  more: boolean;
}
/**
 * Extension: direct messages kept for this identity (a guest key or an
 * account), oldest first: after `welcome`, the newest (`more`: older ones
 * exist), or with `hello.dseq`, every one after it (`more`: another page
 * follows).
 */
export interface DmHistoryFrame {
  type: 'dm_history';
  messages: MessageFrame[];
  more: boolean;
}
export interface NickFrame {
  type: 'nick';
  old: string;
  name: string;
}
export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  ref?: string;
  /** Extension, on `name_taken`: the name belongs to an account (log in to use it). */
  account?: boolean;
}

/** Any frame a server sends. `ping`, `pong` and `quit` go both ways. */
export type ServerFrame =
  | WelcomeFrame
  | JoinedFrame
  | LeftFrame
  | MessageFrame
  | AckFrame
  | NamesFrame
  | HistoryFrame
  | DmHistoryFrame
  | NickFrame
  | ErrorFrame
  | AccountFrame
  | SessionsFrame
  | PingFrame
  | PongFrame
  | QuitFrame;

/** The `type` of a server frame. */
export type ServerFrameType = ServerFrame['type'];

/** The reason the server gives in its `quit` when it shuts down. Stable. */
export const SERVER_SHUTDOWN_REASON = 'server_shutdown';
/** The `quit` reason after `logout`. Stable. */
export const LOGGED_OUT_REASON = 'logged_out';
/** The `quit` reason when the session was logged out from elsewhere (`revoke`, a password change). Stable. */
export const SESSION_REVOKED_REASON = 'session_revoked';
/** The `quit` reason when the same guest (its key) connected again: the newer connection takes over. Stable. */
export const SESSION_REPLACED_REASON = 'session_replaced';
