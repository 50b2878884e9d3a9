import type {
  FrameError,
  JoinedFrame,
  LeaveReason,
  LeftFrame,
  ReplyExcerpt,
  ResumeMap,
  ServerFrame,
} from '@confab/protocol';
import { DEFAULT_ROOM, LIMITS, foldName, foldRoom, replyExcerpt } from '@confab/protocol';
import type { Acks } from './acks.js';
import type { Connections } from './connections.js';
import { catchUp, HeldEvents } from './held-events.js';
import { messageFrame, namesFrames } from './history-pages.js';
import { Outgoing } from './outgoing.js';
import type { ChatUser, EventFeature, LocalRoom, Membership, Person } from './people.js';
import { actorOf, followsChanges, inRoom, wants } from './people.js';
import { passesTypingThrottle, roomConversation, sentIn, typingFrame } from './typing.js';
import type { RoomRecords } from './room-records.js';
import { RoomRules, checkJoin, checkSay, isOperatorsRoom } from './room-policy.js';
import type {
  Account,
  AccountStore,
  Bus,
  BusEvent,
  Clock,
  Directory,
  HistoryStore,
  IdSource,
  MessageDraft,
  MessagePoster,
  StoredMessage,
} from './ports.js';
import { updatesAfter } from './change-frames.js';
import type { ReplayContext, RoomReader } from './replays.js';
import {
  RESUME_PAGE,
  replayAfter,
  replayAround,
  replayPage,
  replayUpdates,
  roomReader,
} from './replays.js';

/** What rooms need of the rest of the chat. */
export interface RoomsContext {
  node: string;
  store: HistoryStore;
  bus: Bus;
  directory: Directory;
  accounts: AccountStore | undefined;
  poster: MessagePoster;
  clock: Clock;
  ids: IdSource;
  replay: ReplayContext;
  connections: Connections;
  acks: Acks;
  records: RoomRecords;
  /** Rooms an account may own at most: past it, a room it makes has no owner. */
  maxOwnedRooms: number;
}

/** How someone is made to leave a room (`left` with its fields). */
export interface Removal {
  reason: LeaveReason;
  by?: string;
  text?: string;
  banned?: boolean;
  until?: number;
}

function notIn(room: string, hint = ''): FrameError {
  return { code: 'not_in_room', message: `you are not in ${room}${hint}` };
}

/**
 * Rooms on this node: who of this node is in which room (each connection
 * of a person has its place in each of the person's rooms), joining and
 * leaving, the replays that bring a joiner up to date, messages posted to
 * a room, and the fan-out of a room's events to its members here.
 */
export class Rooms {
  private readonly rooms = new Map<string, LocalRoom>();

  constructor(private readonly context: RoomsContext) {
    context.records.onWritten = (record) => this.adopt(new RoomRules(record));
  }

  /** Rules this node just wrote: its room here has them at once (the others read them on the event). */
  private adopt(rules: RoomRules): void {
    const room = this.rooms.get(rules.key);
    if (room && rules.version > room.rules.version) room.rules = rules;
  }

  /** Rooms with members on this node. */
  get count(): number {
    return this.rooms.size;
  }

  /** A room's rules: as held here for a room with members here, else as stored. */
  async rulesOf(roomKey: string, roomName: string): Promise<RoomRules> {
    return this.rooms.get(roomKey)?.rules ?? (await this.context.records.rules(roomKey, roomName));
  }

  /**
   * The rooms a new connection joins: the person's, or `#general` for a new
   * guest, those a replaced connection of theirs was in, and those it
   * resumes.
   */
  roomsToJoin(
    person: Person,
    account: Account | undefined,
    resume: ResumeMap | undefined,
    inherited: readonly string[],
  ): string[] {
    const wanted = new Map<string, string>();
    const want = (room: string) => {
      const roomKey = foldRoom(room);
      if (!wanted.has(roomKey)) wanted.set(roomKey, this.rooms.get(roomKey)?.name ?? room);
    };
    if (account) account.rooms.forEach(want);
    else if (person.devices.size <= 1 && inherited.length === 0) want(DEFAULT_ROOM);
    inherited.forEach(want);
    // Where the person's other connections here are.
    for (const device of person.devices) for (const m of device.rooms.values()) want(m.room.name);
    for (const room of Object.keys(resume ?? {})) want(room);
    return [...wanted.values()];
  }

  /**
   * Joins a room, for the person, if its rules let them in: each of their
   * connections joins it, on this node and (through the bus) on the others;
   * an account remembers it. A room no one made yet becomes its maker's
   * when they are logged in. Joining a room one is in is answered with
   * `names` and the replay.
   */
  async join(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const roomKey = foldRoom(roomName);
    const existing = user.rooms.get(roomKey);
    if (existing) {
      if (user.roomEvents) send(user, existing.room.rules.frame());
      await this.sendNames(user, existing.room);
      await replayPage(
        this.context.replay,
        user,
        existing.room,
        undefined,
        LIMITS.joinReplay,
        () => this.isMember(existing),
        await this.readerOf(user, existing.room.key),
      );
      return undefined;
    }
    const admitted = await this.admit(user, roomKey, roomName, false);
    if ('code' in admitted) return admitted;
    // No await between the check and the join: a ban whose event comes after finds them in, and removes them.
    await this.joinDevice(user, roomName, admitted, { remember: true });
    for (const device of [...user.person.devices])
      if (device !== user && !device.rooms.has(roomKey))
        await this.joinDevice(device, roomName, admitted).catch(() => undefined);
    this.context.bus.publish({
      kind: 'person',
      owner: user.person.owner,
      node: this.context.node,
      change: 'join',
      room: roomName,
    });
    await this.useInvitation(user, admitted);
    return undefined;
  }

  /**
   * Joins a connection that is registering to one of its rooms (its
   * account's, one it resumes or inherits), if the room's rules let it in;
   * else the refusal, for the connection to be told. `remembered`: the
   * account is in the room already, so it needs no new invitation.
   */
  async enter(
    user: ChatUser,
    roomName: string,
    resume: { after?: number; rev?: number },
    remembered: boolean,
  ): Promise<FrameError | undefined> {
    const admitted = await this.admit(user, foldRoom(roomName), roomName, remembered);
    if ('code' in admitted) return admitted;
    await this.joinDevice(user, roomName, admitted, {
      resumeAfter: resume.after,
      resumeRev: resume.rev,
    });
    return undefined;
  }

  /**
   * The rules a joiner is let in by, or why not. A room that has no record,
   * no one in it and no history is new: it becomes its maker's when they
   * are logged in (and own fewer rooms than the bound).
   */
  private async admit(
    user: ChatUser,
    roomKey: string,
    roomName: string,
    remembered: boolean,
  ): Promise<RoomRules | FrameError> {
    const { records, clock } = this.context;
    let rules = (await this.currentRules(roomKey)) ?? (await records.rules(roomKey, roomName));
    const actor = actorOf(user);
    if (rules.version === 0 && actor.account && records.kept && (await this.isNewRoom(roomKey))) {
      const made = await records.makeOwned(roomKey, roomName, actor, this.context.maxOwnedRooms);
      rules = made ? new RoomRules(made) : await records.rules(roomKey, roomName);
    }
    // What was read may be older than the room here, if its record changed meanwhile.
    const local = this.rooms.get(roomKey)?.rules;
    if (local && local.version > rules.version) rules = local;
    const refused = checkJoin(rules, actor, clock.now(), remembered);
    // Another device of theirs is in the room (here or on another node): they are in it already.
    if (refused?.code === 'invite_only' && (await this.personIsIn(user, roomKey))) return rules;
    return refused ?? rules;
  }

  /** Whether the person of `user` is in the room through any of their connections, on any node. */
  private async personIsIn(user: ChatUser, roomKey: string): Promise<boolean> {
    return inRoom(user.person, roomKey) || this.context.directory.isMember(roomKey, user.key);
  }

  /**
   * An account that came into an invite-only room by its invitation is in
   * it now, and remembered there: the invitation is used up.
   */
  private async useInvitation(user: ChatUser, rules: RoomRules): Promise<void> {
    const actor = actorOf(user);
    if (!actor.account || !rules.record.modes.invite_only || !rules.isInvited(actor)) return;
    const { records, clock } = this.context;
    await records
      .write(
        rules.key,
        rules.record.name,
        actor,
        { kind: 'use_invite', target: actor },
        clock.now(),
      )
      .catch(() => undefined);
  }

  /** The rules of a room here, read again first if another node wrote a newer version (undefined: not here). */
  private async currentRules(roomKey: string): Promise<RoomRules | undefined> {
    const room = this.rooms.get(roomKey);
    if (!room) return undefined;
    if (room.rules.version < room.heardVersion) {
      const rules = await this.context.records.rules(roomKey, room.name);
      if (rules.version > room.rules.version) room.rules = rules;
    }
    return room.rules;
  }

  /** No record, no one in it, no history: a room no one made yet. */
  private async isNewRoom(roomKey: string): Promise<boolean> {
    if (this.rooms.has(roomKey) || isOperatorsRoom(roomKey)) return false;
    if ((await this.context.directory.memberCount(roomKey)) > 0) return false;
    return (await this.context.store.page(roomKey, { limit: 1 })).length === 0;
  }

  /**
   * Joins one connection to a room: `joined` to it, and to the room when the
   * person was not in it before; then `names` and the replay: the last 50
   * messages, or with `resumeAfter`, every message after that seq (and,
   * with `resumeRev`, first an `update` for each older message changed
   * after that rev). What the room hears meanwhile is read back after the
   * replay, so nothing is lost or doubled. `remember`: the account keeps
   * the room among its rooms before anyone is told, so a device that logs
   * in once the join is answered, on any node, comes into the room too.
   */
  async joinDevice(
    user: ChatUser,
    roomName: string,
    rules: RoomRules,
    {
      resumeAfter,
      resumeRev,
      remember = false,
    }: { resumeAfter?: number; resumeRev?: number; remember?: boolean } = {},
  ): Promise<void> {
    const roomKey = foldRoom(roomName);
    // A room keeps the spelling of its first join, made on whichever node:
    // the directory knows it while anyone is in the room.
    const spelled = this.rooms.has(roomKey)
      ? roomName
      : ((await this.context.directory.roomName(roomKey)) ?? roomName);
    let room = this.rooms.get(roomKey);
    if (!room) {
      room = {
        key: roomKey,
        name: spelled,
        members: new Map(),
        rules,
        toldVersion: rules.version,
        heardVersion: rules.version,
      };
      this.rooms.set(roomKey, room);
    } else if (rules.version > room.rules.version) room.rules = rules;
    const firstHere = !inRoom(user.person, roomKey);
    const membership: Membership = {
      user,
      room,
      lastSeq: 0,
      lastRev: 0,
      held: new HeldEvents(),
    };
    room.members.set(user.recipient.sessionId, membership);
    user.rooms.set(roomKey, membership);
    // The directory first: a join it cannot record (the cluster is out of
    // reach) is refused whole, not half made.
    let announce = false;
    if (firstHere) {
      try {
        announce = await this.context.directory.addMember({
          roomKey,
          room: room.name,
          nameKey: user.key,
          name: user.name,
        });
      } catch (error) {
        this.removeMembership(membership);
        throw error;
      }
      if (!this.isMember(membership)) {
        // Removed while the directory was written (a ban came): undone, and no one told.
        if (announce && !inRoom(user.person, roomKey))
          await this.context.directory.removeMember(roomKey, user.key);
        return;
      }
    }
    if (remember) await this.rememberRooms(user);
    const joined: JoinedFrame = {
      type: 'joined',
      room: room.name,
      name: user.name,
      ts: this.context.clock.now(),
    };
    send(user, joined);
    if (user.roomEvents) send(user, room.rules.frame());
    if (announce)
      this.context.bus.publish({ kind: 'room', roomKey, frame: joined, except: user.key });
    const still = () => this.isMember(membership);
    try {
      await this.sendNames(user, room);
      const reader = await this.readerOf(user, roomKey);
      membership.lastRev = reader.rev ?? 0;
      if (resumeAfter === undefined)
        membership.lastSeq = await replayPage(
          this.context.replay,
          user,
          room,
          undefined,
          LIMITS.joinReplay,
          still,
          reader,
        );
      else {
        if (resumeRev !== undefined && reader.rev !== undefined && resumeRev < reader.rev)
          membership.lastRev = Math.max(
            membership.lastRev,
            await replayUpdates(
              this.context.replay,
              user,
              room,
              resumeRev,
              resumeAfter,
              user.key,
              still,
            ),
          );
        membership.lastSeq = await replayAfter(
          this.context.replay,
          user,
          room,
          resumeAfter,
          still,
          reader,
        );
      }
    } finally {
      await this.goLive(membership);
    }
  }

  /** Leaves a room, for the person: each of their connections gets `left` (reason `part`), then the room. */
  async part(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const roomKey = foldRoom(roomName);
    if (!user.rooms.has(roomKey)) return notIn(roomName);
    // Forgotten before anyone is told, as a join is remembered.
    await this.rememberRooms(user, roomKey);
    await this.partHere(user.person, roomKey, { reason: 'part' });
    this.context.bus.publish({
      kind: 'person',
      owner: user.person.owner,
      node: this.context.node,
      change: 'part',
      room: roomName,
    });
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
    replyTo?: string,
  ): FrameError | undefined | Promise<FrameError | undefined> {
    const roomKey = foldRoom(roomName);
    const membership = user.rooms.get(roomKey);
    if (!membership) return notIn(roomName, '; /join it first');
    const { acks, ids, clock, poster } = this.context;
    // Most rooms let everyone in them speak: then this is one check.
    const rules = membership.room.rules;
    if (rules.restrictsSpeech) {
      const refused = checkSay(rules, actorOf(user), clock.now());
      if (refused) return refused;
    }
    const post = (reply: ReplyExcerpt | undefined) => {
      if (user.typingSent.size > 0) sentIn(user, roomConversation(roomKey));
      const draft: MessageDraft = {
        id: ids.next(),
        roomKey,
        room: membership.room.name,
        from: user.name,
        text,
        ts: clock.now(),
        action,
        owner: user.person.owner,
      };
      if (reply) draft.reply = reply;
      acks.post(poster, user, draft, acks.origin(user, ref));
      return undefined;
    };
    if (replyTo === undefined) return post(undefined);
    // A reply waits for one read of what it answers; the frames after it wait their turn behind it.
    return this.context.store.find(roomKey, replyTo).then((answered) => {
      if (!this.isMember(membership)) return notIn(roomName);
      if (!answered)
        return {
          code: 'no_such_message',
          message: `there is no message ${replyTo} in ${membership.room.name} to answer`,
        };
      return post(replyExcerpt(answered));
    });
  }

  /**
   * Tells the room's other members who asked (feature `typing`) that `user`
   * is typing there, or stopped. Someone who may not speak there is not
   * shown writing; what the throttle drops is dropped without a word.
   */
  typing(user: ChatUser, roomName: string, stopped: boolean): FrameError | undefined {
    const roomKey = foldRoom(roomName);
    const membership = user.rooms.get(roomKey);
    if (!membership) return notIn(roomName);
    const now = this.context.clock.now();
    const rules = membership.room.rules;
    if (rules.restrictsSpeech && checkSay(rules, actorOf(user), now)) return undefined;
    if (!passesTypingThrottle(user, roomConversation(roomKey), stopped, now)) return undefined;
    this.context.bus.publish({
      kind: 'room',
      roomKey,
      frame: typingFrame(user.name, membership.room.name, stopped),
      except: user.key,
      feature: 'typing',
    });
    return undefined;
  }

  /** Answers `who` with the room's `names`. */
  async who(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const membership = user.rooms.get(foldRoom(roomName));
    if (!membership) return notIn(roomName);
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
    if (!membership) return notIn(roomName);
    await replayPage(
      this.context.replay,
      user,
      membership.room,
      before,
      limit,
      () => this.isMember(membership),
      { reader: user.key },
    );
    return undefined;
  }

  /** Answers `history` with `around`: the messages around a seq, for a message opened in context. */
  async historyAround(
    user: ChatUser,
    roomName: string,
    around: number,
    limit: number,
  ): Promise<FrameError | undefined> {
    const membership = user.rooms.get(foldRoom(roomName));
    if (!membership) return notIn(roomName);
    await replayAround(this.context.replay, user, membership.room, around, limit, () =>
      this.isMember(membership),
    );
    return undefined;
  }

  /**
   * A connection left the chat: it leaves its rooms here; when it was the
   * person's last one in a room (on every node), the room hears `left`
   * with `reason` (unless not `announce`d).
   */
  async leaveAll(user: ChatUser, reason: LeaveReason, announce: boolean): Promise<void> {
    const person = user.person;
    const memberships = [...user.rooms.values()];
    for (const membership of memberships) this.removeMembership(membership);
    for (const { room } of memberships) {
      if (inRoom(person, room.key)) continue;
      const gone = await this.context.directory.removeMember(room.key, person.key);
      if (gone && announce)
        this.context.bus.publish({
          kind: 'room',
          roomKey: room.key,
          frame: leftFrame(room, person, { reason }, this.context.clock),
        });
    }
  }

  /** Takes a connection out of its rooms here without a word to anyone (a replaced connection). */
  dropMemberships(user: ChatUser): void {
    for (const membership of [...user.rooms.values()]) this.removeMembership(membership);
  }

  /** An account remembers the rooms its person is in (those of this connection), but the room `leaving`. */
  async rememberRooms(user: ChatUser, leaving?: string): Promise<void> {
    const id = user.person.accountId;
    const accounts = this.context.accounts;
    if (id === undefined || !accounts) return;
    const rooms = [...user.rooms.values()]
      .filter((m) => m.room.key !== leaving)
      .map((m) => m.room.name);
    await accounts.setRooms(id, rooms).catch(() => undefined);
  }

  // --- What the bus brings ----------------------------------------------------

  /**
   * A frame for a room: to each of its members here, in `seq` order (and a
   * change to a message in `rev` order), none twice.
   */
  deliverToRoom(
    roomKey: string,
    out: Outgoing,
    seq: number | undefined,
    except: string | undefined,
    feature?: EventFeature,
    rev?: number,
  ): void {
    const room = this.rooms.get(roomKey);
    if (!room) return;
    for (const membership of room.members.values()) {
      if (except !== undefined && membership.user.key === except) continue;
      if (feature !== undefined && !wants(membership.user, feature)) continue;
      if (membership.held) {
        // Who is typing is stale by the time a replay ends.
        if (feature === 'typing') continue;
        membership.held.hold(out, seq, rev);
        continue;
      }
      if (seq !== undefined) {
        if (seq <= membership.lastSeq) continue;
        if (seq > membership.lastSeq + 1) {
          // The bus lost what came between (its link broke, and this came
          // before the resync): this one waits while the gap is read from
          // the store, so the connection still gets every message in order.
          membership.held = new HeldEvents();
          membership.held.hold(out, seq);
          void this.goLive(membership);
          continue;
        }
        membership.lastSeq = seq;
      }
      if (rev !== undefined) {
        if (rev <= membership.lastRev) continue;
        membership.lastRev = rev;
      }
      membership.user.recipient.deliver(out);
    }
  }

  /** A name change: to the person's connections here and to everyone sharing a room with them. */
  deliverNick(event: Extract<BusEvent, { kind: 'nick' }>): void {
    const out = new Outgoing({ type: 'nick', old: event.old, name: event.name });
    const sent = new Set<number>();
    for (const device of this.context.connections.person(foldName(event.name))?.devices ?? []) {
      sent.add(device.recipient.sessionId);
      device.recipient.deliver(out);
    }
    for (const roomKey of event.roomKeys) {
      const room = this.rooms.get(roomKey);
      if (!room) continue;
      for (const membership of room.members.values()) {
        const id = membership.user.recipient.sessionId;
        if (sent.has(id)) continue;
        sent.add(id);
        if (membership.held) membership.held.hold(out, undefined);
        else membership.user.recipient.deliver(out);
      }
    }
  }

  /** A person joined or left a room from another node: their connections here do the same. */
  async followPerson(event: Extract<BusEvent, { kind: 'person' }>): Promise<void> {
    const devices = [...this.context.connections.devicesOf(event.owner)];
    const person = devices[0]?.person;
    if (!person) return;
    const roomKey = foldRoom(event.room);
    try {
      if (event.change === 'part') await this.partHere(person, roomKey, { reason: 'part' });
      else {
        const rules =
          this.rooms.get(roomKey)?.rules ?? (await this.context.records.rules(roomKey, event.room));
        for (const device of devices)
          if (this.context.connections.isRegistered(device) && !device.rooms.has(roomKey))
            await this.joinDevice(device, event.room, rules);
      }
    } catch {
      // The cluster is out of reach: the connection keeps the rooms it has.
    }
  }

  /**
   * A room's record was written: it is read again, and its members here
   * who follow rooms' state are sent it.
   */
  async roomChanged(event: Extract<BusEvent, { kind: 'room-changed' }>): Promise<void> {
    const { roomKey, version } = event;
    this.context.records.noteChange();
    let room = this.rooms.get(roomKey);
    if (!room) return;
    room.heardVersion = Math.max(room.heardVersion, version);
    // Carried: taken at once, before any later event of the room (a kick, a message) is handled.
    if (event.record && event.record.version > room.rules.version)
      room.rules = new RoomRules(event.record);
    if (room.rules.version < version) {
      const rules = await this.context.records.rules(roomKey, room.name);
      room = this.rooms.get(roomKey);
      if (!room) return;
      if (rules.version > room.rules.version) room.rules = rules;
    }
    if (room.toldVersion >= room.rules.version) return;
    room.toldVersion = room.rules.version;
    this.deliverToRoom(roomKey, new Outgoing(room.rules.frame()), undefined, undefined, 'rooms');
  }

  /**
   * A moderator removed people from a room: those here of the identity, or
   * guests from the address, or everyone; each leaves with reason `kicked`,
   * and an account forgets the room.
   */
  async evict(event: Extract<BusEvent, { kind: 'evict' }>): Promise<void> {
    const room = this.rooms.get(event.roomKey);
    if (!room) return;
    const people = new Set<Person>();
    for (const { user } of room.members.values()) {
      const person = user.person;
      const matches =
        event.all === true ||
        person.owner === event.identity ||
        (event.address !== undefined &&
          person.accountId === undefined &&
          user.address === event.address);
      if (matches) people.add(person);
    }
    const removal: Removal = {
      reason: 'kicked',
      by: event.by,
      ...(event.text === undefined ? {} : { text: event.text }),
      ...(event.banned ? { banned: true } : {}),
      ...(event.until === undefined ? {} : { until: event.until }),
    };
    for (const person of people) {
      const device = [...person.devices][0];
      await this.partHere(person, event.roomKey, removal).catch(() => undefined);
      if (device) await this.rememberRooms(device);
    }
  }

  /**
   * After a break in the bus: every room's live members hold new events (as
   * on a join) while the messages after the oldest one they have are read
   * from the store and sent to whoever lacks them; then they go live.
   */
  async catchUp(): Promise<void> {
    for (const room of [...this.rooms.values()]) {
      const live = [...room.members.values()].filter((membership) => !membership.held);
      if (live.length === 0) continue;
      for (const membership of live) membership.held = new HeldEvents();
      try {
        let after = Math.min(...live.map((membership) => membership.lastSeq));
        for (;;) {
          const stored = await this.context.store.page(room.key, { after, limit: RESUME_PAGE });
          for (const message of stored) this.deliverCaughtUp(live, message);
          after = stored.at(-1)?.seq ?? after;
          if (stored.length < RESUME_PAGE) break;
        }
      } catch {
        // The store is out of reach too: what is stored comes with the next resync or resume.
      } finally {
        await Promise.all(live.map((membership) => this.goLive(membership)));
      }
    }
  }

  // --- Inside -------------------------------------------------------------------

  /**
   * Takes a person's connections on this node out of a room (each is sent
   * `left`); the room hears it when no node has them in it.
   */
  private async partHere(person: Person, roomKey: string, removal: Removal): Promise<void> {
    let room: LocalRoom | undefined;
    const clock = this.context.clock;
    const leaving: ChatUser[] = [];
    for (const device of [...person.devices]) {
      const membership = device.rooms.get(roomKey);
      if (!membership) continue;
      room = membership.room;
      leaving.push(device);
      this.removeMembership(membership);
    }
    if (!room) return;
    let last: boolean;
    try {
      // Out of the directory before they are told: once a device reads its
      // `left`, no node counts the person in the room through this one.
      last = await this.context.directory.removeMember(roomKey, person.key);
    } finally {
      for (const device of leaving) send(device, leftFrame(room, device, removal, clock));
    }
    if (last)
      this.context.bus.publish({
        kind: 'room',
        roomKey,
        frame: leftFrame(room, person, removal, clock),
      });
  }

  private deliverCaughtUp(members: Membership[], message: StoredMessage): void {
    const frame = messageFrame(message);
    const out = new Outgoing(frame);
    for (const membership of members) {
      if (message.seq <= membership.lastSeq) continue;
      membership.lastSeq = message.seq;
      membership.user.recipient.deliver(out);
    }
    this.context.acks.echoed(frame);
  }

  private removeMembership(membership: Membership): void {
    const { room, user } = membership;
    user.rooms.delete(room.key);
    const id = user.recipient.sessionId;
    if (room.members.get(id) === membership) room.members.delete(id);
    if (room.members.size === 0) this.rooms.delete(room.key);
  }

  /** Whether the membership is still the connection's place in its room (a replay stops when it is not). */
  isMember(membership: Membership): boolean {
    return (
      this.context.connections.isRegistered(membership.user) &&
      membership.room.members.get(membership.user.recipient.sessionId) === membership
    );
  }

  /**
   * After a replay: what went by meanwhile is read from the store and sent,
   * then the room's events go to the connection live; the events held
   * meanwhile follow (or, when too many went by, the member list anew).
   */
  private async goLive(membership: Membership): Promise<void> {
    const { user, room } = membership;
    const held = await catchUp({
      user,
      held: membership.held!,
      last: () => membership.lastSeq,
      setLast: (seq) => (membership.lastSeq = seq),
      read: roomReader(this.context.replay, room.key, user.key),
      frameOf: messageFrame,
      numberOf: (stored) => stored.seq,
      still: () => this.isMember(membership),
      goLive: () => (membership.held = undefined),
      ...(followsChanges(user)
        ? {
            changes: {
              last: () => membership.lastRev,
              setLast: (rev: number) => (membership.lastRev = rev),
              read: (rev: number) => updatesAfter(this.context.replay, room, rev, user.key),
            },
          }
        : {}),
    });
    if (!held) {
      membership.held = undefined;
      return;
    }
    if (held.overflowed) await this.sendNames(membership.user, membership.room);
    else for (const out of held.events) membership.user.recipient.deliver(out);
  }

  /**
   * Who a replay of the room is for: the connection's person, and (when it
   * follows changes) the room's `rev` now, read before any message is.
   */
  private async readerOf(user: ChatUser, roomKey: string): Promise<RoomReader> {
    if (!followsChanges(user)) return { reader: user.key };
    return { reader: user.key, rev: await this.context.replay.changes.rev(roomKey) };
  }

  /** The room's member list, in as many `names` frames as it takes to fit the frame limit. */
  private async sendNames(user: ChatUser, room: LocalRoom): Promise<void> {
    if (!(await user.recipient.ready())) return;
    const names = await this.context.directory.members(room.key);
    const rules = room.rules;
    for (const frame of namesFrames(room.name, names, this.context.replay.maxFrameBytes, (name) =>
      rules.roleByName(foldName(name)),
    )) {
      const out = new Outgoing(frame);
      user.recipient.deliver(out);
      user.recipient.spent(out.line.length);
    }
  }
}

function send(user: ChatUser, frame: ServerFrame): void {
  user.recipient.deliver(new Outgoing(frame));
}

function leftFrame(
  room: LocalRoom,
  who: { name: string },
  removal: Removal,
  clock: Clock,
): LeftFrame {
  const { reason, by, text, banned, until } = removal;
  return {
    type: 'left',
    room: room.name,
    name: who.name,
    ts: clock.now(),
    reason,
    ...(by === undefined ? {} : { by }),
    ...(text === undefined ? {} : { text }),
    ...(banned ? { banned } : {}),
    ...(until === undefined ? {} : { until }),
  };
}
