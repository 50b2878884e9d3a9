import type { ReactionCount } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type {
  ChangedMessage,
  ReactionChange,
  ReactionOutcome,
  ReactionStore,
} from '../core/ports.js';
import { useEntry } from '../recently-used.js';

/** Options of {@link MemoryReactions}. */
export interface MemoryReactionsOptions {
  /** Messages with reactions kept per room; past it, the one changed longest ago loses them. @default 10000 */
  maxPerRoom?: number;
  /** Rooms kept; past it, the one changed longest ago is forgotten. @default 100000 */
  maxRooms?: number;
}

interface MessageReactions {
  id: string;
  rev: number;
  /** By emoji, in the order first given: the folded names of who gave it. */
  byEmoji: Map<string, Set<string>>;
}

interface RoomReactions {
  rev: number;
  /** By seq, in the order last changed (a change moves a message to the end). */
  messages: Map<number, MessageReactions>;
}

/** Reactions in memory only (`--store memory`): gone on restart, as its messages are. */
export class MemoryReactions implements ReactionStore {
  private readonly rooms = new Map<string, RoomReactions>();
  private readonly maxPerRoom: number;
  private readonly maxRooms: number;

  constructor(options: MemoryReactionsOptions = {}) {
    this.maxPerRoom = options.maxPerRoom ?? 10_000;
    this.maxRooms = options.maxRooms ?? 100_000;
  }

  react(change: ReactionChange): Promise<ReactionOutcome> {
    const room = useEntry(this.rooms, change.roomKey, this.maxRooms, () => ({
      rev: 0,
      messages: new Map<number, MessageReactions>(),
    }));
    let message = room.messages.get(change.seq);
    const people = message?.byEmoji.get(change.emoji);
    if (change.remove ? !people?.has(change.nameKey) : people?.has(change.nameKey))
      return Promise.resolve({ changed: false });
    if (!change.remove && !people && (message?.byEmoji.size ?? 0) >= LIMITS.maxReactionKinds)
      return Promise.resolve({ changed: false, full: true });
    message ??= { id: change.id, rev: 0, byEmoji: new Map() };
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
    message.rev = ++room.rev;
    // Moved to the end: the map stays in the order of last change.
    room.messages.delete(change.seq);
    room.messages.set(change.seq, message);
    if (room.messages.size > this.maxPerRoom)
      room.messages.delete(room.messages.keys().next().value!);
    return Promise.resolve({ changed: true, rev: message.rev, count });
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
}
