import type { FrameError } from '@confab/protocol';
import { replyExcerpt } from '@confab/protocol';
import { tooManyReactions } from './change-frames.js';
import { keepsDirects } from './owners.js';
import type { ChatUser } from './people.js';
import type { ChangePoster, Clock, HistoryStore, StoredDirect } from './ports.js';

/** What the requests to change direct messages need of the rest of the chat. */
export interface DirectChangesContext {
  store: HistoryStore;
  poster: ChangePoster;
  clock: Clock;
}

function noSuchMessage(id: string, what: string): FrameError {
  return {
    code: 'no_such_message',
    message: `there is no direct message ${id} of yours to ${what}`,
  };
}

/** A copy of a direct message in one mailbox. */
interface Copy {
  owner: string;
  message: StoredDirect;
}

/**
 * The requests that change direct messages after they were sent (`dm:
 * true`): a reaction given or taken back, an edit, a delete. A direct
 * message has a copy in the mailbox at each end that keeps one; the
 * request finds the asker's own (one indexed read), checks who may do it,
 * and the change is made to each copy, numbered in each mailbox and
 * published to its owner's connections. Either end may react; only the
 * sender (the identity that sent it) may edit or delete, for both ends.
 */
export class DirectChanges {
  constructor(private readonly context: DirectChangesContext) {}

  async react(
    user: ChatUser,
    frame: { id: string; emoji: string; remove?: boolean },
  ): Promise<FrameError | undefined> {
    const copies = await this.copies(user, frame.id);
    if (!copies) return noSuchMessage(frame.id, 'react to');
    const [own, ...other] = copies;
    const change = (copy: Copy) => ({
      roomKey: copy.owner,
      seq: copy.message.dseq,
      id: frame.id,
      emoji: frame.emoji,
      nameKey: user.person.owner,
      name: user.name,
      remove: frame.remove === true,
    });
    const outcome = await this.context.poster.react(change(own!));
    if (!outcome.changed) return outcome.full ? tooManyReactions() : undefined;
    for (const copy of other) await this.context.poster.react(change(copy));
    return undefined;
  }

  async edit(user: ChatUser, frame: { id: string; text: string }): Promise<FrameError | undefined> {
    const copies = await this.copies(user, frame.id);
    if (!copies) return noSuchMessage(frame.id, 'edit');
    if (!sentBy(copies[0]!.message, user))
      return { code: 'not_allowed', message: 'you may edit only your own messages' };
    const ts = this.context.clock.now();
    let changed = false;
    for (const { owner, message } of copies) {
      const outcome = await this.context.poster.edit({
        roomKey: owner,
        seq: message.dseq,
        id: message.id,
        from: message.from,
        text: frame.text,
        ts,
        excerpt: replyExcerpt({ ...message, text: frame.text }).text,
      });
      changed ||= outcome.changed;
    }
    return changed ? undefined : noSuchMessage(frame.id, 'edit');
  }

  async remove(user: ChatUser, frame: { id: string }): Promise<FrameError | undefined> {
    const copies = await this.copies(user, frame.id);
    if (!copies) return noSuchMessage(frame.id, 'delete');
    if (!sentBy(copies[0]!.message, user))
      return { code: 'not_allowed', message: 'you may delete only your own direct messages' };
    const ts = this.context.clock.now();
    let changed = false;
    for (const { owner, message } of copies) {
      const outcome = await this.context.poster.remove({
        roomKey: owner,
        seq: message.dseq,
        id: message.id,
        from: message.from,
        by: user.name,
        ts,
      });
      changed ||= outcome.changed;
    }
    return changed ? undefined : noSuchMessage(frame.id, 'delete');
  }

  /**
   * The copies of direct message `id` to change: the asker's own first
   * (undefined when they keep none such, or it was deleted), then the
   * other end's, when that end keeps it still.
   */
  private async copies(user: ChatUser, id: string): Promise<Copy[] | undefined> {
    const owner = user.person.owner;
    if (!keepsDirects(owner)) return undefined;
    const { store } = this.context;
    const own = await store.findDirect(owner, id);
    if (!own || own.deletedBy !== undefined) return undefined;
    const copies: Copy[] = [{ owner, message: own }];
    const peer = own.fromIdentity === owner ? own.toIdentity : own.fromIdentity;
    if (peer !== undefined && peer !== owner && keepsDirects(peer)) {
      const theirs = await store.findDirect(peer, id);
      if (theirs && theirs.deletedBy === undefined) copies.push({ owner: peer, message: theirs });
    }
    return copies;
  }
}

/** Whether `user` sent this direct message (as the identity it is now). */
function sentBy(message: StoredDirect, user: ChatUser): boolean {
  return message.fromIdentity !== undefined && message.fromIdentity === user.person.owner;
}
