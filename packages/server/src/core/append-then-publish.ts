import { messageFrame } from './history-pages.js';
import type { Bus, HistoryStore, MessageDraft, MessagePoster, StoredMessage } from './ports.js';

/**
 * How one node posts room messages: the store numbers and keeps the
 * message, then the bus carries it. Appends resolve in the order they were
 * made, so the bus sees each room's messages in seq order.
 */
export function appendThenPublish(store: HistoryStore, bus: Bus): MessagePoster {
  return {
    async post(draft: MessageDraft): Promise<StoredMessage> {
      const stored = await store.append(draft);
      bus.publish({
        kind: 'room',
        roomKey: stored.roomKey,
        frame: messageFrame(stored),
        seq: stored.seq,
      });
      return stored;
    },
  };
}
