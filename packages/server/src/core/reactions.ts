import type { FrameError, ReactionCount, ReactionFrame, UpdateFrame } from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import type {
  ChangedMessage,
  ReactionChange,
  ReactionOutcome,
  ReactionStore,
  StoredMessage,
} from './ports.js';

/*
 * Reactions on room messages, and how a client catches up on them. A
 * change takes the room's next `rev`; live, it goes to the room as a
 * `reaction` frame (in `rev` order, as the store numbered it); a
 * connection that was away is sent, for each message changed after the
 * `rev` it had, an `update` with the message's reactions now. Messages in
 * history and replays carry their reactions. So a client sees every change
 * whether it was there or not, and applying one twice changes nothing.
 */

/** Messages whose changes are read at a time when a connection catches up on them. */
export const CHANGES_READ = 100;

/** The `reaction` frame of a change that was news. */
export function reactionFrame(
  change: ReactionChange,
  outcome: Extract<ReactionOutcome, { changed: true }>,
): ReactionFrame {
  return {
    type: 'reaction',
    room: change.room,
    id: change.id,
    seq: change.seq,
    rev: outcome.rev,
    emoji: change.emoji,
    name: change.name,
    count: outcome.count,
    ...(change.remove ? { removed: true } : {}),
  };
}

/** Why a reaction was refused, for a change that was not news because the message is full. */
export function tooManyReactions(): FrameError {
  return {
    code: 'too_many_reactions',
    message: 'that message has as many different reactions as it may: react with one it has',
  };
}

/** The messages with their reactions now, as `reader` (a folded name) sees them. */
export async function withReactions(
  store: ReactionStore,
  roomKey: string,
  messages: StoredMessage[],
  reader: string | undefined,
): Promise<StoredMessage[]> {
  if (messages.length === 0) return messages;
  const reactions = await store.reactionsOf(
    roomKey,
    messages.map((m) => m.seq),
    reader,
  );
  if (reactions.size === 0) return messages;
  return messages.map((message) => {
    const counts = reactions.get(message.seq);
    return counts ? { ...message, reactions: counts } : message;
  });
}

/**
 * The `update` frames of a room's messages changed after `rev` (a chunk,
 * in the order of their last change), as `reader` sees them; `keep`
 * chooses which of them to send.
 */
export async function updatesAfter(
  store: ReactionStore,
  room: { key: string; name: string },
  rev: number,
  reader: string | undefined,
  keep: (changed: ChangedMessage) => boolean = () => true,
): Promise<{ read: number; more: boolean; updates: Array<{ rev: number; out: Outgoing }> }> {
  const changed = await store.changedAfter(room.key, rev, CHANGES_READ);
  const wanted = changed.filter(keep);
  const reactions =
    wanted.length === 0
      ? new Map<number, ReactionCount[]>()
      : await store.reactionsOf(
          room.key,
          wanted.map((m) => m.seq),
          reader,
        );
  const updates = wanted.map((message) => {
    const frame: UpdateFrame = {
      type: 'update',
      room: room.name,
      id: message.id,
      seq: message.seq,
      rev: message.rev,
      reactions: reactions.get(message.seq) ?? [],
    };
    return { rev: message.rev, out: new Outgoing(frame) };
  });
  // The last rev read counts even when its message was not sent.
  return { read: changed.at(-1)?.rev ?? rev, more: changed.length === CHANGES_READ, updates };
}
