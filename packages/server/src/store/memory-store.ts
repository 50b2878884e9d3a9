import type { HistoryStore, MessageDraft, PageQuery, StoredMessage } from '../core/ports.js';
import { pageOf } from './paging.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room; the oldest are dropped. @default 10000 */
  maxPerRoom?: number;
}

/** History in memory only (`--store memory`): numbered like any store, gone on restart. */
export class MemoryStore implements HistoryStore {
  private readonly rooms = new Map<string, { messages: StoredMessage[]; lastSeq: number }>();
  private readonly maxPerRoom: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxPerRoom = options.maxPerRoom ?? 10_000;
  }

  append(draft: MessageDraft): Promise<StoredMessage> {
    let room = this.rooms.get(draft.roomKey);
    if (!room) this.rooms.set(draft.roomKey, (room = { messages: [], lastSeq: 0 }));
    const stored: StoredMessage = { ...draft, seq: ++room.lastSeq };
    room.messages.push(stored);
    // Drop in chunks, so trimming is not a shift per message.
    if (room.messages.length > this.maxPerRoom + 1024)
      room.messages.splice(0, room.messages.length - this.maxPerRoom);
    return Promise.resolve(stored);
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    return Promise.resolve(pageOf(this.rooms.get(roomKey)?.messages ?? [], query));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
