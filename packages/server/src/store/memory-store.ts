import type {
  DirectDraft,
  HistoryStore,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { useEntry } from '../recently-used.js';
import { pageOf } from './paging.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room, and per mailbox; the oldest are dropped. @default 10000 */
  maxPerRoom?: number;
  /** Rooms kept; past it, the one written to longest ago is dropped. @default 100000 */
  maxRooms?: number;
  /** Mailboxes kept; past it, the one written to longest ago is dropped. @default 100000 */
  maxMailboxes?: number;
}

interface Numbered<T> {
  messages: T[];
  last: number;
}

/** A room or mailbox with nothing in it yet: its first message is 1. */
function unnumbered<T>(): Numbered<T> {
  return { messages: [], last: 0 };
}

/** History in memory only (`--store memory`): numbered like any store, gone on restart. */
export class MemoryStore implements HistoryStore {
  // Both in the order last written to: the first is the one to drop. A
  // dropped room or mailbox starts again from 1, as after a restart.
  private readonly rooms = new Map<string, Numbered<StoredMessage>>();
  private readonly mailboxes = new Map<string, Numbered<StoredDirect>>();
  private readonly maxPerRoom: number;
  private readonly maxRooms: number;
  private readonly maxMailboxes: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxPerRoom = options.maxPerRoom ?? 10_000;
    this.maxRooms = options.maxRooms ?? 100_000;
    this.maxMailboxes = options.maxMailboxes ?? 100_000;
  }

  append(draft: MessageDraft): Promise<StoredMessage> {
    const room = useEntry(this.rooms, draft.roomKey, this.maxRooms, unnumbered);
    const stored: StoredMessage = { ...draft, seq: ++room.last };
    this.keep(room, stored);
    return Promise.resolve(stored);
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    return Promise.resolve(pageOf(this.rooms.get(roomKey)?.messages ?? [], query, (m) => m.seq));
  }

  appendDirect(owner: string, draft: DirectDraft): Promise<StoredDirect> {
    const mailbox = useEntry(this.mailboxes, owner, this.maxMailboxes, unnumbered);
    const stored: StoredDirect = { ...draft, owner, dseq: ++mailbox.last };
    this.keep(mailbox, stored);
    return Promise.resolve(stored);
  }

  pageDirect(owner: string, query: PageQuery): Promise<StoredDirect[]> {
    return Promise.resolve(pageOf(this.mailboxes.get(owner)?.messages ?? [], query, (m) => m.dseq));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.rooms.clear();
    this.mailboxes.clear();
  }

  private keep<T>(numbered: Numbered<T>, message: T): void {
    numbered.messages.push(message);
    // Drop in chunks, so trimming is not a shift per message.
    if (numbered.messages.length > this.maxPerRoom + 1024)
      numbered.messages.splice(0, numbered.messages.length - this.maxPerRoom);
  }
}
