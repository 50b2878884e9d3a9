import type { MessageDraft, MessagePoster, StoredMessage } from '../core/ports.js';

/** A poster that counts the messages stored, for `/metrics`. */
export class CountingPoster implements MessagePoster {
  /** Messages stored since start. */
  stored = 0;

  constructor(private readonly inner: MessagePoster) {}

  post(draft: MessageDraft): Promise<StoredMessage> {
    return this.inner.post(draft).then((message) => {
      this.stored++;
      return message;
    });
  }
}
