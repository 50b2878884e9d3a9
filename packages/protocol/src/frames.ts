import type { ErrorCode } from './errors.js';
import type { ReactionCount } from './reactions.js';

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
  /**
   * Extension: what the client understands beyond protocol 1.0 that the
   * server only sends when asked: `rooms` (the `room` and `mod` frames of
   * section 6.3), `typing` (the `typing` frames of section 6.4),
   * `reactions` (the `reaction` and `update` frames of section 6.6),
   * `edits` (the `edited`, `deleted` and `update` frames of section 6.8),
   * `read` (the `read_markers` and `read` frames of section 6.11).
   * Unknown entries are ignored.
   */
  features?: string[];
  /**
   * Extension (features `reactions`, `edits`): room -> the last `rev` seen
   * of it; the resume replay brings the messages changed since (section 6.7).
   */
  revs?: ResumeMap;
  /**
   * Extension (features `reactions`, `edits`): the last `rev` seen of the
   * identity's mailbox; with `dseq`, the replay brings the direct messages
   * changed since (section 7.1).
   */
  drev?: number;
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
  /** Extension: the `id` of the message (in this room) this one answers. */
  reply_to?: string;
}
export interface DmFrame {
  type: 'dm';
  to: string;
  text: string;
  ref?: string;
  action?: boolean;
  /** Extension: the `id` of the message (in this conversation) this one answers. */
  reply_to?: string;
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
  /** Extension: the messages around this seq (it included), for a message opened in context. */
  around?: number;
  limit?: number;
}
/**
 * Extension (section 6.11): the user has read a room up to its message
 * `seq`, or the direct conversation with `with` up to their message `dseq`.
 * Sent by a client as the user reads; sent by the server (feature `read`)
 * to the person's other connections when it moves their marker.
 */
export type ReadFrame =
  | { type: 'read'; room: string; seq: number; with?: never; dseq?: never }
  | { type: 'read'; with: string; dseq: number; room?: never; seq?: never };
/**
 * Extension (feature `read`, section 6.11): where the person has read up
 * to, after `welcome`: room -> seq, and person -> dseq for direct
 * conversations (names folded).
 */
export interface ReadMarkersFrame {
  type: 'read_markers';
  rooms: Record<string, number>;
  with: Record<string, number>;
}
/**
 * Extension (section 6.10): find messages by their words, newest first, in
 * the rooms the user is in and the direct messages kept for them.
 */
export interface SearchFrame {
  type: 'search';
  /** Words, or "phrases in double quotes": a message has every one (ignoring case and accents). */
  query: string;
  /** Only this room's messages (a room the user is in). */
  room?: string;
  /** Only the direct conversation with this person. */
  with?: string;
  /** Only what this person sent. */
  from?: string;
  /** Only messages sent at or after `since`, and before `until` (times in milliseconds). */
  since?: number;
  until?: number;
  /** Goes on where the previous page ended (its `next`). */
  cursor?: string;
  limit?: number;
  ref?: string;
}
/**
 * Extension (feature `typing`): the sender is writing in a room, or to a
 * person (`to`), or (`stopped`) has stopped. Ephemeral: never stored, never
 * answered; the server passes it on at most every `typingRelayMs`.
 */
export interface TypingRequestFrame {
  type: 'typing';
  room?: string;
  to?: string;
  stopped?: boolean;
}
/**
 * Where a message to change is: a room's (`room`), or (`dm: true`) one of
 * the direct messages kept for the user (section 6.9).
 */
export type MessagePlace = { room: string; dm?: never } | { dm: true; room?: never };
/**
 * Extension (section 6.6): put a reaction (one emoji) on a message, or
 * (`remove`) take yours back.
 */
export type ReactFrame = MessagePlace & {
  type: 'react';
  /** The message's `id`. */
  id: string;
  emoji: string;
  remove?: boolean;
  ref?: string;
};
/** Extension (section 6.8): replace the text of one's own message. */
export type EditFrame = MessagePlace & {
  type: 'edit';
  /** The message's `id`. */
  id: string;
  text: string;
  ref?: string;
};
/**
 * Extension (section 6.8): delete a message: one's own, or (a room's owner
 * or moderator, a server operator) anyone's in the room.
 */
export type DeleteFrame = MessagePlace & {
  type: 'delete';
  id: string;
  ref?: string;
};
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

/** A role in a room (section 6.3); `member` is having none. Stable. */
export type RoomRole = 'owner' | 'moderator' | 'voice' | 'member';

/** A room's modes (section 6.3). */
export interface RoomModes {
  /** Only people invited (and the room's owner and moderators) may join. */
  invite_only: boolean;
  /** Absent from the room list; nothing about it is told to anyone not in it. */
  secret: boolean;
  /** Only the owner, moderators and people with voice may speak. */
  moderated: boolean;
  /** Only the owner and moderators may set the topic. */
  topic_locked: boolean;
}

/** Extension: set (or with an empty text, clear) a room's topic. */
export interface TopicFrame {
  type: 'topic';
  room: string;
  text: string;
  ref?: string;
}
/** Extension: turn modes of a room on or off (those not named stay as they are). */
export interface ModeFrame extends Partial<RoomModes> {
  type: 'mode';
  room: string;
  ref?: string;
}
/** Extension: give someone a role in a room (`owner` hands the room on). */
export interface RoleFrame {
  type: 'role';
  room: string;
  name: string;
  role: RoomRole;
  ref?: string;
}
/** Extension: become the owner of a room that has none. */
export interface ClaimFrame {
  type: 'claim';
  room: string;
  ref?: string;
}
/** Extension: remove someone (every device of theirs) from a room. */
export interface KickFrame {
  type: 'kick';
  room: string;
  name: string;
  reason?: string;
  ref?: string;
}
/**
 * Extension: ban someone from a room (`room`), or from the whole server (no
 * `room`: operators only), for `duration` seconds or until unbanned. A
 * server ban may name an `address` instead of a person.
 */
export interface BanFrame {
  type: 'ban';
  room?: string;
  name?: string;
  address?: string;
  duration?: number;
  reason?: string;
  ref?: string;
}
/** Extension: lift a ban (of a room, or with no `room` of the server). */
export interface UnbanFrame {
  type: 'unban';
  room?: string;
  name?: string;
  address?: string;
  ref?: string;
}
/** Extension: ask for a room's bans (or with no `room`, the server's). */
export interface BansRequestFrame {
  type: 'bans';
  room?: string;
}
/** Extension: keep someone in a room from speaking, for `duration` seconds or until unmuted. */
export interface MuteFrame {
  type: 'mute';
  room: string;
  name: string;
  duration?: number;
  reason?: string;
  ref?: string;
}
export interface UnmuteFrame {
  type: 'unmute';
  room: string;
  name: string;
  ref?: string;
}
/** Extension: let someone into an invite-only room (an account's invitation is kept until used). */
export interface InviteFrame {
  type: 'invite';
  room: string;
  name: string;
  ref?: string;
}
export interface UninviteFrame {
  type: 'uninvite';
  room: string;
  name: string;
  ref?: string;
}
/** Extension: ask for the room list (rooms that are not secret), those whose name or topic holds `filter`. */
export interface ListFrame {
  type: 'list';
  filter?: string;
}
/** Extension, operators: close a room (everyone leaves; no one may join) or open it again. */
export interface CloseFrame {
  type: 'close';
  room: string;
  reason?: string;
  ref?: string;
}
export interface ReopenFrame {
  type: 'reopen';
  room: string;
  ref?: string;
}
/** Extension, operators: ask who is connected (those whose name holds `filter`). */
export interface UsersRequestFrame {
  type: 'users';
  filter?: string;
}
/** Extension: ask for the moderation log of a room (its owner) or, with no `room`, of the server (operators). */
export interface ModlogRequestFrame {
  type: 'modlog';
  room?: string;
  before?: number;
  limit?: number;
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
  | RevokeFrame
  | TopicFrame
  | ModeFrame
  | RoleFrame
  | ClaimFrame
  | KickFrame
  | BanFrame
  | UnbanFrame
  | BansRequestFrame
  | MuteFrame
  | UnmuteFrame
  | InviteFrame
  | UninviteFrame
  | ListFrame
  | CloseFrame
  | ReopenFrame
  | UsersRequestFrame
  | ModlogRequestFrame
  | TypingRequestFrame
  | ReactFrame
  | EditFrame
  | DeleteFrame
  | SearchFrame
  | ReadFrame;

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
  /** Extension, when `kicked`: who removed them, and why. */
  by?: string;
  text?: string;
  /** Extension, when `kicked`: they were banned too (until `until`, or for good). */
  banned?: boolean;
  until?: number;
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
  /** Extension: the message this one answers, as it was when answered. */
  reply?: ReplyExcerpt;
  /** Extension: its reactions now, in the order first given (in history and replays; section 6.6). */
  reactions?: ReactionCount[];
  /** Extension: when its text was last edited (section 6.8). */
  edited?: number;
  /** Extension: it was deleted (its `text` is empty), by `deleted_by` (section 6.8). */
  deleted?: boolean;
  deleted_by?: string;
}
/**
 * What a reply shows of the message it answers, without fetching it: its
 * `id`, its sender, and the start of its text (at most
 * `LIMITS.replyExcerptChars` characters, on one line, `…` where cut).
 */
export interface ReplyExcerpt {
  id: string;
  from: string;
  text: string;
  /** Extension: the answered message was deleted since (its `text` is empty; section 6.8). */
  deleted?: boolean;
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
  /** Extension: the role of each listed member who has one (owner, moderator, voice). */
  roles?: Record<string, Exclude<RoomRole, 'member'>>;
}
export interface HistoryFrame {
  type: 'history';
  room: string;
  messages: MessageFrame[];
  more: boolean;
  /**
   * Extension (feature `reactions`): the room's change number as of this
   * replay: its messages' state is that of `rev` or later (section 6.7).
   */
  rev?: number;
  /** Extension, answering `around`: newer messages exist after the page's last. */
  newer?: boolean;
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
  /** Extension (features `reactions`, `edits`): the mailbox's change number its messages are as of (section 7.1). */
  rev?: number;
}
/** A part of a search hit's snippet: `hit` marks what matched. */
export interface SnippetPart {
  text: string;
  hit?: true;
}
/**
 * A message found: where (a room and `seq`, or a direct message kept for
 * the reader: `to` and its `dseq`), who sent it and when, and the text
 * around its first match.
 */
export interface SearchHit {
  id: string;
  from: string;
  ts: number;
  room?: string;
  seq?: number;
  to?: string;
  dseq?: number;
  /** The text around the first match, in parts (`…` where cut). */
  snippet: SnippetPart[];
}
/**
 * Extension (section 6.10): a page of what `search` found, newest first;
 * `next`: older ones may exist (send it as `cursor` for them).
 */
export interface SearchResultsFrame {
  type: 'search_results';
  query: string;
  hits: SearchHit[];
  next?: string;
  ref?: string;
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

/**
 * Extension (feature `rooms`): a room's state, to its members after their
 * `joined` and whenever it changes.
 */
export interface RoomFrame extends RoomModes {
  type: 'room';
  room: string;
  /** The owner's name; absent when the room has none (`/claim`), or belongs to the server's operators (`operators`). */
  owner?: string;
  operators?: boolean;
  topic?: string;
  topic_by?: string;
  topic_ts?: number;
  /** Closed by an operator: no one may join. */
  closed?: boolean;
}

/** What a moderation event did. Stable. */
export type ModAction =
  | 'claim'
  | 'role'
  | 'topic'
  | 'mode'
  | 'kick'
  | 'ban'
  | 'unban'
  | 'mute'
  | 'unmute'
  | 'invite'
  | 'uninvite'
  | 'close'
  | 'reopen';

/**
 * Extension (feature `rooms`): a moderation event, to the room's members
 * (and an `invite` to the one invited too), as a line to show.
 */
export interface ModFrame {
  type: 'mod';
  /** Absent for the server's own events (a server ban). */
  room?: string;
  action: ModAction;
  /** Who did it. */
  by: string;
  /** Whom it was done to. */
  name?: string;
  /** `role`: the role given; `mode`: the modes as they are now. */
  role?: RoomRole;
  modes?: RoomModes;
  /** The topic, or the reason given. */
  text?: string;
  /** A ban or mute ends then (ms since the epoch); absent: until lifted. */
  until?: number;
  ts: number;
}

/** One room in the room list. */
export interface RoomListing {
  room: string;
  /** People in it now. */
  members: number;
  topic?: string;
}
/** Extension: the answer to `list`, the fullest rooms first. */
export interface RoomsFrame {
  type: 'rooms';
  rooms: RoomListing[];
  more?: boolean;
}

/** One ban in a list. */
export interface BanInfo {
  /** The name banned (as it was then); absent for an address. */
  name?: string;
  /** An account's ban: it holds whatever name. */
  account?: boolean;
  /** A server ban's address (operators only see addresses). */
  address?: string;
  by: string;
  reason?: string;
  ts: number;
  until?: number;
}
/** Extension: the answer to `bans`. */
export interface BansFrame {
  type: 'bans';
  room?: string;
  bans: BanInfo[];
  more?: boolean;
}

/** One connected person, for operators. */
export interface UserInfo {
  name: string;
  account: boolean;
  address?: string;
}
/** Extension, operators: the answer to `users`. */
export interface UsersFrame {
  type: 'users';
  users: UserInfo[];
  more?: boolean;
}

/** One entry of a moderation log. */
export interface ModlogEntry {
  /** Its place in the log: ask `before` it for older ones. */
  id: number;
  ts: number;
  room?: string;
  action: ModAction;
  by: string;
  name?: string;
  role?: RoomRole;
  text?: string;
  until?: number;
  address?: string;
}
/** Extension: a page of a moderation log, oldest first; `more`: older entries exist. */
export interface ModlogFrame {
  type: 'modlog';
  room?: string;
  entries: ModlogEntry[];
  more: boolean;
}

/** Any frame a server sends. `ping`, `pong` and `quit` go both ways. */
/**
 * Extension (feature `typing`): `name` is writing in `room`, or to you (no
 * `room`), or (`stopped`) has stopped. Show it for `LIMITS.typingShowMs`
 * unless another comes, and not after a message from them arrives.
 */
export interface TypingFrame {
  type: 'typing';
  name: string;
  room?: string;
  stopped?: boolean;
}

/**
 * Where a changed message is: a room's (`room`, `seq`), or a direct message
 * kept for the reader (`dseq`: its number in the reader's mailbox, whose
 * changes `rev` numbers then; section 6.9).
 */
export type ChangedPlace =
  { room: string; seq: number; dseq?: never } | { dseq: number; room?: never; seq?: never };
/**
 * Extension (feature `reactions`): `name` put a reaction on the message
 * `id` (or, `removed`, took it back); `count` people have it now. `rev`
 * numbers the changes of its room or mailbox (section 6.7).
 */
export type ReactionFrame = ChangedPlace & {
  type: 'reaction';
  id: string;
  rev: number;
  emoji: string;
  name: string;
  count: number;
  removed?: boolean;
};
/**
 * Extension (feature `reactions`): a message as it is now, changed since
 * the `rev` a resuming client had (section 6.7). A client that does not
 * hold the message ignores it.
 */
export type UpdateFrame = ChangedPlace & {
  type: 'update';
  id: string;
  rev: number;
  /** Who sent it. */
  from: string;
  reactions: ReactionCount[];
  /** Its text now, when it was edited (feature `edits`). */
  text?: string;
  edited?: number;
  /** It was deleted, by `deleted_by` (feature `edits`). */
  deleted?: boolean;
  deleted_by?: string;
};
/**
 * Extension (feature `edits`): the message `id` has this `text` now,
 * edited at `edited` by its sender (section 6.8).
 */
export type EditedFrame = ChangedPlace & {
  type: 'edited';
  id: string;
  rev: number;
  /** Who sent it (and edited it). */
  from: string;
  text: string;
  edited: number;
};
/**
 * Extension (feature `edits`): the message `id` was deleted, by
 * `deleted_by` (its sender, or a moderator): its text is gone (section 6.8).
 */
export type DeletedFrame = ChangedPlace & {
  type: 'deleted';
  id: string;
  rev: number;
  /** Who sent it. */
  from: string;
  deleted_by: string;
};

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
  | RoomFrame
  | ModFrame
  | RoomsFrame
  | BansFrame
  | UsersFrame
  | ModlogFrame
  | PingFrame
  | PongFrame
  | QuitFrame
  | TypingFrame
  | ReactionFrame
  | UpdateFrame
  | EditedFrame
  | DeletedFrame
  | SearchResultsFrame
  | ReadFrame
  | ReadMarkersFrame;

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
/** The `quit` reason when an operator banned the account or address from the server. Stable. */
export const SERVER_BANNED_REASON = 'banned';

/** The features a client may ask for in `hello.features`. */
export const FEATURES = ['rooms', 'typing', 'reactions', 'edits', 'read'] as const;
export type Feature = (typeof FEATURES)[number];
