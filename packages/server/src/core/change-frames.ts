import type {
  DeletedFrame,
  EditedFrame,
  FrameError,
  ReactionCount,
  ReactionFrame,
  UpdateFrame,
} from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import type {
  BusEvent,
  ChangeStore,
  ChangedMessage,
  DeleteChange,
  EditChange,
  HistoryStore,
  ReactionChange,
  ReactionOutcome,
  StoredMessage,
} from './ports.js';

/*
 * Changes to room messages (reactions, edits, deletes), as frames, and how
 * a client catches up on them. A change takes the room's next `rev`; live,
 * it goes to the room as a `reaction`, `edited` or `deleted` frame (in
 * `rev` order, as the store numbered it); a connection that was away is
 * sent, for each message changed after the `rev` it had, an `update` with
 * the message as it is now. Messages in history and replays carry their
 * state. So a client sees every change whether it was there or not, and
 * applying one twice changes nothing.
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

/** The `edited` frame of an edit numbered `rev`. */
export function editedFrame(change: EditChange, rev: number): EditedFrame {
  return {
    type: 'edited',
    room: change.room,
    id: change.id,
    seq: change.seq,
    rev,
    from: change.from,
    text: change.text,
    edited: change.ts,
  };
}

/** The `deleted` frame of a delete numbered `rev`. */
export function deletedFrame(change: DeleteChange, rev: number): DeletedFrame {
  return {
    type: 'deleted',
    room: change.room,
    id: change.id,
    seq: change.seq,
    rev,
    from: change.from,
    deleted_by: change.by,
  };
}

/**
 * The bus event of a change numbered `rev`: for the room's members who
 * follow that kind of change (a `reaction` those with `reactions`, an
 * `edited` or `deleted` those with `edits`).
 */
export function changeEvent(
  roomKey: string,
  frame: ReactionFrame | EditedFrame | DeletedFrame,
  rev: number,
): BusEvent {
  const feature = frame.type === 'reaction' ? 'reactions' : 'edits';
  return { kind: 'room', roomKey, frame, rev, feature };
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
  changes: ChangeStore,
  roomKey: string,
  messages: StoredMessage[],
  reader: string | undefined,
): Promise<StoredMessage[]> {
  // A deleted message has no reactions left to read.
  const seqs = messages.filter((m) => m.deletedBy === undefined).map((m) => m.seq);
  if (seqs.length === 0) return messages;
  const reactions = await changes.reactionsOf(roomKey, seqs, reader);
  if (reactions.size === 0) return messages;
  return messages.map((message) => {
    const counts = reactions.get(message.seq);
    return counts ? { ...message, reactions: counts } : message;
  });
}

/** The `update` frame of a message as it is now, changed last at `rev`. */
function updateFrame(
  room: string,
  changed: ChangedMessage,
  message: StoredMessage,
  reactions: ReactionCount[],
): UpdateFrame {
  const frame: UpdateFrame = {
    type: 'update',
    room,
    id: changed.id,
    seq: changed.seq,
    rev: changed.rev,
    from: message.from,
    reactions,
  };
  if (message.deletedBy !== undefined) {
    frame.deleted = true;
    frame.deleted_by = message.deletedBy;
    frame.reactions = [];
  } else if (message.edited !== undefined) {
    frame.text = message.text;
    frame.edited = message.edited;
  }
  return frame;
}

/**
 * The `update` frames of a room's messages changed after `rev` (a chunk,
 * in the order of their last change), as `reader` sees them; `keep`
 * chooses which of them to send. A message no longer kept is left out.
 */
export async function updatesAfter(
  stores: { store: HistoryStore; changes: ChangeStore },
  room: { key: string; name: string },
  rev: number,
  reader: string | undefined,
  keep: (changed: ChangedMessage) => boolean = () => true,
): Promise<{ read: number; more: boolean; updates: Array<{ rev: number; out: Outgoing }> }> {
  const { store, changes } = stores;
  const changed = await changes.changedAfter(room.key, rev, CHANGES_READ);
  const wanted = changed.filter(keep);
  const [messages, reactions] = await Promise.all([
    Promise.all(wanted.map((m) => store.find(room.key, m.id))),
    wanted.length === 0
      ? new Map<number, ReactionCount[]>()
      : changes.reactionsOf(
          room.key,
          wanted.map((m) => m.seq),
          reader,
        ),
  ]);
  const updates: Array<{ rev: number; out: Outgoing }> = [];
  wanted.forEach((message, i) => {
    const stored = messages[i];
    if (!stored) return;
    const frame = updateFrame(room.name, message, stored, reactions.get(message.seq) ?? []);
    updates.push({ rev: message.rev, out: new Outgoing(frame) });
  });
  // The last rev read counts even when its message was not sent.
  return { read: changed.at(-1)?.rev ?? rev, more: changed.length === CHANGES_READ, updates };
}
