import type {
  ChangedPlace,
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
  StoredDirect,
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

/** Where a changed message is, in its frames: its room and seq, or its dseq in the reader's mailbox. */
function placeOf(change: { room?: string; seq: number }): ChangedPlace {
  return change.room === undefined ? { dseq: change.seq } : { room: change.room, seq: change.seq };
}

/** The `reaction` frame of a change that was news. */
export function reactionFrame(
  change: ReactionChange,
  outcome: Extract<ReactionOutcome, { changed: true }>,
): ReactionFrame {
  return {
    type: 'reaction',
    ...placeOf(change),
    id: change.id,
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
    ...placeOf(change),
    id: change.id,
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
    ...placeOf(change),
    id: change.id,
    rev,
    from: change.from,
    deleted_by: change.by,
  };
}

/**
 * The bus event of a change numbered `rev`: for those who follow that kind
 * of change (a `reaction` those with `reactions`, an `edited` or `deleted`
 * those with `edits`) among the room's members, or the mailbox's owner's
 * connections (`roomKey` is then the owner).
 */
export function changeEvent(
  roomKey: string,
  frame: ReactionFrame | EditedFrame | DeletedFrame,
  rev: number,
): BusEvent {
  const feature = frame.type === 'reaction' ? 'reactions' : 'edits';
  return frame.room === undefined
    ? { kind: 'direct-change', owner: roomKey, frame, rev, feature }
    : { kind: 'room', roomKey, frame, rev, feature };
}

/** Why a reaction was refused, for a change that was not news because the message is full. */
export function tooManyReactions(): FrameError {
  return {
    code: 'too_many_reactions',
    message: 'that message has as many different reactions as it may: react with one it has',
  };
}

/** A kept message of a room or a mailbox, as changes see it. */
type Changeable = StoredMessage | StoredDirect;

/** A kept message's number where it is kept: its seq, or its dseq. */
function numberOf(message: Changeable): number {
  return 'dseq' in message ? message.dseq : message.seq;
}

/**
 * The messages of a room (or a mailbox: `key` its owner) with their
 * reactions now, as `reader` (a folded name; in a mailbox, an identity) sees them.
 */
export async function withReactions<T extends Changeable>(
  changes: ChangeStore,
  key: string,
  messages: T[],
  reader: string | undefined,
): Promise<T[]> {
  // A deleted message has no reactions left to read.
  const seqs = messages.filter((m) => m.deletedBy === undefined).map(numberOf);
  if (seqs.length === 0) return messages;
  const reactions = await changes.reactionsOf(key, seqs, reader);
  if (reactions.size === 0) return messages;
  return messages.map((message) => {
    const counts = reactions.get(numberOf(message));
    return counts ? { ...message, reactions: counts } : message;
  });
}

/** The `update` frame of a message as it is now, changed last at `rev`. */
function updateFrame(
  place: { room?: string },
  changed: ChangedMessage,
  message: Changeable,
  reactions: ReactionCount[],
): UpdateFrame {
  const frame: UpdateFrame = {
    type: 'update',
    ...placeOf({ room: place.room, seq: changed.seq }),
    id: changed.id,
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
 * Where changed messages are kept: a room (`key`, spelled `name`), or a
 * mailbox (`key` its owner, no `name`).
 */
export interface ChangePlace {
  key: string;
  name?: string;
}

/**
 * The `update` frames of a room's (or a mailbox's) messages changed after
 * `rev` (a chunk, in the order of their last change), as `reader` sees
 * them; `keep` chooses which of them to send. A message no longer kept is
 * left out.
 */
export async function updatesAfter(
  stores: { store: HistoryStore; changes: ChangeStore },
  place: ChangePlace,
  rev: number,
  reader: string | undefined,
  keep: (changed: ChangedMessage) => boolean = () => true,
): Promise<{ read: number; more: boolean; updates: Array<{ rev: number; out: Outgoing }> }> {
  const { store, changes } = stores;
  const changed = await changes.changedAfter(place.key, rev, CHANGES_READ);
  const wanted = changed.filter(keep);
  const find = (id: string): Promise<Changeable | undefined> =>
    place.name === undefined ? store.findDirect(place.key, id) : store.find(place.key, id);
  const [messages, reactions] = await Promise.all([
    Promise.all(wanted.map((m) => find(m.id))),
    wanted.length === 0
      ? new Map<number, ReactionCount[]>()
      : changes.reactionsOf(
          place.key,
          wanted.map((m) => m.seq),
          reader,
        ),
  ]);
  const updates: Array<{ rev: number; out: Outgoing }> = [];
  wanted.forEach((message, i) => {
    const stored = messages[i];
    if (!stored) return;
    const frame = updateFrame(
      { room: place.name },
      message,
      stored,
      reactions.get(message.seq) ?? [],
    );
    updates.push({ rev: message.rev, out: new Outgoing(frame) });
  });
  // The last rev read counts even when its message was not sent.
  return { read: changed.at(-1)?.rev ?? rev, more: changed.length === CHANGES_READ, updates };
}
