import type { FrameError } from '@confab/protocol';
import { foldRoom, replyExcerpt } from '@confab/protocol';
import { tooManyReactions } from './change-frames.js';
import type { ChatUser, Membership } from './people.js';
import { actorOf } from './people.js';
import type { ChangePoster, Clock, HistoryStore, StoredMessage } from './ports.js';

/** What the requests to change messages need of the rest of the chat. */
export interface MessageChangesContext {
  store: HistoryStore;
  poster: ChangePoster;
  clock: Clock;
  /** Whether the membership is still the connection's place in its room (it may leave while a read awaits). */
  isMember: (membership: Membership) => boolean;
}

function notIn(room: string): FrameError {
  return { code: 'not_in_room', message: `you are not in ${room}` };
}

function noSuchMessage(id: string, room: string, what: string): FrameError {
  return { code: 'no_such_message', message: `there is no message ${id} in ${room} to ${what}` };
}

/**
 * The requests that change a room's messages after they were sent: a
 * reaction given or taken back, an edit, a delete. Each finds the message
 * (one indexed read), checks who may do it, and has the change poster
 * apply, number and publish it; the room hears it in `rev` order.
 */
export class MessageChanges {
  constructor(private readonly context: MessageChangesContext) {}

  /**
   * Puts a reaction on a message of the room, or takes it back. The message
   * must be one the room keeps, not deleted; a person has each emoji on a
   * message once, and a message carries at most `LIMITS.maxReactionKinds`
   * different ones. What is not news (a reaction one had already) changes
   * nothing and is not answered.
   */
  async react(
    user: ChatUser,
    room: string,
    frame: { id: string; emoji: string; remove?: boolean },
  ): Promise<FrameError | undefined> {
    const found = await this.message(user, room, frame.id, 'react to');
    if ('code' in found) return found;
    const { membership, message } = found;
    const outcome = await this.context.poster.react({
      roomKey: membership.room.key,
      room: membership.room.name,
      seq: message.seq,
      id: message.id,
      emoji: frame.emoji,
      nameKey: user.key,
      name: user.name,
      remove: frame.remove === true,
    });
    return !outcome.changed && outcome.full ? tooManyReactions() : undefined;
  }

  /** Replaces the text of a message of the room; only the identity that sent it may. */
  async edit(
    user: ChatUser,
    room: string,
    frame: { id: string; text: string },
  ): Promise<FrameError | undefined> {
    const found = await this.message(user, room, frame.id, 'edit');
    if ('code' in found) return found;
    const { membership, message } = found;
    if (message.owner === undefined || message.owner !== user.person.owner)
      return { code: 'not_allowed', message: 'you may edit only your own messages' };
    const outcome = await this.context.poster.edit({
      roomKey: membership.room.key,
      room: membership.room.name,
      seq: message.seq,
      id: message.id,
      from: message.from,
      text: frame.text,
      ts: this.context.clock.now(),
      excerpt: replyExcerpt({ ...message, text: frame.text }).text,
    });
    return outcome.changed ? undefined : noSuchMessage(frame.id, membership.room.name, 'edit');
  }

  /**
   * Deletes a message of the room: its sender may, and so may the room's
   * owner and moderators and the server's operators. Its text is erased
   * from the store; the room keeps a tombstone in its place.
   */
  async remove(
    user: ChatUser,
    room: string,
    frame: { id: string },
  ): Promise<FrameError | undefined> {
    const found = await this.message(user, room, frame.id, 'delete');
    if ('code' in found) return found;
    const { membership, message } = found;
    const own = message.owner !== undefined && message.owner === user.person.owner;
    if (!own && !membership.room.rules.moderates(actorOf(user)))
      return {
        code: 'not_allowed',
        message: `you may delete only your own messages in ${membership.room.name}`,
      };
    const outcome = await this.context.poster.remove({
      roomKey: membership.room.key,
      room: membership.room.name,
      seq: message.seq,
      id: message.id,
      from: message.from,
      by: user.name,
      ts: this.context.clock.now(),
    });
    return outcome.changed ? undefined : noSuchMessage(frame.id, membership.room.name, 'delete');
  }

  /** The message `id` of a room the user is in, not deleted; or why not. */
  private async message(
    user: ChatUser,
    roomName: string,
    id: string,
    what: string,
  ): Promise<{ membership: Membership; message: StoredMessage } | FrameError> {
    const membership = user.rooms.get(foldRoom(roomName));
    if (!membership) return notIn(roomName);
    const message = await this.context.store.find(membership.room.key, id);
    if (!this.context.isMember(membership)) return notIn(roomName);
    if (!message || message.deletedBy !== undefined)
      return noSuchMessage(id, membership.room.name, what);
    return { membership, message };
  }
}
