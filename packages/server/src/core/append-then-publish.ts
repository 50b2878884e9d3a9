import { directFrame, messageFrame } from './history-pages.js';
import { changeEvent, deletedFrame, editedFrame, reactionFrame } from './change-frames.js';
import type {
  Bus,
  DirectDraft,
  DirectPoster,
  HistoryStore,
  MessageDraft,
  MessagePoster,
  Origin,
  ChangePoster,
  ChangeStore,
  DeleteChange,
  EditChange,
  MessageChangeOutcome,
  ReactionChange,
  ReactionOutcome,
  StoredDirect,
  StoredMessage,
} from './ports.js';

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

/**
 * How one node posts direct messages: the store keeps the message in the
 * mailbox, then the bus carries it to the mailbox owner's sessions. Appends
 * resolve in call order, so each mailbox's messages go out in dseq order.
 */
export function appendThenPublishDirect(store: HistoryStore, bus: Bus): DirectPoster {
  return {
    async postDirect(
      owner: string,
      draft: DirectDraft,
      ack?: Origin,
      waitingFrom?: string,
    ): Promise<StoredDirect> {
      const stored = await store.appendDirect(owner, draft, waitingFrom);
      bus.publish({
        kind: 'direct',
        owner,
        frame: directFrame(stored),
        ...(ack === undefined ? {} : { ack }),
      });
      return stored;
    },
  };
}

/**
 * How one node changes messages: the store applies and numbers each
 * change, then the bus carries the news to the room. Changes resolve in
 * the order they were made, so the bus sees each room's changes in `rev`
 * order.
 */
export function changeThenPublish(store: ChangeStore, bus: Bus): ChangePoster {
  return {
    async react(change: ReactionChange): Promise<ReactionOutcome> {
      const outcome = await store.react(change);
      if (outcome.changed)
        bus.publish(changeEvent(change.roomKey, reactionFrame(change, outcome), outcome.rev));
      return outcome;
    },
    async edit(change: EditChange): Promise<MessageChangeOutcome> {
      const outcome = await store.edit(change);
      if (outcome.changed)
        bus.publish(changeEvent(change.roomKey, editedFrame(change, outcome.rev), outcome.rev));
      return outcome;
    },
    async remove(change: DeleteChange): Promise<MessageChangeOutcome> {
      const outcome = await store.remove(change);
      if (outcome.changed)
        bus.publish(changeEvent(change.roomKey, deletedFrame(change, outcome.rev), outcome.rev));
      return outcome;
    },
  };
}
