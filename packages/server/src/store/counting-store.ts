import type { HistoryStore, MessageDraft, PageQuery, StoredMessage } from '../core/ports.js';

/** A store that counts what it stored, for `/metrics`. */
export class CountingStore implements HistoryStore {
  /** Messages stored since start. */
  stored = 0;

  constructor(private readonly inner: HistoryStore) {}

  append(draft: MessageDraft): Promise<StoredMessage> {
    return this.inner.append(draft).then((message) => {
      this.stored++;
      return message;
    });
  }

  page(roomKey: string, query: PageQuery): Promise<StoredMessage[]> {
    return this.inner.page(roomKey, query);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
