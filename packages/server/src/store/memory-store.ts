import type {
  DirectDraft,
  HistoryStore,
  MessageDraft,
  PageQuery,
  StoredDirect,
  StoredMessage,
} from '../core/ports.js';
import { pageOf } from './paging.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room, and per mailbox; the oldest are dropped. @default 10000 */
  maxPerRoom?: number;
  /** Mailboxes kept; the one written longest ago is dropped. @default 100000 */
  maxMailboxes?: number;
}

interface Numbered<T> {
  messages: T[];
  last: number;
}

/** History in memory only (`--store memory`): numbered like any store, gone on restart. */
export class MemoryStore implements HistoryStore {
  private readonly rooms = new Map<string, Numbered<StoredMessage>>();
  /** In the order last written to: the first is the one to drop. */
  private readonly mailboxes = new Map<string, Numbered<StoredDirect>>();
  private readonly maxPerRoom: number;
  private readonly maxMailboxes: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxPerRoom = options.maxPerRoom ?? 10_000;
    this.maxMailboxes = options.maxMailboxes ?? 100_000;
  }

  append(draft: MessageDraft): Promise<StoredMessage> {
    let room = this.rooms.get(draft.roomKey);
    if (!room) this.rooms.set(draft.roomKey, (room = { messages: [], last: 0 }));
    const stored: StoredMessage = { ...draft, seq: ++room.last };
    this.keep(room, stored);
    return Promise.resolve(stored);
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    return Promise.resolve(pageOf(this.rooms.get(roomKey)?.messages ?? [], query, (m) => m.seq));
  }

  appendDirect(owner: string, draft: DirectDraft): Promise<StoredDirect> {
    let mailbox = this.mailboxes.get(owner);
    if (mailbox) this.mailboxes.delete(owner);
    else if (this.mailboxes.size >= this.maxMailboxes)
      this.mailboxes.delete(this.mailboxes.keys().next().value!);
    mailbox ??= { messages: [], last: 0 };
    this.mailboxes.set(owner, mailbox);
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
