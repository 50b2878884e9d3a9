import type {
  MessageFrame,
  ModlogEntry,
  ReactionCount,
  ReplyExcerpt,
  ServerFrame,
} from '@confab/protocol';
import type { EventFeature } from './people.js';
import type { RoomRecord } from './room-policy.js';

/*
 * The ports the chat core reaches the world through. The core imports no
 * runtime, socket or library: the server wires in-process implementations,
 * and a cluster wires Redis ones, without a line of the core changing.
 */

/** Wall-clock time. Injected so tests can set it. */
export interface Clock {
  now(): number;
}

/** Unique message ids (unique on the server, across restarts). */
export interface IdSource {
  next(): string;
}

/** A room message before the store numbers it. */
export interface MessageDraft {
  id: string;
  /** The folded room name: what the store keys on. */
  roomKey: string;
  /** The room as it is spelled in frames. */
  room: string;
  from: string;
  text: string;
  ts: number;
  action: boolean;
  /** The message it answers, as it was then (or, edited since, as it is now). */
  reply?: ReplyExcerpt;
  /** Who sent it: their identity (see `owners.ts`), who alone may edit it. Never sent in frames. */
  owner?: string;
}

/** A room message as stored: the draft plus its `seq`. */
export interface StoredMessage extends MessageDraft {
  seq: number;
  /** Its reactions, as one reader sees them, when a replay read them too. */
  reactions?: ReactionCount[];
  /** When its text was last edited. */
  edited?: number;
  /** Deleted, by this name: its text is gone (empty), its seq stays. */
  deletedBy?: string;
}

/** Which stored messages a page holds. */
export interface PageQuery {
  /** Only messages with a larger seq, oldest first (a resume replay). */
  after?: number;
  /** Only messages with a smaller seq; the newest of them (a page back). */
  before?: number;
  limit: number;
}

/** A direct message before a mailbox numbers it. */
export interface DirectDraft {
  id: string;
  from: string;
  to: string;
  text: string;
  ts: number;
  action: boolean;
  /** The message it answers, as it was then. */
  reply?: ReplyExcerpt;
  /**
   * The identities of its two ends (see `owners.ts`): who may edit it, and
   * whose mailbox holds the other copy a change is made to as well.
   * Absent on messages kept before they were recorded.
   */
  fromIdentity?: string;
  toIdentity?: string;
  /** When its text was last edited. */
  edited?: number;
  /** Deleted, by this name: its text is gone (empty), its dseq stays. */
  deletedBy?: string;
}

/** A direct message as kept in one identity's mailbox: the draft plus its `dseq` there. */
export interface StoredDirect extends DirectDraft {
  /** The mailbox: whose direct messages these are (see `Owner`). */
  owner: string;
  dseq: number;
  /** Its reactions, as its mailbox's owner sees them, when a replay read them too. */
  reactions?: ReactionCount[];
}

/**
 * How much a mailbox keeps, and how much may wait in it for an owner who
 * is away (an account no device of which is connected): a bound on what
 * anyone can make the server keep for someone else.
 */
export interface MailboxLimits {
  /** Messages kept per mailbox; past it, the oldest go. */
  history: number;
  /** Messages, and bytes of text, that may wait for the owner to come back. */
  waiting: number;
  waitingBytes: number;
  /** The same, from one sender (an identity). */
  waitingPerSender: number;
  waitingBytesPerSender: number;
  /** A guest's mailbox is forgotten this long after its newest message (milliseconds). */
  guestTtlMs: number;
}

/** Mailbox limits unless told otherwise: see each setting of the server. */
export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = {
  history: 10_000,
  waiting: 1_000,
  waitingBytes: 1_048_576,
  waitingPerSender: 100,
  waitingBytesPerSender: 104_858,
  guestTtlMs: 30 * 24 * 60 * 60 * 1000,
};

/**
 * History: room messages, and direct messages in mailboxes (one per
 * identity: both ends of a direct message keep a copy). Every
 * implementation passes the one contract test suite
 * (`test/store-contract.ts`).
 *
 * - `append` MUST number each room's messages 1, 2, 3 … with no gaps, in
 *   the order of the calls, and MUST resolve only once the message survives
 *   a crash of the process; calls resolve in the order they were made.
 *   `appendDirect` does the same for each mailbox's `dseq`.
 * - `page` and `pageDirect` MUST return messages oldest first and MUST NOT
 *   return a message whose append has not resolved.
 * - `appendDirect` with `waitingFrom` (the sender's identity: the owner is
 *   away) MUST refuse a message that would pass the mailbox's waiting
 *   bounds (`ConfabError` `mailbox_full`), and otherwise count it toward
 *   them until `clearWaiting`. A mailbox keeps its `history` newest.
 */
export interface HistoryStore {
  append(draft: MessageDraft): Promise<StoredMessage>;
  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]>;
  /** The room's message with this `id`, while the room keeps it (one indexed read). */
  find(roomKey: string, id: string): Promise<StoredMessage | undefined>;
  appendDirect(owner: string, draft: DirectDraft, waitingFrom?: string): Promise<StoredDirect>;
  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]>;
  /** The mailbox's direct message with this `id`, while it keeps it (one indexed read). */
  findDirect(owner: string, id: string): Promise<StoredDirect | undefined>;
  /** The mailbox's owner has been given what it holds: nothing waits for them any more. */
  clearWaiting(owner: string): Promise<void>;
  /** Resolves when everything appended so far is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/*
 * Changes are made to a message where it is kept: in a room, or in one
 * mailbox (a direct message has a copy in the mailbox at each end, and a
 * change is made to each). `roomKey` names that place (a room's key, or
 * the mailbox's owner: the forms never meet, a room's starting with `#`),
 * `room` spells the room in frames and is absent for a mailbox, and `seq`
 * is the message's number there (its `seq`, or its `dseq`). Each place
 * numbers its own changes (`rev`).
 */

/** Whether a change is to a message of a mailbox (rather than of a room). */
export function inMailbox(change: { room?: string }): boolean {
  return change.room === undefined;
}

/** A reaction put on a message, or (`remove`) taken back. */
export interface ReactionChange {
  roomKey: string;
  /** The room as it is spelled in frames; absent: the message is a mailbox's. */
  room?: string;
  /** The message: its seq (or dseq) and id. */
  seq: number;
  id: string;
  emoji: string;
  /**
   * Who: in a room a folded name is one person; in a mailbox, an identity.
   * `name` as they are called now.
   */
  nameKey: string;
  name: string;
  remove: boolean;
}

/**
 * What a reaction change came to: `changed` when it was news (the person
 * had not that reaction, or had it to take back), with the room's new
 * `rev` and the emoji's `count` now; `full` when the message carries as
 * many different reactions as it may.
 */
export type ReactionOutcome =
  { changed: true; rev: number; count: number } | { changed: false; full?: boolean };

/** A message's text replaced by its sender. */
export interface EditChange {
  roomKey: string;
  room?: string;
  seq: number;
  id: string;
  /** Its sender, as it was sent. */
  from: string;
  text: string;
  ts: number;
  /** What replies quoting it show of it now (see `replyExcerpt`). */
  excerpt: string;
}

/** A message deleted: its text erased for good, a tombstone kept in its place. */
export interface DeleteChange {
  roomKey: string;
  room?: string;
  seq: number;
  id: string;
  /** Its sender, as it was sent. */
  from: string;
  /** Who deleted it (a name): its sender, a moderator of the room, an operator. */
  by: string;
  ts: number;
}

/** What an edit or a delete came to: `changed` with the room's new `rev`, or not (the message was deleted meanwhile, or is no longer kept). */
export type MessageChangeOutcome = { changed: true; rev: number } | { changed: false };

/** A room message whose state changed: the room's `rev` of its last change. */
export interface ChangedMessage {
  seq: number;
  id: string;
  rev: number;
}

/**
 * Changes to room messages after they were sent (reactions, edits,
 * deletes), and the room's change numbering: every change takes the room's
 * next `rev` (1, 2, 3 …), and a message remembers the `rev` of its last
 * change, so a client that had `rev` N is brought up to date by the
 * messages changed after N. It works on the history it is a part of (the
 * same SQLite file, memory or Redis keys). Every implementation passes
 * `test/changes-contract.ts`.
 *
 * - Changes MUST be applied in the order of the calls, each that is news
 *   numbered, atomically across the nodes of a cluster.
 * - `react` MUST NOT give a message more than `LIMITS.maxReactionKinds`
 *   different emoji. `reactionsOf` gives each emoji in the order it was
 *   first given, with `me` for those `reader` (a folded name) gave.
 * - `edit` replaces the text (the history gives the new one, with the
 *   time of the edit) and what replies quoting it show of it.
 * - `remove` erases the text, from the store itself and not only from what
 *   it answers (no copy of it is left to be read back), and the quotes of
 *   it in replies, and the message's reactions; the history keeps a
 *   tombstone in its place (`deletedBy`, empty text).
 */
export interface ChangeStore {
  react(change: ReactionChange): Promise<ReactionOutcome>;
  edit(change: EditChange): Promise<MessageChangeOutcome>;
  remove(change: DeleteChange): Promise<MessageChangeOutcome>;
  /** The reactions of these messages of a room (by seq); those without are absent. */
  reactionsOf(
    roomKey: string,
    seqs: readonly number[],
    reader?: string,
  ): Promise<Map<number, ReactionCount[]>>;
  /** Messages changed after `rev`, in the order of their last change, at most `limit`. */
  changedAfter(roomKey: string, rev: number, limit: number): Promise<ChangedMessage[]>;
  /** The room's last `rev` (0: nothing changed yet). */
  rev(roomKey: string): Promise<number>;
}

/**
 * How a change to a message is made: applied and numbered by the change
 * store, then published to the room (a `reaction`, `edited` or `deleted`
 * frame) in `rev` order; a cluster does both in one atomic step in Redis.
 */
export interface ChangePoster {
  react(change: ReactionChange): Promise<ReactionOutcome>;
  edit(change: EditChange): Promise<MessageChangeOutcome>;
  remove(change: DeleteChange): Promise<MessageChangeOutcome>;
}

/**
 * What a search looks through and for (section 6.10 of PROTOCOL.md): the
 * rooms and the mailbox the person may read, narrowed by the filters.
 */
export interface SearchQuery {
  /** Words and phrases, folded (see `foldForSearch`): a message has every one. */
  terms: string[];
  /** Room keys to look in. */
  rooms: readonly string[];
  /** The mailbox (its owner) to look in, if any. */
  mailbox?: string;
  /** Only direct messages from or to this folded name. */
  peer?: string;
  /** Only what this folded name sent. */
  from?: string;
  /** Sent at or after `since`, before `until`. */
  since?: number;
  until?: number;
  /** Only what was kept before this position (where the last page ended). */
  before?: number;
  /** Hits wanted. */
  limit: number;
  /** Matching messages looked at, at most: one step's work is bounded. */
  budget: number;
}

/** A message a search found: its place (a room's, or a mailbox's), and its text now. */
export interface FoundMessage {
  /** Its position in the index's order (newer kept later: higher). */
  position: number;
  id: string;
  from: string;
  ts: number;
  text: string;
  /** A room message: the room (key and spelling) and seq. */
  room?: { key: string; name: string; seq: number };
  /** A direct message: its recipient and its dseq in the mailbox searched. */
  direct?: { to: string; dseq: number };
}

/**
 * A page of a search, newest first; `next` (a position) when the step
 * stopped before the end: older hits may exist before it.
 */
export interface SearchPage {
  found: FoundMessage[];
  next?: number;
}

/**
 * A full-text index of what a history keeps, in step with it: a message
 * is found as soon as its append resolves, by its new text once edited,
 * and not at all once deleted. Every implementation passes
 * `test/search-contract.ts`.
 *
 * - `search` MUST give the messages of the places asked for that have
 *   every term (ignoring case and accents; a term is found inside longer
 *   words), newest first, at most `limit` of them, looking at no more than
 *   about `budget` matching messages; `next` says where to go on.
 */
export interface SearchIndex {
  search(query: SearchQuery): Promise<SearchPage>;
}

/**
 * Where each identity has read up to (section 6.11 of PROTOCOL.md): by
 * place, a room's key or `@` and the folded name of the other person of a
 * direct conversation, the number of the newest message read there (its
 * seq, or the identity's dseq). Every implementation passes
 * `test/read-markers-contract.ts`.
 *
 * - `advance` MUST only move a marker forward, atomically across the nodes
 *   of a cluster, and keep at most `MAX_READ_MARKERS` places an identity;
 *   past it, a new place is not kept (false).
 */
export interface ReadMarkerStore {
  markers(owner: string): Promise<Map<string, number>>;
  /** Moves a marker to `number` when that is forward; true when it moved. */
  advance(owner: string, place: string, number: number): Promise<boolean>;
}

/** Places an identity keeps a read marker for, at most: its rooms and direct conversations. */
export const MAX_READ_MARKERS = 1_000;

/** An account: a name that belongs to someone, on every device they log in from. */
export interface Account {
  /** Stable and random: the account's mailbox is `a:<id>` (see `owners.ts`). */
  id: string;
  /** The folded name: unique among accounts. */
  nameKey: string;
  /** The name as registered (NFC). */
  name: string;
  /** The name's look-alike key (see `names/lookalikes.ts`): no two accounts made since share one. */
  lookalike: string;
  /** The password's hash with its salt and cost (see `passwords.ts`); never the password. */
  passwordHash: string;
  created: number;
  /** The rooms the account is in: every login, on any device, joins them. */
  rooms: string[];
}

/** A login the account's owner may come back with: a session token (its hash kept). */
export interface SessionRecord {
  /** Names the session in lists and for `revoke`; not a secret. */
  id: string;
  accountId: string;
  /** SHA-256 of the token, in hex: the token itself is never kept. */
  tokenHash: string;
  /** The client it logged in with (`hello.client`). */
  client: string;
  created: number;
  /** Last used to log in. A session unused for `SESSION_TTL_MS` has expired. */
  seen: number;
}

/** How long a session token lasts without being used: 30 days. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Sessions an account keeps at most; a new login past it ends the one used longest ago. */
export const MAX_SESSIONS_PER_ACCOUNT = 100;

/**
 * Accounts and their sessions, kept beside the history (SQLite, memory or
 * Redis). Every implementation passes `test/accounts-contract.ts`.
 *
 * - `create` MUST make the account only if no account has its `nameKey`
 *   or its `lookalike` (atomically, across the nodes of a cluster).
 * - `addSession` MUST keep at most `MAX_SESSIONS_PER_ACCOUNT` sessions of
 *   an account, ending the one used longest ago.
 * - `sessionByToken` MUST NOT return a session that was revoked, or that
 *   was not used for `SESSION_TTL_MS` (given `now`).
 */
export interface AccountStore {
  create(account: Account): Promise<boolean>;
  byName(nameKey: string): Promise<Account | undefined>;
  /** The account whose name has this look-alike key (it looks like the name asked about). */
  byLookalike(lookalike: string): Promise<Account | undefined>;
  byId(id: string): Promise<Account | undefined>;
  setPassword(id: string, passwordHash: string): Promise<void>;
  /**
   * Replaces the password hash `from` with `to` (the same password, hashed
   * at another cost), unless it changed meanwhile; false when it had.
   */
  rehashPassword(id: string, from: string, to: string): Promise<boolean>;
  setRooms(id: string, rooms: string[]): Promise<void>;
  addSession(session: SessionRecord): Promise<void>;
  sessionByToken(tokenHash: string, now: number): Promise<SessionRecord | undefined>;
  /** Marks a session used now (a login with its token). */
  touchSession(session: SessionRecord, now: number): Promise<void>;
  /** The account's sessions that have not expired, newest first. */
  sessions(accountId: string, now: number): Promise<SessionRecord[]>;
  /** Removes one of the account's sessions; false when it has none of that id. */
  revoke(accountId: string, sessionId: string): Promise<boolean>;
  /** Removes every session of the account but `keep`; resolves with the ids removed. */
  revokeAllBut(accountId: string, keep: string | undefined): Promise<string[]>;
}

/** A ban from the whole server: of an account (it cannot log in) or an address (it cannot connect). */
export interface ServerBan {
  account?: { id: string; name: string };
  /** The address as per-address limits count it (an IPv6 /64 is one). */
  address?: string;
  /** The name it was made against (a guest's, for an address ban). */
  name?: string;
  by: string;
  reason?: string;
  ts: number;
  /** Ends then; absent: until lifted. */
  until?: number;
}

/** The server's own rules, kept like a room's: `version` grows with every write. */
export interface ServerRecord {
  version: number;
  bans: ServerBan[];
}

/** One moderation action, as the log keeps it. */
export interface ModlogRecord extends ModlogEntry {
  /** Grows with every entry of the whole log. */
  id: number;
  /** The room's key, or '' for the server's own actions. */
  scope: string;
}

/** Entries a moderation log keeps per room (and for the server); the oldest go. */
export const MODLOG_KEEP = 1_000;

/**
 * What is kept of rooms beyond their messages (owners, roles, topics,
 * modes, bans, mutes, invitations), the server's bans, and the moderation
 * log, in SQLite, memory or Redis. Every implementation passes
 * `test/rooms-contract.ts`.
 *
 * - `putRoom` and `putServer` MUST write only over the version given (0:
 *   nothing stored yet), atomically across the nodes of a cluster, and
 *   resolve false when the stored version is another: the caller reads
 *   again and retries, so two changes made at once both hold, in order.
 * - `log` MUST number entries in the order written, and keep the newest
 *   `MODLOG_KEEP` of each scope.
 */
export interface RoomStore {
  room(key: string): Promise<RoomRecord | undefined>;
  /** The records of these rooms (those that have one), in any order. */
  rooms(keys: readonly string[]): Promise<RoomRecord[]>;
  putRoom(next: RoomRecord, expected: number): Promise<boolean>;
  /** How many rooms an identity owns. */
  ownedCount(identity: string): Promise<number>;
  /** Keys of rooms that have an owner, at most `limit` of them. */
  ownedRooms(limit: number): Promise<string[]>;
  server(): Promise<ServerRecord>;
  putServer(next: ServerRecord, expected: number): Promise<boolean>;
  log(entry: Omit<ModlogRecord, 'id'>): Promise<ModlogRecord>;
  /** The newest `limit` entries of a scope before the id `before` (or the newest), oldest first. */
  readLog(scope: string, before: number | undefined, limit: number): Promise<ModlogRecord[]>;
}

/** Where a frame came from, so the node that holds the sender can answer it. */
export interface Origin {
  node: string;
  session: number;
  ref?: string;
}

/** What travels between nodes (or within one). */
export type BusEvent =
  /**
   * A frame for every member of a room (but `except`, a folded name); `seq`
   * for room messages, `rev` for changes to them; `feature`: only for
   * connections that asked for it.
   */
  | {
      kind: 'room';
      roomKey: string;
      frame: ServerFrame;
      seq?: number;
      /** For a change to a message: the room's `rev` of it. */
      rev?: number;
      except?: string;
      feature?: EventFeature;
    }
  /**
   * A room's record was written (`version`): nodes take it (`record`, when
   * it is small enough to travel) or read it again, and tell its members.
   */
  | { kind: 'room-changed'; roomKey: string; version: number; record?: RoomRecord }
  /**
   * People leave a room because a moderator said so: those of identity
   * `identity`, guests from `address`, or (`all`) everyone. They and the
   * room get `left` with reason `kicked`, by whom and why.
   */
  | {
      kind: 'evict';
      roomKey: string;
      identity?: string;
      address?: string;
      all?: boolean;
      by: string;
      text?: string;
      banned?: boolean;
      until?: number;
    }
  /** The server's bans changed: nodes read them again and end the sessions they now refuse. */
  | { kind: 'server-changed'; version: number }
  /**
   * A frame for every connection of an identity that asked for `feature`
   * (an invitation to them, a `typing`).
   */
  | { kind: 'to-person'; owner: string; frame: ServerFrame; feature: EventFeature }
  /**
   * A direct message for every session of one identity (`owner`), on every
   * node: a kept copy (with its `dseq`), or the sender's own. `ack`: the
   * sender, to be acked once its own copy is delivered.
   */
  | { kind: 'direct'; owner: string; frame: MessageFrame; ack?: Origin }
  /**
   * A change to a direct message kept in the mailbox of `owner` (numbered
   * `rev` there), for its connections that asked for `feature`, on every node.
   */
  | { kind: 'direct-change'; owner: string; frame: ServerFrame; rev: number; feature: EventFeature }
  /**
   * A direct message for someone whose messages are not kept (no identity:
   * plain text, a client of protocol 1.0), handed over by the node that
   * holds them, which then answers `origin`: the message, or no_such_user.
   */
  | { kind: 'handover'; owner: string; node: string; frame: MessageFrame; origin: Origin }
  /** A name change: for the user and everyone in its rooms. */
  | { kind: 'nick'; oldKey: string; old: string; name: string; roomKeys: string[] }
  /**
   * A person (every connection of identity `owner`) joined or left a room
   * from a connection on `node`: the person's connections on the other
   * nodes follow.
   */
  | { kind: 'person'; owner: string; node: string; change: 'join' | 'part'; room: string }
  /** Sessions of an account were logged out (by id): their connections end, on every node. */
  | { kind: 'revoked'; logins: string[] }
  /**
   * A guest (identity `owner`) connected again, on `node` as session
   * `session`: their other connections end, on every node (a guest is one
   * connection; the new one takes over from a link that died unnoticed).
   */
  | { kind: 'returned'; owner: string; node: string; session: number }
  /** An answer for one session on the node that holds it. */
  | { kind: 'reply'; origin: Origin; frame: ServerFrame }
  /**
   * This node may have missed events (its link to the others broke and is
   * back): room messages are read again from the store.
   */
  | { kind: 'resync' };

/**
 * Fan-out between the nodes of a chat. `publish` MUST deliver every event to
 * every node's handler, this node's included, and room events of one room
 * in the order they were published.
 */
export interface Bus {
  publish(event: BusEvent): void;
  subscribe(handler: (event: BusEvent) => void): void;
  close(): Promise<void>;
}

/**
 * How a room message is sent: numbered and kept by the history store, then
 * published to the room on the bus. A room's messages MUST reach every node
 * in seq order: a member is never sent a seq at or below one it has had, so
 * a message overtaken by a later one would be lost to it. On one node,
 * appending then publishing keeps that order; a cluster does both in one
 * atomic step in Redis.
 */
export interface MessagePoster {
  post(draft: MessageDraft): Promise<StoredMessage>;
}

/**
 * How a direct message reaches an identity's mailbox: numbered and kept by
 * the history store, then published (`direct`) to every session of the
 * identity, in `dseq` order (a cluster does both in one atomic step).
 * `waitingFrom`: the owner is away, and the sender is this identity (see
 * `HistoryStore.appendDirect`).
 */
export interface DirectPoster {
  postDirect(
    owner: string,
    draft: DirectDraft,
    ack?: Origin,
    waitingFrom?: string,
  ): Promise<StoredDirect>;
}

/**
 * What a claim on a name came to: the name is held now; another identity
 * holds it; or someone holds a name that looks like it (the same
 * look-alike key).
 */
export type ClaimResult = 'claimed' | 'taken' | 'lookalike';

/** Who holds a name. */
export interface NameHolder {
  name: string;
  node: string;
  /** Their identity: where their direct messages go (see `Owner`). */
  owner: string;
  /** Where they connected from (the per-address key), when the claim said. */
  address?: string;
}

/** A room with people in it, as the directory counts it. */
export interface RoomCount {
  roomKey: string;
  room: string;
  members: number;
}

/** A room's membership entry, as the directory keeps it. */
export interface MemberEntry {
  roomKey: string;
  /** The room as it is spelled in frames. */
  room: string;
  nameKey: string;
  name: string;
}

/**
 * Who is online and where: names (unique ignoring case across the chat) and
 * room membership, of people (one entry each, however many devices they are
 * connected from, on however many nodes). Keys are folded names and rooms.
 * A node calls `claim` and `addMember` when its first connection of a person
 * comes, `release` and `removeMember` when its last one goes.
 */
export interface Directory {
  /**
   * Claims a name for an identity (`owner`) on this node, atomically:
   * `taken` when another identity holds it. With `lookalike` (a guest's
   * name), also `lookalike` when someone else holds a name with that
   * look-alike key; the key is then held with the name. The same identity
   * may hold a name on several nodes at once (an account on several
   * devices).
   */
  claim(
    nameKey: string,
    name: string,
    owner: string,
    lookalike?: string,
    address?: string,
  ): Promise<ClaimResult>;
  /** This node no longer holds the name; it comes free when no node does. */
  release(nameKey: string): Promise<void>;
  /** The folded name of whoever holds a name with this look-alike key now, if anyone does. */
  lookalikeHolder(lookalike: string): Promise<string | undefined>;
  /** Who holds a name: as they spell it, their identity, and a node that holds it; undefined when no one online does. */
  holder(nameKey: string): Promise<NameHolder | undefined>;
  /** The person is in the room through this node; true when they were in it through no node before (the room hears `joined`). */
  addMember(entry: MemberEntry): Promise<boolean>;
  /** This node no longer has the person in the room; true when no node does now (the room hears `left`). */
  removeMember(roomKey: string, nameKey: string): Promise<boolean>;
  /** The display names of a room's members, each person once. */
  members(roomKey: string): Promise<string[]>;
  /** How many people are in a room. */
  memberCount(roomKey: string): Promise<number>;
  /** Whether a person (folded name) is in a room. */
  isMember(roomKey: string, nameKey: string): Promise<boolean>;
  /** How a room with people in it is spelled: as its first member, on any node, spelled it. */
  roomName(roomKey: string): Promise<string | undefined>;
  /** Rooms with people in them, at most `limit`, with their counts. */
  roomCounts(limit: number): Promise<RoomCount[]>;
  /** People online, at most `limit` (for operators). */
  people(limit: number): Promise<NameHolder[]>;
  /**
   * A guest took a new name: kept for a while (a week), so a device that
   * comes later and replays a conversation with the old name can follow it.
   */
  noteRename(oldKey: string, rename: Rename): Promise<void>;
  /** Where the holder of a name went lately, if they took another. */
  renamedTo(oldKey: string): Promise<Rename | undefined>;
  close(): Promise<void>;
}

/** A name its holder left for another: the new one and whose it is. */
export interface Rename {
  name: string;
  owner: string;
}

/** How long a rename is remembered for devices that come later. */
export const RENAME_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;
