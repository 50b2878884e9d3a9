import type { FrameError, ReadFrame, ReadMarkersFrame } from '@confab/protocol';
import { foldName, foldRoom } from '@confab/protocol';
import { Outgoing } from './outgoing.js';
import { keepsDirects } from './owners.js';
import type { ChatUser } from './people.js';
import { wants } from './people.js';
import type { Bus, ReadMarkerStore } from './ports.js';

/** A direct conversation's place among an identity's markers: `@` and the other person's folded name. */
function conversationPlace(peer: string): string {
  return `@${foldName(peer)}`;
}

/**
 * Where each person has read up to (section 6.11): kept for their
 * identity (an account, or a guest with its key), moved forward by any of
 * their connections, told to the others at once (feature `read`) and to a
 * new one after its `welcome`, so unread counts agree on every device.
 */
export class ReadMarkers {
  constructor(
    /** None: no marker is kept (`read` changes nothing, and none is told). */
    private readonly store: ReadMarkerStore | undefined,
    private readonly bus: Bus,
  ) {}

  /** The user read a room (one they are in) or a direct conversation up to a message. */
  async read(user: ChatUser, frame: ReadFrame): Promise<FrameError | undefined> {
    let place: string;
    let moved: ReadFrame;
    if (frame.room !== undefined) {
      const membership = user.rooms.get(foldRoom(frame.room));
      if (!membership) return { code: 'not_in_room', message: `you are not in ${frame.room}` };
      place = membership.room.key;
      moved = { type: 'read', room: membership.room.name, seq: frame.seq };
    } else {
      place = conversationPlace(frame.with);
      moved = { type: 'read', with: frame.with, dseq: frame.dseq };
    }
    const owner = user.person.owner;
    // Nothing is kept for someone with no identity: no other device to tell either.
    if (!this.store || !keepsDirects(owner)) return undefined;
    const number = frame.room !== undefined ? frame.seq : frame.dseq;
    if (await this.store.advance(owner, place, number))
      this.bus.publish({ kind: 'to-person', owner, frame: moved, feature: 'read' });
    return undefined;
  }

  /** After `welcome`: where the user has read up to, for a connection that asked (feature `read`). */
  async tell(user: ChatUser): Promise<void> {
    const owner = user.person.owner;
    if (!this.store || !wants(user, 'read') || !keepsDirects(owner)) return;
    const frame: ReadMarkersFrame = { type: 'read_markers', rooms: {}, with: {} };
    for (const [place, number] of await this.store.markers(owner)) {
      if (place.startsWith('@')) frame.with[place.slice(1)] = number;
      else frame.rooms[place] = number;
    }
    user.recipient.deliver(new Outgoing(frame));
  }
}
