import type { ReplyExcerpt } from '@confab/protocol';
import type {
  DirectDraft,
  HistoryStore,
  MailboxLimits,
  MessageDraft,
  PageQuery,
  SearchIndex,
  SearchPage,
  SearchQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { DEFAULT_MAILBOX_LIMITS } from '../core/ports.js';
import { useEntry } from '../recently-used.js';
import { MemoryChanges } from './memory-changes.js';
import { searchSources } from './memory-search.js';
import type { SearchSource } from './memory-search.js';
import { pageOf } from './paging.js';
import type { Waiting } from './waiting.js';
import { checkWaiting } from './waiting.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room; the oldest are dropped. @default 10000 */
  maxPerRoom?: number;
  /** Rooms kept; past it, the one written to longest ago is dropped. @default 100000 */
  maxRooms?: number;
  /** Mailboxes kept; past it, the one written to longest ago is dropped. @default 100000 */
  maxMailboxes?: number;
  /** What a mailbox keeps, and what may wait in it. @default DEFAULT_MAILBOX_LIMITS */
  mailbox?: MailboxLimits;
}

interface Numbered<T extends { id: string }> {
  messages: T[];
  last: number;
  /** The messages kept, by id (for replies). */
  byId: Map<string, T>;
}

interface Mailbox extends Numbered<StoredDirect> {
  /** What waits for the owner: in all, and by sender. */
  waiting: Waiting;
  waitingBySender: Map<string, Waiting>;
}

/** A kept message of a room or a mailbox. */
type Kept = StoredMessage | StoredDirect;

/** A kept message's number: its seq, or its dseq. */
function numberOf(message: Kept): number {
  return 'dseq' in message ? message.dseq : message.seq;
}

/** A room with nothing in it yet: its first message is 1. */
function unnumbered<T extends { id: string }>(): Numbered<T> {
  return { messages: [], last: 0, byId: new Map() };
}

function emptyMailbox(): Mailbox {
  return {
    messages: [],
    last: 0,
    byId: new Map(),
    waiting: { count: 0, bytes: 0 },
    waitingBySender: new Map(),
  };
}

/** History in memory only (`--store memory`): numbered like any store, gone on restart. */
export class MemoryStore implements HistoryStore, SearchIndex {
  /** Changes to the room messages kept here (reactions, edits, deletes). */
  readonly changes: MemoryChanges;
  // Both in the order last written to: the first is the one to drop. A
  // dropped room or mailbox starts again from 1, as after a restart.
  private readonly rooms = new Map<string, Numbered<StoredMessage>>();
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly maxPerRoom: number;
  private readonly maxRooms: number;
  private readonly maxMailboxes: number;
  private readonly limits: MailboxLimits;
  /** Each kept message's place in the order the store kept them (a search's newest first). */
  private readonly positions = new WeakMap<Kept, number>();
  private lastPosition = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxPerRoom = options.maxPerRoom ?? 10_000;
    this.maxRooms = options.maxRooms ?? 100_000;
    this.maxMailboxes = options.maxMailboxes ?? 100_000;
    this.limits = options.mailbox ?? DEFAULT_MAILBOX_LIMITS;
    this.changes = new MemoryChanges(this, {
      maxPerRoom: this.maxPerRoom,
      maxRooms: this.maxRooms,
    });
  }

  append(draft: MessageDraft): Promise<StoredMessage> {
    const room = useEntry(this.rooms, draft.roomKey, this.maxRooms, unnumbered);
    const stored: StoredMessage = { ...draft, seq: ++room.last };
    this.positions.set(stored, ++this.lastPosition);
    keep(room, stored, this.maxPerRoom);
    return Promise.resolve(stored);
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    return Promise.resolve(pageOf(this.rooms.get(roomKey)?.messages ?? [], query, (m) => m.seq));
  }

  find(roomKey: string, id: string): Promise<StoredMessage | undefined> {
    return Promise.resolve(this.rooms.get(roomKey)?.byId.get(id));
  }

  /** The messages of a room, or (`mailbox`: `key` is its owner) of a mailbox. */
  private kept(key: string, mailbox: boolean): Numbered<Kept> | undefined {
    return mailbox ? this.mailboxes.get(key) : this.rooms.get(key);
  }

  /** The message `seq` (a mailbox's: its dseq) of a room or mailbox, while it is kept (for its changes). */
  at(key: string, seq: number, mailbox = false): Kept | undefined {
    const messages = this.kept(key, mailbox)?.messages;
    const first = messages?.[0];
    if (!messages || !first) return undefined;
    // Numbers have no gaps: the message's place is its distance from the first kept.
    const message = messages[seq - numberOf(first)];
    return message && numberOf(message) === seq ? message : undefined;
  }

  /**
   * Puts `message` in place of the message of its number in the room or
   * mailbox `key` (a new object: pages read earlier keep theirs).
   */
  replace(key: string, message: Kept, mailbox = false): void {
    const kept = this.kept(key, mailbox);
    const first = kept?.messages[0];
    if (!kept || !first) return;
    const at = numberOf(message) - numberOf(first);
    const old = kept.messages[at];
    if (old?.id !== message.id) return;
    this.positions.set(message, this.positions.get(old) ?? 0);
    kept.messages[at] = message;
    kept.byId.set(message.id, message);
  }

  /** Changes, with `change`, the quote of every kept reply to the message `id` of a room or mailbox. */
  requote(
    key: string,
    id: string,
    change: (reply: ReplyExcerpt) => ReplyExcerpt,
    mailbox = false,
  ): void {
    for (const message of this.kept(key, mailbox)?.messages ?? [])
      if (message.reply?.id === id)
        this.replace(key, { ...message, reply: change(message.reply) }, mailbox);
  }

  search(query: SearchQuery): Promise<SearchPage> {
    const positionOf = (message: Kept) => this.positions.get(message) ?? 0;
    const sources: SearchSource[] = [];
    for (const key of query.rooms) {
      const room = this.rooms.get(key);
      if (room) sources.push({ messages: room.messages, positionOf });
    }
    const mailbox = query.mailbox === undefined ? undefined : this.mailboxes.get(query.mailbox);
    if (mailbox) sources.push({ messages: mailbox.messages, positionOf });
    return Promise.resolve(searchSources(sources, query));
  }

  appendDirect(owner: string, draft: DirectDraft, waitingFrom?: string): Promise<StoredDirect> {
    const mailbox = useEntry(this.mailboxes, owner, this.maxMailboxes, emptyMailbox);
    if (waitingFrom !== undefined) {
      const mine = mailbox.waitingBySender.get(waitingFrom) ?? { count: 0, bytes: 0 };
      let bytes: number;
      try {
        bytes = checkWaiting(this.limits, mailbox.waiting, mine, draft.text);
      } catch (error) {
        return Promise.reject(error);
      }
      mailbox.waiting.count++;
      mailbox.waiting.bytes += bytes;
      mailbox.waitingBySender.set(waitingFrom, {
        count: mine.count + 1,
        bytes: mine.bytes + bytes,
      });
    }
    const stored: StoredDirect = { ...draft, owner, dseq: ++mailbox.last };
    this.positions.set(stored, ++this.lastPosition);
    keep(mailbox, stored, this.limits.history);
    return Promise.resolve(stored);
  }

  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    return Promise.resolve(pageOf(this.mailboxes.get(owner)?.messages ?? [], query, (m) => m.dseq));
  }

  findDirect(owner: string, id: string): Promise<StoredDirect | undefined> {
    return Promise.resolve(this.mailboxes.get(owner)?.byId.get(id));
  }

  async clearWaiting(owner: string): Promise<void> {
    const mailbox = this.mailboxes.get(owner);
    if (!mailbox) return;
    mailbox.waiting = { count: 0, bytes: 0 };
    mailbox.waitingBySender.clear();
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.rooms.clear();
    this.mailboxes.clear();
  }
}

/** Keeps a message, dropping the oldest past `max` (in chunks, so trimming is not a shift per message). */
function keep<T extends { id: string }>(numbered: Numbered<T>, message: T, max: number): void {
  numbered.messages.push(message);
  numbered.byId.set(message.id, message);
  if (numbered.messages.length > max + Math.min(1024, max))
    for (const dropped of numbered.messages.splice(0, numbered.messages.length - max))
      numbered.byId.delete(dropped.id);
}
