import type { HeldEvents } from './held-events.js';
import type { Recipient } from './outgoing.js';
import type { Actor, RoomRules } from './room-policy.js';

/**
 * Someone in the chat on this node: a name, the identity behind it, and
 * each of their connections here. A guest has one connection; a person
 * logged in to an account may have several (a terminal, a page, a phone),
 * and the chat sees them once: one member of each room, one name.
 */
export interface Person {
  /** Folded name: the registry key. */
  key: string;
  /** Display name (NFC). */
  name: string;
  /** The identity whose mailbox holds their direct messages (see `owners.ts`). */
  owner: string;
  /** The account they are logged in to; undefined for a guest. */
  accountId: string | undefined;
  /** Logged in to an account the server's configuration names an operator. */
  operator: boolean;
  /** Their connections on this node. */
  readonly devices: Set<ChatUser>;
}

/** One connection of a person: what a session holds. */
export interface ChatUser {
  readonly person: Person;
  /** The person's folded name and display name (kept in step with `person`). */
  key: string;
  name: string;
  readonly recipient: Recipient;
  /** The login this connection came with (a session record's id); undefined for a guest. */
  login: string | undefined;
  /** Where it connected from, as per-address limits count it (an IPv6 /64 is one). */
  readonly address: string | undefined;
  /** It asked for the room frames of protocol 1.4 (`hello.features` has `rooms`). */
  readonly roomEvents: boolean;
  /** It asked to be told who is typing (`hello.features` has `typing`). */
  readonly typingEvents: boolean;
  /** It asked for reactions as they change (`hello.features` has `reactions`). */
  readonly reactionEvents: boolean;
  /** It asked for edits and deletes as they happen (`hello.features` has `edits`). */
  readonly editEvents: boolean;
  /** It asked for read markers (`hello.features` has `read`). */
  readonly readEvents: boolean;
  /** When it last had a `typing` passed on, by conversation (see `typing.ts`). */
  readonly typingSent: Map<string, number>;
  /** Rooms by folded name: the person's rooms, each with this connection's place in it. */
  readonly rooms: Map<string, Membership>;
  /** Highest `dseq` this connection was sent: a kept direct message at or below it is a duplicate. */
  lastDseq: number;
  /** Highest change `rev` of the mailbox this connection is up to date with (it follows changes). */
  lastDrev: number;
  /** What went by while the mailbox was being replayed; undefined once live. */
  directHeld: HeldEvents | undefined;
  /** Messages sent but not yet answered (ack or error). */
  unanswered: number;
  /** Called when `unanswered` drops to 0. */
  onSettled: (() => void) | undefined;
}

/** What a connection may ask to be sent beyond protocol 1.0 (`hello.features`). */
export type EventFeature = 'rooms' | 'typing' | 'reactions' | 'edits' | 'read';

/** Whether the connection asked for the frames of `feature`. */
export function wants(user: ChatUser, feature: EventFeature): boolean {
  switch (feature) {
    case 'rooms':
      return user.roomEvents;
    case 'typing':
      return user.typingEvents;
    case 'reactions':
      return user.reactionEvents;
    case 'edits':
      return user.editEvents;
    case 'read':
      return user.readEvents;
  }
}

/** Whether the connection follows changes to messages: it is sent `update`s and `rev`s to catch up by. */
export function followsChanges(user: ChatUser): boolean {
  return user.reactionEvents || user.editEvents;
}

/** A connection's place in a room on this node. */
export interface Membership {
  readonly user: ChatUser;
  readonly room: LocalRoom;
  /** Highest `seq` this connection was sent: a message at or below it is a duplicate. */
  lastSeq: number;
  /** Highest change `rev` this connection is up to date with (feature `reactions`). */
  lastRev: number;
  /** What went by while the connection was being replayed the room; undefined once live. */
  held: HeldEvents | undefined;
}

/** A room with members on this node. */
export interface LocalRoom {
  readonly key: string;
  /** The spelling used in frames (that of the first join on this node). */
  readonly name: string;
  /** By session id: each connection of each member here. */
  readonly members: Map<number, Membership>;
  /** Its rules as last read: kept current by `room-changed` events. */
  rules: RoomRules;
  /** The version of the rules its members were last sent (a `room` frame), or joined with. */
  toldVersion: number;
  /** The newest version another node said it wrote: rules older than it are read again before a join. */
  heardVersion: number;
}

/** A connection's person as the rules of a room see them. */
export function actorOf(user: ChatUser): Actor {
  const person = user.person;
  return {
    identity: person.owner,
    name: person.name,
    account: person.accountId !== undefined,
    operator: person.operator,
    ...(user.address === undefined ? {} : { address: user.address }),
  };
}

/** Whether any connection of the person on this node is in the room. */
export function inRoom(person: Person, roomKey: string): boolean {
  for (const device of person.devices) if (device.rooms.has(roomKey)) return true;
  return false;
}
