import type { FoundMessage, StoredDirect, StoredMessage } from '../core/ports.js';

/** A kept message of a room or a mailbox as a search found it, at `position` in the index's order. */
export function foundOf(message: StoredMessage | StoredDirect, position: number): FoundMessage {
  const found: FoundMessage = {
    position,
    id: message.id,
    from: message.from,
    ts: message.ts,
    text: message.text,
  };
  if ('dseq' in message) found.direct = { to: message.to, dseq: message.dseq };
  else found.room = { key: message.roomKey, name: message.room, seq: message.seq };
  return found;
}
