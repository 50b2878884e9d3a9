import type {
  AckFrame,
  ErrorCode,
  FrameError,
  JoinedFrame,
  LeaveReason,
  LeftFrame,
  MessageFrame,
  ResumeMap,
  ServerFrame,
} from '@confab/protocol';
import {
  ConfabError,
  DEFAULT_ROOM,
  LIMITS,
  PROTOCOL_VERSION,
  QUIT_WORD,
  foldName,
  foldRoom,
} from '@confab/protocol';
import { appendThenPublish, appendThenPublishDirect } from './append-then-publish.js';
import {
  dmHistoryFrame,
  fitDirectPage,
  fitHistoryPage,
  historyFrame,
  messageFrame,
} from './history-pages.js';
import { keepsDirects, sessionOwner } from './owners.js';
import { Outgoing } from './outgoing.js';
import type { Recipient } from './outgoing.js';
import type {
  Bus,
  BusEvent,
  Clock,
  DirectDraft,
  DirectPoster,
  Directory,
  HistoryStore,
  IdSource,
  MessagePoster,
  NameHolder,
  Origin,
  StoredMessage,
} from './ports.js';

/** Options of the chat core. */
export interface ChatCoreOptions {
  /** This node's id, unique in a cluster. */
  node: string;
  /** Sent in `welcome.server`, e.g. `confab/0.1.0`. */
  serverName: string;
  store: HistoryStore;
  bus: Bus;
  directory: Directory;
  /** How room messages are stored and published. @default append to `store`, then publish on `bus` */
  poster?: MessagePoster;
  /** How direct messages are kept in mailboxes and published. @default append to `store`, then publish on `bus` */
  directPoster?: DirectPoster;
  clock: Clock;
  ids: IdSource;
  /** Largest frame the server sends; history pages are cut to fit. @default 65536 */
  maxFrameBytes?: number;
  /** Room events held for a member while its replay is read; past it the member is dropped. @default 10000 */
  maxReplayBuffer?: number;
  /** Called when a member overflows its replay buffer: the session must end (slow consumer). */
  onOverflow?: (sessionId: number) => void;
}

/** A user registered on this node. */
export interface ChatUser {
  /** Folded name: the registry key. */
  key: string;
  /** Display name (NFC). */
  name: string;
  /** The identity whose mailbox holds this user's direct messages (see `owners.ts`). */
  readonly owner: string;
  readonly recipient: Recipient;
  /** Highest `dseq` this user was sent: a kept direct message at or below it is a duplicate. */
  lastDseq: number;
  /** Direct messages held while the user's mailbox is being replayed; undefined once live. */
  directBuffer: Array<{ out: Outgoing; dseq: number | undefined }> | undefined;
  /** Rooms by folded name. */
  readonly rooms: Map<string, Membership>;
  /** Messages sent but not yet answered (ack or error). */
  unanswered: number;
  /** Called when `unanswered` drops to 0. */
  onSettled: (() => void) | undefined;
}

/** A user's place in a room on this node. */
interface Membership {
  readonly user: ChatUser;
  readonly room: LocalRoom;
  /** Highest `seq` this member was sent: a message at or below it is a duplicate. */
  lastSeq: number;
  /** Room events held while the member's replay is being read; undefined once live. */
  buffer: Array<{ out: Outgoing; seq: number | undefined }> | undefined;
}

/** A room with members on this node. */
interface LocalRoom {
  readonly key: string;
  /** The spelling used in frames (that of the first join on this node). */
  readonly name: string;
  readonly members: Map<string, Membership>;
}

function refusal(code: ErrorCode, message: string): FrameError {
  return { code, message };
}

/** Messages replayed per page on resume. */
const RESUME_PAGE = LIMITS.maxHistoryLimit;

/** What identifies a registering user beyond the name. */
export interface Identity {
  /** The identity the user came with (a guest key's mailbox); none: nothing is kept for them. */
  owner?: string;
  /** The last kept direct message the client has seen: the replay gives every one after it. */
  dseq?: number;
}

/**
 * The chat: names, rooms, membership, fan-out, history. It knows nothing of
 * sockets: sessions call it, it answers through each user's `Recipient`, and
 * it reaches history, fan-out and presence only through its ports.
 */
export class ChatCore {
  private readonly users = new Map<string, ChatUser>();
  private readonly sessions = new Map<number, ChatUser>();
  /** This node's users by identity: where a direct message for that identity goes. */
  private readonly owners = new Map<string, Set<ChatUser>>();
  private readonly directPoster: DirectPoster;
  private readonly rooms = new Map<string, LocalRoom>();
  /** Room messages of this node's users, by id, until the bus brings them back: then the ack. */
  private readonly unechoed = new Map<string, Origin>();
  private readonly poster: MessagePoster;
  private readonly maxFrameBytes: number;
  private readonly maxReplayBuffer: number;

  constructor(private readonly options: ChatCoreOptions) {
    this.maxFrameBytes = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
    this.maxReplayBuffer = options.maxReplayBuffer ?? 10_000;
    this.poster = options.poster ?? appendThenPublish(options.store, options.bus);
    this.directPoster = options.directPoster ?? appendThenPublishDirect(options.store, options.bus);
    options.bus.subscribe((event) => this.onBusEvent(event));
  }

  /** Users registered on this node. */
  get userCount(): number {
    return this.users.size;
  }

  /** Rooms with members on this node. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /**
   * Registers a user: claims the name, sends `welcome`, and joins `#general`
   * and every room in `resume` (replaying what was missed there). Returns the
   * user, or the refusal to send (the connection stays open for a retry).
   */
  async register(
    recipient: Recipient,
    name: string,
    resume?: ResumeMap,
    identity: Identity = {},
  ): Promise<ChatUser | FrameError> {
    const key = foldName(name);
    const owner = identity.owner ?? sessionOwner(this.options.node, recipient.sessionId);
    if (this.users.has(key)) return refusal('name_taken', `the name ${name} is taken`);
    if (!(await this.options.directory.claim(key, name, owner))) {
      return refusal('name_taken', `the name ${name} is taken`);
    }
    const kept = keepsDirects(owner);
    const user: ChatUser = {
      key,
      name,
      owner,
      recipient,
      rooms: new Map(),
      unanswered: 0,
      onSettled: undefined,
      lastDseq: 0,
      // Direct messages wait until the mailbox has been replayed (after the rooms).
      directBuffer: kept ? [] : undefined,
    };
    this.users.set(key, user);
    this.sessions.set(recipient.sessionId, user);
    this.ownerIndex(owner, user, true);

    const wanted = new Map<string, string>([[foldRoom(DEFAULT_ROOM), DEFAULT_ROOM]]);
    for (const room of Object.keys(resume ?? {}))
      if (!wanted.has(foldRoom(room))) wanted.set(foldRoom(room), room);
    const roomNames = [...wanted].map(([roomKey, room]) => this.rooms.get(roomKey)?.name ?? room);
    this.send(user, {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      name,
      text: `Welcome ${name}: if you want to leave the chat, write ${QUIT_WORD}`,
      rooms: roomNames,
      server: this.options.serverName,
    });
    for (const room of roomNames) {
      const resumeAfter = resume ? findResume(resume, room) : undefined;
      try {
        await this.join(user, room, resumeAfter);
      } catch (error) {
        // Welcomed, so registered: a room the cluster cannot record now is
        // left out and the user told, rather than the session half made.
        const { code } = ConfabError.from(error);
        if (code !== 'unavailable') throw error;
        this.send(user, {
          type: 'error',
          code,
          message: `cannot join ${room} right now; /join it again in a moment`,
        });
      }
    }
    if (kept) {
      try {
        if (identity.dseq === undefined) await this.replayLatestDirects(user);
        else await this.replayDirectsAfter(user, identity.dseq);
      } finally {
        this.directsLive(user);
      }
    }
    return user;
  }

  /** Whether a user is still registered (a session may end while a call awaits). */
  isRegistered(user: ChatUser): boolean {
    return this.users.get(user.key) === user;
  }

  /**
   * Joins a room: `joined` to every member (the joiner first), then `names`
   * and the replay to the joiner: the last 50 messages, or with
   * `resumeAfter`, every message after that seq. Room events that arrive
   * meanwhile wait in the member's buffer, so nothing is lost or doubled.
   */
  async join(user: ChatUser, roomName: string, resumeAfter?: number): Promise<void> {
    const roomKey = foldRoom(roomName);
    const existing = user.rooms.get(roomKey);
    if (existing) {
      await this.sendNames(user, existing.room);
      await this.replayLatest(user, existing.room);
      return;
    }
    let room = this.rooms.get(roomKey);
    if (!room) {
      room = { key: roomKey, name: roomName, members: new Map() };
      this.rooms.set(roomKey, room);
    }
    const membership: Membership = { user, room, lastSeq: 0, buffer: [] };
    room.members.set(user.key, membership);
    user.rooms.set(roomKey, membership);
    // The directory first: a join it cannot record (the cluster is out of
    // reach) is refused whole, not half made.
    try {
      await this.options.directory.addMember({
        roomKey,
        room: room.name,
        nameKey: user.key,
        name: user.name,
      });
    } catch (error) {
      this.removeMembership(membership);
      throw error;
    }
    const joined: JoinedFrame = {
      type: 'joined',
      room: room.name,
      name: user.name,
      ts: this.options.clock.now(),
    };
    this.send(user, joined);
    this.options.bus.publish({ kind: 'room', roomKey, frame: joined, except: user.key });
    try {
      await this.sendNames(user, room);
      if (resumeAfter === undefined) membership.lastSeq = await this.replayLatest(user, room);
      else membership.lastSeq = await this.replayAfter(user, room, resumeAfter);
    } finally {
      this.goLive(membership);
    }
  }

  /** Leaves one room: `left` (reason `part`) to every member, the one leaving first. */
  async part(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const roomKey = foldRoom(roomName);
    const membership = user.rooms.get(roomKey);
    if (!membership) return refusal('not_in_room', `you are not in ${roomName}`);
    const left = this.leftFrame(membership.room, user, 'part');
    this.send(user, left);
    this.removeMembership(membership);
    this.options.bus.publish({ kind: 'room', roomKey, frame: left });
    await this.options.directory.removeMember(roomKey, user.key);
    return undefined;
  }

  /**
   * Posts a room message. The store numbers and keeps it; only then is it
   * sent to the room, and the `ack` goes out when the message comes back
   * from the bus, after the sender's copy.
   */
  say(
    user: ChatUser,
    roomName: string,
    text: string,
    action: boolean,
    ref: string | undefined,
  ): FrameError | undefined {
    const roomKey = foldRoom(roomName);
    const membership = user.rooms.get(roomKey);
    if (!membership) return refusal('not_in_room', `you are not in ${roomName}; /join it first`);
    const id = this.options.ids.next();
    const origin = this.origin(user, ref);
    user.unanswered++;
    this.unechoed.set(id, origin);
    this.poster
      .post({
        id,
        roomKey,
        room: membership.room.name,
        from: user.name,
        text,
        ts: this.options.clock.now(),
        action,
      })
      .catch((error: unknown) => this.answerFailure(user, id, error));
    return undefined;
  }

  /**
   * Sends a direct message to one online user; both ends get the `message`,
   * the sender's copy before the `ack`. Each end with an identity keeps its
   * copy in its mailbox (numbered `dseq`) first; someone without one is
   * handed the message by the node that holds them.
   */
  async dm(
    user: ChatUser,
    to: string,
    text: string,
    action: boolean,
    ref: string | undefined,
  ): Promise<FrameError | undefined> {
    const target = await this.holder(foldName(to));
    if (target === undefined) return refusal('no_such_user', `no one called ${to} is online`);
    const draft: DirectDraft = {
      id: this.options.ids.next(),
      from: user.name,
      to: target.name,
      text,
      ts: this.options.clock.now(),
      action,
    };
    const origin = this.origin(user, ref);
    user.unanswered++;
    if (target.owner !== user.owner && !keepsDirects(target.owner)) {
      this.options.bus.publish({
        kind: 'handover',
        owner: target.owner,
        node: target.node,
        frame: plainDirectFrame(draft),
        origin,
      });
      return undefined;
    }
    try {
      if (target.owner !== user.owner) await this.directPoster.postDirect(target.owner, draft);
      await this.sendOwnCopy(user, draft, origin);
    } catch (error) {
      this.answerError(origin, error, 'the message could not be sent');
    }
    return undefined;
  }

  /** The sender's own copy of a direct message, then the ack: kept in its mailbox first if it has one. */
  private async sendOwnCopy(user: ChatUser, draft: DirectDraft, origin: Origin): Promise<void> {
    if (keepsDirects(user.owner)) {
      // Acked when the copy comes back from the bus (deliverToOwner).
      await this.directPoster.postDirect(user.owner, draft, origin);
      return;
    }
    const frame = plainDirectFrame(draft);
    this.deliverDirect(user, new Outgoing(frame), undefined);
    this.acknowledge(origin, frame);
  }

  /** Who holds a name: a user of this node, or whoever the directory knows. */
  private async holder(nameKey: string): Promise<NameHolder | undefined> {
    const local = this.users.get(nameKey);
    if (local) return { name: local.name, node: this.options.node, owner: local.owner };
    return this.options.directory.holder(nameKey);
  }

  /** Changes a user's name; `nick` goes to the user and everyone sharing a room. */
  async nick(user: ChatUser, name: string): Promise<FrameError | undefined> {
    const newKey = foldName(name);
    const old = user.name;
    const oldKey = user.key;
    if (newKey !== oldKey) {
      if (
        this.users.has(newKey) ||
        !(await this.options.directory.claim(newKey, name, user.owner))
      ) {
        return refusal('name_taken', `the name ${name} is taken`);
      }
      if (!this.isRegistered(user)) {
        await this.options.directory.release(newKey);
        return undefined;
      }
    }
    if (name === old) return undefined;
    this.users.delete(oldKey);
    user.key = newKey;
    user.name = name;
    this.users.set(newKey, user);
    const roomKeys = [...user.rooms.keys()];
    for (const membership of user.rooms.values()) {
      membership.room.members.delete(oldKey);
      membership.room.members.set(newKey, membership);
    }
    // The directory first: whoever hears of the nick and asks `who`, or
    // takes the old name, finds the change made.
    if (newKey !== oldKey) await this.options.directory.release(oldKey);
    for (const membership of user.rooms.values()) {
      const room = membership.room;
      await this.options.directory.removeMember(room.key, oldKey);
      await this.options.directory.addMember({
        roomKey: room.key,
        room: room.name,
        nameKey: newKey,
        name,
      });
    }
    this.options.bus.publish({ kind: 'nick', oldKey, old, name, roomKeys });
    return undefined;
  }

  /** Answers `who` with the room's `names`. */
  async who(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const membership = user.rooms.get(foldRoom(roomName));
    if (!membership) return refusal('not_in_room', `you are not in ${roomName}`);
    await this.sendNames(user, membership.room);
    return undefined;
  }

  /** Answers `history`: a page of messages before `before` (or the newest). */
  async history(
    user: ChatUser,
    roomName: string,
    before: number | undefined,
    limit: number,
  ): Promise<FrameError | undefined> {
    const membership = user.rooms.get(foldRoom(roomName));
    if (!membership) return refusal('not_in_room', `you are not in ${roomName}`);
    await this.replayPage(user, membership.room, before, limit);
    return undefined;
  }

  /** Resolves once every message the user sent has been answered (ack or error). */
  settled(user: ChatUser): Promise<void> {
    if (user.unanswered === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = user.onSettled;
      user.onSettled = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * Removes a user from the chat: out of every room (the other members get
   * `left` with `reason`, unless `announce` is false; the user does not)
   * and its name freed.
   */
  async leave(user: ChatUser, reason: LeaveReason, announce = true): Promise<void> {
    if (!this.isRegistered(user)) return;
    this.users.delete(user.key);
    this.sessions.delete(user.recipient.sessionId);
    this.ownerIndex(user.owner, user, false);
    const memberships = [...user.rooms.values()];
    for (const membership of memberships) {
      this.removeMembership(membership);
      if (!announce) continue;
      this.options.bus.publish({
        kind: 'room',
        roomKey: membership.room.key,
        frame: this.leftFrame(membership.room, user, reason),
      });
    }
    for (const membership of memberships)
      await this.options.directory.removeMember(membership.room.key, user.key);
    await this.options.directory.release(user.key);
  }

  // --- Fan-out -------------------------------------------------------------

  private onBusEvent(event: BusEvent): void {
    switch (event.kind) {
      case 'room':
        this.deliverToRoom(event.roomKey, new Outgoing(event.frame), event.seq, event.except);
        if (event.frame.type === 'message') this.echoed(event.frame);
        break;
      case 'direct':
        this.deliverToOwner(event.owner, event.frame, event.ack);
        break;
      case 'handover':
        if (event.node === this.options.node) this.handOver(event.owner, event.frame, event.origin);
        break;
      case 'nick':
        this.deliverNick(event);
        break;
      case 'reply':
        this.deliverReply(event.origin, event.frame);
        break;
      case 'resync':
        void this.catchUp();
        break;
    }
  }

  /** A room message came back from the bus: if one of this node's users sent it, the ack. */
  private echoed(frame: MessageFrame): void {
    const origin = this.unechoed.get(frame.id);
    if (origin === undefined) return;
    this.unechoed.delete(frame.id);
    this.acknowledge(origin, frame);
  }

  /**
   * After a break in the bus: every room's live members hold new events (as
   * on a join) while the messages after the oldest one they have are read
   * from the store and sent to whoever lacks them; then they go live.
   */
  private async catchUp(): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      const live = [...room.members.values()].filter((membership) => !membership.buffer);
      if (live.length === 0) continue;
      for (const membership of live) membership.buffer = [];
      try {
        let after = Math.min(...live.map((membership) => membership.lastSeq));
        for (;;) {
          const stored = await this.options.store.page(room.key, { after, limit: RESUME_PAGE });
          for (const message of stored) this.deliverCaughtUp(live, message);
          after = stored.at(-1)?.seq ?? after;
          if (stored.length < RESUME_PAGE) break;
        }
      } catch {
        // The store is out of reach too: what is stored comes with the next resync or resume.
      } finally {
        for (const membership of live) this.goLive(membership);
      }
    }
  }

  private deliverCaughtUp(members: Membership[], message: StoredMessage): void {
    const frame = messageFrame(message);
    const out = new Outgoing(frame);
    for (const membership of members) {
      if (message.seq <= membership.lastSeq) continue;
      membership.lastSeq = message.seq;
      membership.user.recipient.deliver(out);
    }
    this.echoed(frame);
  }

  private deliverToRoom(
    roomKey: string,
    out: Outgoing,
    seq: number | undefined,
    except: string | undefined,
  ): void {
    const room = this.rooms.get(roomKey);
    if (!room) return;
    for (const membership of room.members.values()) {
      if (except !== undefined && membership.user.key === except) continue;
      const buffer = membership.buffer;
      if (buffer) {
        if (buffer.length >= this.maxReplayBuffer)
          this.options.onOverflow?.(membership.user.recipient.sessionId);
        else buffer.push({ out, seq });
        continue;
      }
      if (seq !== undefined) {
        if (seq <= membership.lastSeq) continue;
        membership.lastSeq = seq;
      }
      membership.user.recipient.deliver(out);
    }
  }

  /** A direct message for an identity: to each of its sessions here; then, for the sender's own copy, the ack. */
  private deliverToOwner(owner: string, frame: MessageFrame, ack: Origin | undefined): void {
    const users = this.owners.get(owner);
    if (users) {
      const out = new Outgoing(frame);
      for (const user of users) this.deliverDirect(user, out, frame.dseq);
    }
    if (ack) this.acknowledge(ack, frame);
  }

  /** A direct message for someone of this node with no identity: handed over, and the sender answered. */
  private handOver(owner: string, frame: MessageFrame, origin: Origin): void {
    const target = this.owners.get(owner)?.values().next().value;
    if (!target) {
      // Gone between the sender's look-up and the delivery.
      this.answer(origin, {
        type: 'error',
        code: 'no_such_user',
        message: `no one called ${frame.to} is online`,
        ...(origin.ref ? { ref: origin.ref } : {}),
      });
      return;
    }
    this.deliverDirect(target, new Outgoing(frame), undefined);
    // The sender's node sends its copy, then the ack: the message was handed over.
    this.answer(origin, frame);
  }

  /** Delivers a direct message to one user, held back while its mailbox is replayed. */
  private deliverDirect(user: ChatUser, out: Outgoing, dseq: number | undefined): void {
    const buffer = user.directBuffer;
    if (buffer) {
      if (buffer.length >= this.maxReplayBuffer)
        this.options.onOverflow?.(user.recipient.sessionId);
      else buffer.push({ out, dseq });
      return;
    }
    if (dseq !== undefined) {
      if (dseq <= user.lastDseq) return;
      user.lastDseq = dseq;
    }
    user.recipient.deliver(out);
  }

  /** Answers a session: here if it is on this node, else through the bus to its node. */
  private answer(origin: Origin, frame: ServerFrame): void {
    if (origin.node === this.options.node) this.deliverReply(origin, frame);
    else this.options.bus.publish({ kind: 'reply', origin, frame });
  }

  private deliverReply(origin: Origin, frame: ServerFrame): void {
    if (origin.node !== this.options.node) return;
    const user = this.sessions.get(origin.session);
    if (!user) return;
    if (frame.type === 'message') {
      // A direct message was handed over: now the sender's copy, and the ack.
      this.sendOwnCopy(user, draftOf(frame), origin).catch((error: unknown) =>
        this.answerError(origin, error, 'the message could not be kept'),
      );
      return;
    }
    user.recipient.deliver(new Outgoing(frame));
    if (frame.type === 'error') this.answered(user);
  }

  private deliverNick(event: Extract<BusEvent, { kind: 'nick' }>): void {
    const out = new Outgoing({ type: 'nick', old: event.old, name: event.name });
    const sent = new Set<number>();
    const target = this.users.get(foldName(event.name));
    if (target) {
      sent.add(target.recipient.sessionId);
      target.recipient.deliver(out);
    }
    for (const roomKey of event.roomKeys) {
      const room = this.rooms.get(roomKey);
      if (!room) continue;
      for (const membership of room.members.values()) {
        const id = membership.user.recipient.sessionId;
        if (sent.has(id)) continue;
        sent.add(id);
        if (membership.buffer) membership.buffer.push({ out, seq: undefined });
        else membership.user.recipient.deliver(out);
      }
    }
  }

  /** Sends the `ack` for a message to its sender, if the sender is on this node. */
  private acknowledge(origin: Origin, frame: MessageFrame): void {
    if (origin.node !== this.options.node) return;
    const user = this.sessions.get(origin.session);
    if (!user) return;
    if (origin.ref !== undefined) {
      const ack: AckFrame = { type: 'ack', ref: origin.ref, id: frame.id, ts: frame.ts };
      if (frame.seq !== undefined) ack.seq = frame.seq;
      user.recipient.deliver(new Outgoing(ack));
    }
    this.answered(user);
  }

  /** Answers a refused frame of `origin` with the failure's code (`unavailable`: send it again later). */
  private answerError(origin: Origin, error: unknown, what: string): void {
    const code = ConfabError.from(error).code;
    this.deliverReply(origin, {
      type: 'error',
      code,
      message: code === 'unavailable' ? `${what} right now; send it again later` : what,
      ...(origin.ref ? { ref: origin.ref } : {}),
    });
  }

  /** The store refused a room message (unless the bus brought it back after all: then it was acked). */
  private answerFailure(user: ChatUser, id: string, error: unknown): void {
    const origin = this.unechoed.get(id);
    if (origin === undefined) return;
    this.unechoed.delete(id);
    const code = ConfabError.from(error).code;
    const message =
      code === 'unavailable'
        ? 'the message could not be stored right now; send it again later'
        : 'the message could not be stored';
    this.deliverReply(origin, {
      type: 'error',
      code,
      message,
      ...(origin.ref ? { ref: origin.ref } : {}),
    });
    if (!this.sessions.has(origin.session)) this.answered(user);
  }

  private answered(user: ChatUser): void {
    if (user.unanswered > 0) user.unanswered--;
    if (user.unanswered === 0 && user.onSettled) {
      const settled = user.onSettled;
      user.onSettled = undefined;
      settled();
    }
  }

  // --- Helpers -------------------------------------------------------------

  private origin(user: ChatUser, ref: string | undefined): Origin {
    return ref === undefined
      ? { node: this.options.node, session: user.recipient.sessionId }
      : { node: this.options.node, session: user.recipient.sessionId, ref };
  }

  private send(user: ChatUser, frame: ServerFrame): void {
    user.recipient.deliver(new Outgoing(frame));
  }

  private leftFrame(room: LocalRoom, user: ChatUser, reason: LeaveReason): LeftFrame {
    return { type: 'left', room: room.name, name: user.name, ts: this.options.clock.now(), reason };
  }

  private ownerIndex(owner: string, user: ChatUser, add: boolean): void {
    let users = this.owners.get(owner);
    if (add) {
      if (!users) this.owners.set(owner, (users = new Set()));
      users.add(user);
    } else if (users?.delete(user) && users.size === 0) this.owners.delete(owner);
  }

  /** Sends what waited during the mailbox replay, then delivers direct messages live. */
  private directsLive(user: ChatUser): void {
    const buffer = user.directBuffer;
    user.directBuffer = undefined;
    if (!buffer || !this.isRegistered(user)) return;
    for (const { out, dseq } of buffer) this.deliverDirect(user, out, dseq);
  }

  /** After `welcome`: the newest kept direct messages (`more`: older ones exist). */
  private async replayLatestDirects(user: ChatUser): Promise<void> {
    const stored = await this.options.store.pageDirect(user.owner, { limit: LIMITS.joinReplay });
    const { frames, cut } = fitDirectPage(stored, this.maxFrameBytes, 'newest');
    const more = cut > 0 || (stored[0]?.dseq ?? 1) > 1;
    this.send(user, dmHistoryFrame(frames, more));
    user.lastDseq = stored.at(-1)?.dseq ?? 0;
  }

  /** A resume: every kept direct message after `after`, in pages; the last has `more: false`. */
  private async replayDirectsAfter(user: ChatUser, after: number): Promise<void> {
    let last = after;
    for (;;) {
      const stored = await this.options.store.pageDirect(user.owner, {
        after: last,
        limit: RESUME_PAGE,
      });
      const { frames, cut } = fitDirectPage(stored, this.maxFrameBytes, 'oldest');
      const more = cut > 0 || stored.length === RESUME_PAGE;
      this.send(user, dmHistoryFrame(frames, more));
      last = frames.at(-1)?.dseq ?? last;
      user.lastDseq = last;
      if (!more || !this.isRegistered(user)) return;
    }
  }

  private removeMembership(membership: Membership): void {
    const { room, user } = membership;
    user.rooms.delete(room.key);
    if (room.members.get(user.key) === membership) room.members.delete(user.key);
    if (room.members.size === 0) this.rooms.delete(room.key);
  }

  /** Sends what waited in the member's buffer during its replay, then delivers live. */
  private goLive(membership: Membership): void {
    const buffer = membership.buffer;
    membership.buffer = undefined;
    if (!buffer || membership.room.members.get(membership.user.key) !== membership) return;
    for (const { out, seq } of buffer) {
      if (seq !== undefined) {
        if (seq <= membership.lastSeq) continue;
        membership.lastSeq = seq;
      }
      membership.user.recipient.deliver(out);
    }
  }

  private async sendNames(user: ChatUser, room: LocalRoom): Promise<void> {
    const names = await this.options.directory.members(room.key);
    this.send(user, { type: 'names', room: room.name, names });
  }

  /** The join replay: the newest messages. Returns the highest seq sent. */
  private async replayLatest(user: ChatUser, room: LocalRoom): Promise<number> {
    return this.replayPage(user, room, undefined, LIMITS.joinReplay);
  }

  /** One backward page; `more` when older messages exist. Returns the highest seq sent. */
  private async replayPage(
    user: ChatUser,
    room: LocalRoom,
    before: number | undefined,
    limit: number,
  ): Promise<number> {
    const stored = await this.options.store.page(
      room.key,
      before === undefined ? { limit } : { before, limit },
    );
    const { frames, cut } = fitHistoryPage(room.name, stored, this.maxFrameBytes, 'newest');
    // Seqs have no gaps: an oldest seq above 1 means older messages exist.
    const more = cut > 0 || (stored[0]?.seq ?? 1) > 1;
    this.send(user, historyFrame(room.name, frames, more));
    return stored.at(-1)?.seq ?? 0;
  }

  /** The resume replay: every message after `after`, in pages; the last has `more: false`. */
  private async replayAfter(user: ChatUser, room: LocalRoom, after: number): Promise<number> {
    let last = after;
    for (;;) {
      const stored = await this.options.store.page(room.key, { after: last, limit: RESUME_PAGE });
      const { frames, cut } = fitHistoryPage(room.name, stored, this.maxFrameBytes, 'oldest');
      const more = cut > 0 || stored.length === RESUME_PAGE;
      this.send(user, historyFrame(room.name, frames, more));
      last = frames.at(-1)?.seq ?? last;
      if (!more || !this.isRegistered(user)) return last;
    }
  }
}

/** The resume seq for a room, matched ignoring case. */
function findResume(resume: ResumeMap, room: string): number | undefined {
  const key = foldRoom(room);
  for (const [name, seq] of Object.entries(resume)) if (foldRoom(name) === key) return seq;
  return undefined;
}

/** The frame of a direct message that is not kept (no `dseq`). */
function plainDirectFrame(draft: DirectDraft): MessageFrame {
  const frame: MessageFrame = {
    type: 'message',
    id: draft.id,
    from: draft.from,
    to: draft.to,
    text: draft.text,
    ts: draft.ts,
  };
  if (draft.action) frame.action = true;
  return frame;
}

/** A direct message's draft, back from its frame. */
function draftOf(frame: MessageFrame): DirectDraft {
  return {
    id: frame.id,
    from: frame.from,
    to: frame.to ?? '',
    text: frame.text,
    ts: frame.ts,
    action: frame.action === true,
  };
}
