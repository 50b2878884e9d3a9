import type { ReactionCount } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type {
  ChangeStore,
  ChangedMessage,
  DeleteChange,
  EditChange,
  MessageChangeOutcome,
  ReactionChange,
  ReactionOutcome,
} from '../core/ports.js';
import { inMailbox } from '../core/ports.js';
import { useEntry } from '../recently-used.js';
import type { MemoryStore } from './memory-store.js';

/** Options of {@link MemoryChanges}. */
export interface MemoryChangesOptions {
  /** Changed messages remembered per room; past it, the one changed longest ago loses its reactions. */
  maxPerRoom: number;
  /** Rooms remembered; past it, the one changed longest ago is forgotten. */
  maxRooms: number;
}

/** A changed message: its id, its last change, and its reactions. */
interface ChangedState {
  id: string;
  rev: number;
  /** By emoji, in the order first given: the folded names of who gave it. */
  byEmoji: Map<string, Set<string>>;
}

interface RoomChanges {
  rev: number;
  /** By seq, in the order last changed (a change moves a message to the end). */
  messages: Map<number, ChangedState>;
}

/**
 * Changes to the messages of a {@link MemoryStore} (`--store memory`):
 * gone on restart, as its messages are. An edit or a delete puts a new
 * message object in place of the old one, so nothing keeps the old text.
 */
export class MemoryChanges implements ChangeStore {
  private readonly rooms = new Map<string, RoomChanges>();

  constructor(
    private readonly store: MemoryStore,
    private readonly options: MemoryChangesOptions,
  ) {}

  react(change: ReactionChange): Promise<ReactionOutcome> {
    const room = this.room(change.roomKey);
    const known = room.messages.get(change.seq);
    const people = known?.byEmoji.get(change.emoji);
    if (change.remove ? !people?.has(change.nameKey) : people?.has(change.nameKey))
      return Promise.resolve({ changed: false });
    if (!change.remove && !people && (known?.byEmoji.size ?? 0) >= LIMITS.maxReactionKinds)
      return Promise.resolve({ changed: false, full: true });
    const message = this.numbered(room, change.seq, change.id);
    let count: number;
    if (change.remove) {
      people!.delete(change.nameKey);
      count = people!.size;
      if (count === 0) message.byEmoji.delete(change.emoji);
    } else {
      if (people) people.add(change.nameKey);
      else message.byEmoji.set(change.emoji, new Set([change.nameKey]));
      count = message.byEmoji.get(change.emoji)!.size;
    }
    return Promise.resolve({ changed: true, rev: message.rev, count });
  }

  edit(change: EditChange): Promise<MessageChangeOutcome> {
    const mailbox = inMailbox(change);
    const message = this.store.at(change.roomKey, change.seq, mailbox);
    if (!message || message.id !== change.id || message.deletedBy !== undefined)
      return Promise.resolve({ changed: false });
    this.store.replace(
      change.roomKey,
      { ...message, text: change.text, edited: change.ts },
      mailbox,
    );
    this.store.requote(
      change.roomKey,
      change.id,
      (reply) => ({ ...reply, text: change.excerpt }),
      mailbox,
    );
    const rev = this.numbered(this.room(change.roomKey), change.seq, change.id).rev;
    return Promise.resolve({ changed: true, rev });
  }

  remove(change: DeleteChange): Promise<MessageChangeOutcome> {
    const mailbox = inMailbox(change);
    const message = this.store.at(change.roomKey, change.seq, mailbox);
    if (!message || message.id !== change.id || message.deletedBy !== undefined)
      return Promise.resolve({ changed: false });
    const { edited: _edited, ...kept } = message;
    this.store.replace(change.roomKey, { ...kept, text: '', deletedBy: change.by }, mailbox);
    this.store.requote(
      change.roomKey,
      change.id,
      (reply) => ({ ...reply, text: '', deleted: true }),
      mailbox,
    );
    const numbered = this.numbered(this.room(change.roomKey), change.seq, change.id);
    numbered.byEmoji.clear();
    return Promise.resolve({ changed: true, rev: numbered.rev });
  }

  reactionsOf(
    roomKey: string,
    seqs: readonly number[],
    reader?: string,
  ): Promise<Map<number, ReactionCount[]>> {
    const found = new Map<number, ReactionCount[]>();
    const room = this.rooms.get(roomKey);
    if (!room) return Promise.resolve(found);
    for (const seq of seqs) {
      const message = room.messages.get(seq);
      if (!message || message.byEmoji.size === 0) continue;
      found.set(
        seq,
        [...message.byEmoji].map(([emoji, people]) =>
          reader !== undefined && people.has(reader)
            ? { emoji, count: people.size, me: true }
            : { emoji, count: people.size },
        ),
      );
    }
    return Promise.resolve(found);
  }

  changedAfter(roomKey: string, rev: number, limit: number): Promise<ChangedMessage[]> {
    const changed: ChangedMessage[] = [];
    for (const [seq, message] of this.rooms.get(roomKey)?.messages ?? []) {
      if (message.rev <= rev) continue;
      changed.push({ seq, id: message.id, rev: message.rev });
      if (changed.length === limit) break;
    }
    return Promise.resolve(changed);
  }

  rev(roomKey: string): Promise<number> {
    return Promise.resolve(this.rooms.get(roomKey)?.rev ?? 0);
  }

  private room(roomKey: string): RoomChanges {
    return useEntry(this.rooms, roomKey, this.options.maxRooms, () => ({
      rev: 0,
      messages: new Map<number, ChangedState>(),
    }));
  }

  /**
   * Numbers a change of message `seq` with the room's next rev; the message
   * moves to the end of the room's changed messages (they stay in the order
   * of their last change), the one changed longest ago forgotten past the bound.
   */
  private numbered(room: RoomChanges, seq: number, id: string): ChangedState {
    const message = room.messages.get(seq) ?? { id, rev: 0, byEmoji: new Map() };
    message.rev = ++room.rev;
    room.messages.delete(seq);
    room.messages.set(seq, message);
    if (room.messages.size > this.options.maxPerRoom)
      room.messages.delete(room.messages.keys().next().value!);
    return message;
  }
}
