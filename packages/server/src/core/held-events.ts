import type { MessageFrame } from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import type { ChatUser } from './people.js';
import type { PageQuery } from './ports.js';

/** Events other than numbered messages held for one connection while it is replayed, at most. */
export const MAX_HELD_EVENTS = 256;

/** Messages read at a time when a connection catches up after its replay. */
const CATCH_UP_READ = 50;

/**
 * What a connection misses while it is being replayed a room or its
 * mailbox. Numbered messages are not held: the store has each of them
 * before it goes out, so the highest number that went by is all that is
 * kept, and they are read from the store once the replay is over. Other
 * events (joins, leaves, name changes) are held, up to a bound; past it
 * they are dropped, and what they said is sent again whole instead (the
 * room's member list). So a connection's memory stays bounded however long
 * its replay takes and however busy the room is.
 */
export class HeldEvents {
  /** The highest number (`seq` or `dseq`) that went by. */
  newest = 0;
  /** The highest change number (`rev`) that went by: changes are read back like messages. */
  newestRev = 0;
  readonly events: Outgoing[] = [];
  /** Events were dropped past the bound. */
  overflowed = false;

  hold(out: Outgoing, number: number | undefined, rev?: number): void {
    if (number !== undefined) {
      if (number > this.newest) this.newest = number;
    } else if (rev !== undefined) {
      if (rev > this.newestRev) this.newestRev = rev;
    } else if (this.events.length < MAX_HELD_EVENTS) this.events.push(out);
    else this.overflowed = true;
  }
}

/** How a connection catches up on the changes to a room's messages (features `reactions`, `edits`). */
export interface ChangesCatchUp {
  /** The highest `rev` the connection is up to date with. */
  last(): number;
  setLast(rev: number): void;
  /**
   * The frames (`update`) of messages changed after `rev`, a chunk at a
   * time, with their revs, and the last rev read (a message no longer kept
   * is read, not sent).
   */
  read(rev: number): Promise<{ read: number; updates: Array<{ rev: number; out: Outgoing }> }>;
}

/** How a connection catches up on one room or mailbox. */
export interface CatchUp<T> {
  user: ChatUser;
  held: HeldEvents;
  /** The highest number the connection has. */
  last(): number;
  setLast(number: number): void;
  read(query: PageQuery): Promise<T[]>;
  frameOf(stored: T): MessageFrame;
  numberOf(stored: T): number;
  /** Whether to go on (the connection is there, still in the room). */
  still(): boolean;
  /** Goes live: the held events are for the caller to send (or, overflowed, to make up for). */
  goLive(): void;
  /** The changes to catch up on too, for a connection that follows them. */
  changes?: ChangesCatchUp;
}

/**
 * After a replay: reads from the store, as live `message` frames, what
 * went by meanwhile, at the reader's pace, until nothing newer went by
 * (then the changes to messages that went by, as `update` frames); then,
 * in the same turn, goes live. Resolves with the held events, or
 * undefined when the connection went first.
 */
export async function catchUp<T>(plan: CatchUp<T>): Promise<HeldEvents | undefined> {
  const { held, user, changes } = plan;
  while (held.newest > plan.last() || (changes && held.newestRev > changes.last())) {
    if (held.newest <= plan.last()) {
      // Messages are caught up: the changes after them, read back the same way.
      if (!(await user.recipient.ready()) || !plan.still()) return undefined;
      const target = held.newestRev;
      const before = changes!.last();
      const { read, updates } = await changes!.read(before);
      if (!plan.still()) return undefined;
      let bytes = 0;
      for (const { rev, out } of updates) {
        if (rev <= changes!.last()) continue;
        changes!.setLast(rev);
        user.recipient.deliver(out);
        bytes += out.line.length;
      }
      user.recipient.spent(bytes);
      // Read past what was not sent; nothing more to read: caught up to what went by.
      changes!.setLast(Math.max(changes!.last(), read === before ? target : read));
      continue;
    }
    if (!(await user.recipient.ready()) || !plan.still()) return undefined;
    const target = held.newest;
    const stored = await plan.read({ after: plan.last(), limit: CATCH_UP_READ });
    if (!plan.still()) return undefined;
    // Trimmed from a bounded store meanwhile: there is nothing more to read.
    if (stored.length === 0) plan.setLast(Math.max(plan.last(), target));
    let bytes = 0;
    for (const message of stored) {
      const number = plan.numberOf(message);
      if (number <= plan.last()) continue;
      plan.setLast(number);
      const out = new Outgoing(plan.frameOf(message));
      user.recipient.deliver(out);
      bytes += out.line.length;
    }
    user.recipient.spent(bytes);
  }
  plan.goLive();
  return held;
}
