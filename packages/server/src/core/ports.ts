import type { MessageFrame, ServerFrame } from '@confab/protocol';

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
}

/** A room message as stored: the draft plus its `seq`. */
export interface StoredMessage extends MessageDraft {
  seq: number;
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
}

/** A direct message as kept in one identity's mailbox: the draft plus its `dseq` there. */
export interface StoredDirect extends DirectDraft {
  /** The mailbox: whose direct messages these are (see `Owner`). */
  owner: string;
  dseq: number;
}

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
 */
export interface HistoryStore {
  append(draft: MessageDraft): Promise<StoredMessage>;
  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]>;
  appendDirect(owner: string, draft: DirectDraft): Promise<StoredDirect>;
  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]>;
  /** Resolves when everything appended so far is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Where a frame came from, so the node that holds the sender can answer it. */
export interface Origin {
  node: string;
  session: number;
  ref?: string;
}

/** What travels between nodes (or within one). */
export type BusEvent =
  /** A frame for every member of a room (but `except`, a folded name); `seq` for room messages. */
  | {
      kind: 'room';
      roomKey: string;
      frame: ServerFrame;
      seq?: number;
      except?: string;
    }
  /**
   * A direct message for every session of one identity (`owner`), on every
   * node: a kept copy (with its `dseq`), or the sender's own. `ack`: the
   * sender, to be acked once its own copy is delivered.
   */
  | { kind: 'direct'; owner: string; frame: MessageFrame; ack?: Origin }
  /**
   * A direct message for someone whose messages are not kept (no identity:
   * plain text, a client of protocol 1.0), handed over by the node that
   * holds them, which then answers `origin`: the message, or no_such_user.
   */
  | { kind: 'handover'; owner: string; node: string; frame: MessageFrame; origin: Origin }
  /** A name change: for the user and everyone in its rooms. */
  | { kind: 'nick'; oldKey: string; old: string; name: string; roomKeys: string[] }
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
 */
export interface DirectPoster {
  postDirect(owner: string, draft: DirectDraft, ack?: Origin): Promise<StoredDirect>;
}

/** Who holds a name. */
export interface NameHolder {
  name: string;
  node: string;
  /** Their identity: where their direct messages go (see `Owner`). */
  owner: string;
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
 * room membership. Keys are folded names and rooms.
 */
export interface Directory {
  /** Claims a name atomically for an identity (`owner`); false when another holds it. */
  claim(nameKey: string, name: string, owner: string): Promise<boolean>;
  release(nameKey: string): Promise<void>;
  /** Who holds a name: as they spell it, on which node, and their identity; undefined when no one online does. */
  holder(nameKey: string): Promise<NameHolder | undefined>;
  addMember(entry: MemberEntry): Promise<void>;
  removeMember(roomKey: string, nameKey: string): Promise<void>;
  /** The display names of a room's members. */
  members(roomKey: string): Promise<string[]>;
  close(): Promise<void>;
}
