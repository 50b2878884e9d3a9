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
import { DirectMessages, copyMailbox } from './direct-messages.js';
import { catchUp, HeldEvents } from './held-events.js';
import { directFrame, messageFrame, namesFrames } from './history-pages.js';
import { Outgoing } from './outgoing.js';
import type { Recipient } from './outgoing.js';
import { lookalikeKey } from '../names/lookalikes.js';
import {
  looksLikeAnAccount,
  looksLikeSomeoneHere,
  newNameProblem,
} from '../names/name-refusals.js';
import { accountOwner, keepsDirects, sessionOwner } from './owners.js';
import type { ChatUser, LocalRoom, Membership, Person } from './people.js';
import { inRoom } from './people.js';
import type {
  Account,
  AccountStore,
  Bus,
  BusEvent,
  Clock,
  DirectPoster,
  Directory,
  HistoryStore,
  IdSource,
  MessagePoster,
  NameHolder,
  Origin,
  StoredMessage,
} from './ports.js';
import type { ReplayContext } from './replays.js';
import {
  RESUME_PAGE,
  replayAfter,
  replayDirectsAfter,
  replayLatestDirects,
  replayPage,
} from './replays.js';

export type { ChatUser } from './people.js';

/** Options of the chat core. */
export interface ChatCoreOptions {
  /** This node's id, unique in a cluster. */
  node: string;
  /** Sent in `welcome.server`, e.g. `confab/0.1.0`. */
  serverName: string;
  store: HistoryStore;
  bus: Bus;
  directory: Directory;
  /**
   * Accounts, when the server has them: their names are theirs alone, their
   * rooms are remembered, and direct messages to them wait in their mailbox
   * while they are away.
   */
  accounts?: AccountStore;
  /** How room messages are stored and published. @default append to `store`, then publish on `bus` */
  poster?: MessagePoster;
  /** How direct messages are kept in mailboxes and published. @default append to `store`, then publish on `bus` */
  directPoster?: DirectPoster;
  clock: Clock;
  ids: IdSource;
  /** Largest frame the server sends; history pages and member lists are cut to fit. @default 65536 */
  maxFrameBytes?: number;
  /** Called for a connection whose login was logged out from elsewhere: the session must end. */
  onRevoked?: (sessionId: number) => void;
  /** Called for a guest's connection when the same guest connected again: the session must end. */
  onReplaced?: (sessionId: number) => void;
}

/** What identifies a registering user beyond the name. */
export interface Identity {
  /** The identity a guest came with (a guest key's mailbox); none: nothing is kept for them. */
  owner?: string;
  /** The last kept direct message the client has seen: the replay gives every one after it. */
  dseq?: number;
  /** The account the user logged in to: its name and rooms are theirs. */
  account?: Account;
  /** The login (session record) the connection came with. */
  login?: string;
  /** A new session token, to hand over in `welcome`. */
  token?: string;
}

function refusal(code: ErrorCode, message: string): FrameError {
  return { code, message };
}

/** The refusal of a name someone else holds; `account`: it is an account's, to be logged in to. */
function taken(name: string, account: boolean): FrameError {
  return account
    ? {
        code: 'name_taken',
        message: `the name ${name} belongs to an account: log in with its password, or choose another name`,
        account: true,
      }
    : refusal('name_taken', `the name ${name} is taken`);
}

/**
 * The chat: people and their connections, rooms, membership, fan-out,
 * history. It knows nothing of sockets: sessions call it, it answers
 * through each connection's `Recipient`, and it reaches history, fan-out,
 * presence and accounts only through its ports.
 */
export class ChatCore {
  /** People of this node, by folded name. */
  private readonly persons = new Map<string, Person>();
  private readonly sessions = new Map<number, ChatUser>();
  /** This node's connections by identity: where a direct message for that identity goes. */
  private readonly owners = new Map<string, Set<ChatUser>>();
  private readonly rooms = new Map<string, LocalRoom>();
  /** Room messages of this node's users, by id, until the bus brings them back: then the ack. */
  private readonly unechoed = new Map<string, Origin>();
  private readonly poster: MessagePoster;
  private readonly directs: DirectMessages;
  private readonly replay: ReplayContext;

  constructor(private readonly options: ChatCoreOptions) {
    this.poster = options.poster ?? appendThenPublish(options.store, options.bus);
    this.replay = {
      store: options.store,
      maxFrameBytes: options.maxFrameBytes ?? LIMITS.maxFrameBytes,
    };
    this.directs = new DirectMessages({
      node: options.node,
      ids: options.ids,
      clock: options.clock,
      bus: options.bus,
      poster: options.directPoster ?? appendThenPublishDirect(options.store, options.bus),
      holder: (nameKey) => this.holder(nameKey),
      devicesOf: (owner) => this.owners.get(owner) ?? [],
      acknowledge: (origin, frame) => this.acknowledge(origin, frame),
      answer: (origin, frame) => this.answer(origin, frame),
      answerError: (origin, error, what) => this.answerError(origin, error, what),
    });
    options.bus.subscribe((event) => this.onBusEvent(event));
  }

  /** People with a connection to this node. */
  get userCount(): number {
    return this.persons.size;
  }

  /** Rooms with members on this node. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /**
   * Registers a connection: claims the name (or joins the person already
   * holding it with the same identity: another device), sends `welcome`,
   * joins the person's rooms (a guest's: `#general`; an account's: the ones
   * it is in) and every room in `resume`, replaying what was missed there,
   * then the kept direct messages. Returns the connection, or the refusal
   * to send (the connection stays open for a retry).
   */
  async register(
    recipient: Recipient,
    name: string,
    resume?: ResumeMap,
    identity: Identity = {},
  ): Promise<ChatUser | FrameError> {
    const key = foldName(name);
    const account = identity.account;
    const owner = account
      ? accountOwner(account.id)
      : (identity.owner ?? sessionOwner(this.options.node, recipient.sessionId));
    const display = account?.name ?? name;
    const person = await this.personFor(key, display, owner, account);
    if ('code' in person) return person;
    const user: ChatUser = {
      person,
      key,
      name: person.name,
      recipient,
      login: identity.login,
      rooms: new Map(),
      lastDseq: 0,
      // Direct messages wait until the mailbox has been replayed (after the rooms).
      directHeld: keepsDirects(owner) ? new HeldEvents() : undefined,
      unanswered: 0,
      onSettled: undefined,
    };
    // A guest is one connection: coming back (the same key) takes over from the old one,
    // which may be a link that died unnoticed. An account may have many.
    const inherited: string[] = [];
    if (!account && keepsDirects(owner)) {
      for (const device of [...person.devices]) {
        // The new connection takes the old one's rooms too (the directory still has them there).
        for (const membership of device.rooms.values()) inherited.push(membership.room.name);
        this.replace(device);
      }
      this.options.bus.publish({
        kind: 'returned',
        owner,
        node: this.options.node,
        session: recipient.sessionId,
      });
    }
    person.devices.add(user);
    this.sessions.set(recipient.sessionId, user);
    this.ownerIndex(owner, user, true);

    const roomNames = this.roomsToJoin(person, account, resume, inherited);
    this.send(user, {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      name: person.name,
      text: `Welcome ${person.name}: if you want to leave the chat, write ${QUIT_WORD}`,
      rooms: roomNames,
      server: this.options.serverName,
      ...(account ? { account: account.name } : {}),
      ...(identity.token ? { token: identity.token } : {}),
    });
    recipient.welcomed();
    for (const room of roomNames) {
      const resumeAfter = resume ? findResume(resume, room) : undefined;
      try {
        await this.joinDevice(user, room, resumeAfter);
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
    if (account && roomNames.some((room) => !account.rooms.includes(room)))
      await this.rememberRooms(user);
    if (user.directHeld) await this.replayMailbox(user, identity.dseq);
    return user;
  }

  /**
   * The connection's kept direct messages: the newest, or every one after
   * `dseq`; then what came meanwhile, and it goes live.
   */
  private async replayMailbox(user: ChatUser, dseq: number | undefined): Promise<void> {
    const still = () => this.isRegistered(user);
    try {
      user.lastDseq =
        dseq === undefined
          ? await replayLatestDirects(this.replay, user, still)
          : await replayDirectsAfter(this.replay, user, dseq, still);
    } finally {
      const held = await catchUp({
        user,
        held: user.directHeld!,
        last: () => user.lastDseq,
        setLast: (number) => (user.lastDseq = number),
        read: (query) => this.options.store.pageDirect(user.person.owner, query),
        frameOf: directFrame,
        numberOf: (stored) => stored.dseq,
        still,
        goLive: () => (user.directHeld = undefined),
      });
      user.directHeld = undefined;
      for (const out of held?.events ?? []) user.recipient.deliver(out);
      // Given the mailbox: what waited for the owner waits no more.
      if (held) await this.options.store.clearWaiting(user.person.owner).catch(() => undefined);
    }
  }

  /** The person a new connection belongs to: the one holding the name with the same identity, or a new one. */
  private async personFor(
    key: string,
    name: string,
    owner: string,
    account: Account | undefined,
  ): Promise<Person | FrameError> {
    const existing = this.persons.get(key);
    if (existing)
      return existing.owner === owner ? existing : taken(name, existing.accountId !== undefined);
    // An account's name is its own; a guest's must be free, and look like no one else's.
    const lookalike = account ? undefined : lookalikeKey(name);
    if (lookalike !== undefined) {
      const refused = await this.refuseNewName(key, name, lookalike);
      if (refused) return refused;
    }
    const claimed = await this.options.directory.claim(key, name, owner, lookalike);
    if (claimed === 'lookalike') return looksLikeSomeoneHere(name);
    if (claimed === 'taken') {
      const holder = await this.options.directory.holder(key);
      return taken(name, holder?.owner.startsWith('a:') === true);
    }
    // Another connection of the same person may have come while the claim was made.
    const person = this.persons.get(key) ?? {
      key,
      name,
      owner,
      accountId: account?.id,
      devices: new Set<ChatUser>(),
    };
    this.persons.set(key, person);
    return person;
  }

  /**
   * Why a guest may not take `name` (folded `key`, look-alike key
   * `lookalike`): it mixes scripts, it is an account's, or it looks like
   * one. Whether it looks like the name of someone here is the directory's
   * to say, in the step that claims it.
   */
  private async refuseNewName(
    key: string,
    name: string,
    lookalike: string,
  ): Promise<FrameError | undefined> {
    const problem = newNameProblem(name);
    if (problem) return problem;
    const accounts = this.options.accounts;
    if (!accounts) return undefined;
    if (await accounts.byName(key)) return taken(name, true);
    const alike = await accounts.byLookalike(lookalike);
    return alike && alike.nameKey !== key ? looksLikeAnAccount(name) : undefined;
  }

  /** Whether someone here holds a name that looks like `name` (and is not it). */
  async looksLikeSomeoneHere(name: string): Promise<boolean> {
    const holder = await this.options.directory.lookalikeHolder(lookalikeKey(name));
    return holder !== undefined && holder !== foldName(name);
  }

  /**
   * The rooms a new connection joins: the person's, or `#general` for a new
   * guest, those a replaced connection of theirs was in, and those it
   * resumes.
   */
  private roomsToJoin(
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
   * Takes a guest's old connection out of the chat for the new one, which
   * takes its place: the person stays in the directory and in their rooms
   * (no room hears them leave and come back), and the old session is told
   * to end (its leave then finds nothing to do).
   */
  private replace(device: ChatUser): void {
    const person = device.person;
    this.sessions.delete(device.recipient.sessionId);
    this.ownerIndex(person.owner, device, false);
    person.devices.delete(device);
    for (const membership of [...device.rooms.values()]) this.removeMembership(membership);
    this.options.onReplaced?.(device.recipient.sessionId);
  }

  /** Whether a connection is still registered (a session may end while a call awaits). */
  isRegistered(user: ChatUser): boolean {
    return this.sessions.get(user.recipient.sessionId) === user;
  }

  /**
   * Joins a room, for the person: each of their connections joins it, on
   * this node and (through the bus) on the others; an account remembers it.
   * Joining a room one is in is answered with `names` and the replay.
   */
  async join(user: ChatUser, roomName: string): Promise<void> {
    const existing = user.rooms.get(foldRoom(roomName));
    if (existing) {
      await this.sendNames(user, existing.room);
      await replayPage(this.replay, user, existing.room, undefined, LIMITS.joinReplay, () =>
        this.isMember(existing),
      );
      return;
    }
    await this.joinDevice(user, roomName);
    for (const device of [...user.person.devices])
      if (device !== user && !device.rooms.has(foldRoom(roomName)))
        await this.joinDevice(device, roomName).catch(() => undefined);
    this.options.bus.publish({
      kind: 'person',
      owner: user.person.owner,
      node: this.options.node,
      change: 'join',
      room: roomName,
    });
    await this.rememberRooms(user);
  }

  /**
   * Joins one connection to a room: `joined` to it, and to the room when the
   * person was not in it before; then `names` and the replay: the last 50
   * messages, or with `resumeAfter`, every message after that seq. Room
   * events that arrive meanwhile wait in its buffer, so nothing is lost or
   * doubled.
   */
  private async joinDevice(user: ChatUser, roomName: string, resumeAfter?: number): Promise<void> {
    const roomKey = foldRoom(roomName);
    let room = this.rooms.get(roomKey);
    if (!room) {
      room = { key: roomKey, name: roomName, members: new Map() };
      this.rooms.set(roomKey, room);
    }
    const firstHere = !inRoom(user.person, roomKey);
    const membership: Membership = { user, room, lastSeq: 0, held: new HeldEvents() };
    room.members.set(user.recipient.sessionId, membership);
    user.rooms.set(roomKey, membership);
    // The directory first: a join it cannot record (the cluster is out of
    // reach) is refused whole, not half made.
    let announce = false;
    if (firstHere) {
      try {
        announce = await this.options.directory.addMember({
          roomKey,
          room: room.name,
          nameKey: user.key,
          name: user.name,
        });
      } catch (error) {
        this.removeMembership(membership);
        throw error;
      }
    }
    const joined: JoinedFrame = {
      type: 'joined',
      room: room.name,
      name: user.name,
      ts: this.options.clock.now(),
    };
    this.send(user, joined);
    if (announce)
      this.options.bus.publish({ kind: 'room', roomKey, frame: joined, except: user.key });
    const still = () => this.isMember(membership);
    try {
      await this.sendNames(user, room);
      membership.lastSeq =
        resumeAfter === undefined
          ? await replayPage(this.replay, user, room, undefined, LIMITS.joinReplay, still)
          : await replayAfter(this.replay, user, room, resumeAfter, still);
    } finally {
      await this.goLive(membership);
    }
  }

  /** Leaves a room, for the person: each of their connections gets `left` (reason `part`), then the room. */
  async part(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    const roomKey = foldRoom(roomName);
    if (!user.rooms.has(roomKey)) return refusal('not_in_room', `you are not in ${roomName}`);
    await this.partHere(user.person, roomKey);
    this.options.bus.publish({
      kind: 'person',
      owner: user.person.owner,
      node: this.options.node,
      change: 'part',
      room: roomName,
    });
    await this.rememberRooms(user);
    return undefined;
  }

  /** Takes a person's connections on this node out of a room; the room hears it when no node has them in it. */
  private async partHere(person: Person, roomKey: string): Promise<void> {
    let room: LocalRoom | undefined;
    for (const device of person.devices) {
      const membership = device.rooms.get(roomKey);
      if (!membership) continue;
      room = membership.room;
      this.send(device, this.leftFrame(room, device, 'part'));
      this.removeMembership(membership);
    }
    if (!room) return;
    if (await this.options.directory.removeMember(roomKey, person.key))
      this.options.bus.publish({
        kind: 'room',
        roomKey,
        frame: this.leftFrame(room, person, 'part'),
      });
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

  /** Sends a direct message to one person (see `DirectMessages`). */
  dm(
    user: ChatUser,
    to: string,
    text: string,
    action: boolean,
    ref: string | undefined,
  ): Promise<FrameError | undefined> {
    return this.directs.send(user, to, text, action, this.origin(user, ref));
  }

  /** Who holds a name: a person of this node, whoever the directory knows, or the account it is (away). */
  private async holder(nameKey: string): Promise<NameHolder | undefined> {
    const local = this.persons.get(nameKey);
    if (local) return { name: local.name, node: this.options.node, owner: local.owner };
    const online = await this.options.directory.holder(nameKey);
    if (online) return online;
    const account = await this.options.accounts?.byName(nameKey);
    return account && { name: account.name, node: '', owner: accountOwner(account.id) };
  }

  /**
   * Changes a guest's name; `nick` goes to the user and everyone sharing a
   * room. An account's name is its own: logged in, one cannot change it.
   */
  async nick(user: ChatUser, name: string): Promise<FrameError | undefined> {
    const person = user.person;
    if (person.accountId !== undefined)
      return refusal(
        'name_taken',
        `you are logged in as ${person.name}: an account keeps its name`,
      );
    const newKey = foldName(name);
    const old = person.name;
    const oldKey = person.key;
    if (name === old) return undefined;
    if (newKey !== oldKey) {
      const local = this.persons.get(newKey);
      if (local) return taken(name, local.accountId !== undefined);
    }
    const lookalike = lookalikeKey(name);
    const refused = await this.refuseNewName(newKey, name, lookalike);
    if (refused) return refused;
    const claimed = await this.options.directory.claim(newKey, name, person.owner, lookalike);
    if (claimed === 'lookalike') return looksLikeSomeoneHere(name);
    if (claimed === 'taken') {
      const holder = await this.options.directory.holder(newKey);
      return taken(name, holder?.owner.startsWith('a:') === true);
    }
    if (newKey !== oldKey && (!this.isRegistered(user) || this.persons.has(newKey))) {
      await this.options.directory.release(newKey);
      return this.isRegistered(user) ? taken(name, false) : undefined;
    }
    this.persons.delete(oldKey);
    person.key = newKey;
    person.name = name;
    for (const device of person.devices) {
      device.key = newKey;
      device.name = name;
    }
    this.persons.set(newKey, person);
    const roomKeys = [...user.rooms.keys()];
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

  /**
   * A guest became an account (`register`): the direct messages kept for
   * them so far move with them to the account's mailbox, numbered as they
   * were (so each connection's `lastDseq` still holds), their messages are
   * kept for the account from now on, and the account remembers their rooms.
   */
  async becomeAccount(user: ChatUser, account: Account, login: string): Promise<void> {
    const person = user.person;
    const owner = accountOwner(account.id);
    if (keepsDirects(person.owner)) await copyMailbox(this.options.store, person.owner, owner);
    for (const device of person.devices) {
      this.ownerIndex(person.owner, device, false);
      this.ownerIndex(owner, device, true);
    }
    person.owner = owner;
    person.accountId = account.id;
    user.login = login;
    // The name is now held by the account's identity, for messages sent from other nodes.
    await this.options.directory.release(person.key);
    await this.options.directory.claim(person.key, person.name, owner);
    await this.rememberRooms(user);
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
    await replayPage(this.replay, user, membership.room, before, limit, () =>
      this.isMember(membership),
    );
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
   * Removes a connection from the chat. When it was the person's last one
   * in a room (on every node), the other members get `left` with `reason`
   * (unless `announce` is false); when it was their last one here, the
   * name is freed on this node. The connection itself is told nothing.
   */
  async leave(user: ChatUser, reason: LeaveReason, announce = true): Promise<void> {
    if (!this.isRegistered(user)) return;
    const person = user.person;
    this.sessions.delete(user.recipient.sessionId);
    this.ownerIndex(person.owner, user, false);
    person.devices.delete(user);
    if (person.devices.size === 0 && this.persons.get(person.key) === person)
      this.persons.delete(person.key);
    const memberships = [...user.rooms.values()];
    for (const membership of memberships) this.removeMembership(membership);
    for (const { room } of memberships) {
      if (inRoom(person, room.key)) continue;
      const gone = await this.options.directory.removeMember(room.key, person.key);
      if (gone && announce)
        this.options.bus.publish({
          kind: 'room',
          roomKey: room.key,
          frame: this.leftFrame(room, person, reason),
        });
    }
    if (person.devices.size === 0) await this.options.directory.release(person.key);
  }

  // --- Fan-out -------------------------------------------------------------

  private onBusEvent(event: BusEvent): void {
    switch (event.kind) {
      case 'room':
        this.deliverToRoom(event.roomKey, new Outgoing(event.frame), event.seq, event.except);
        if (event.frame.type === 'message') this.echoed(event.frame);
        break;
      case 'direct':
        this.directs.deliverToOwner(event.owner, event.frame, event.ack);
        break;
      case 'handover':
        if (event.node === this.options.node)
          this.directs.handOver(event.owner, event.frame, event.origin);
        break;
      case 'nick':
        this.deliverNick(event);
        break;
      case 'reply':
        this.deliverReply(event.origin, event.frame);
        break;
      case 'person':
        if (event.node !== this.options.node) void this.followPerson(event);
        break;
      case 'revoked':
        this.endLogins(new Set(event.logins));
        break;
      case 'returned':
        if (event.node !== this.options.node)
          for (const device of [...(this.owners.get(event.owner) ?? [])])
            this.options.onReplaced?.(device.recipient.sessionId);
        break;
      case 'resync':
        void this.catchUp();
        break;
    }
  }

  /** A person joined or left a room from another node: their connections here do the same. */
  private async followPerson(event: Extract<BusEvent, { kind: 'person' }>): Promise<void> {
    const devices = [...(this.owners.get(event.owner) ?? [])];
    const person = devices[0]?.person;
    if (!person) return;
    const roomKey = foldRoom(event.room);
    try {
      if (event.change === 'part') await this.partHere(person, roomKey);
      else
        for (const device of devices)
          if (this.isRegistered(device) && !device.rooms.has(roomKey))
            await this.joinDevice(device, event.room);
    } catch {
      // The cluster is out of reach: the connection keeps the rooms it has.
    }
  }

  /** Connections logged in with these logins end (logged out from elsewhere). */
  private endLogins(logins: ReadonlySet<string>): void {
    for (const user of this.sessions.values())
      if (user.login !== undefined && logins.has(user.login))
        this.options.onRevoked?.(user.recipient.sessionId);
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
      const live = [...room.members.values()].filter((membership) => !membership.held);
      if (live.length === 0) continue;
      for (const membership of live) membership.held = new HeldEvents();
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
        await Promise.all(live.map((membership) => this.goLive(membership)));
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
      if (membership.held) {
        membership.held.hold(out, seq);
        continue;
      }
      if (seq !== undefined) {
        if (seq <= membership.lastSeq) continue;
        membership.lastSeq = seq;
      }
      membership.user.recipient.deliver(out);
    }
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
      this.directs.handedOver(user, frame, origin);
      return;
    }
    user.recipient.deliver(new Outgoing(frame));
    if (frame.type === 'error') this.answered(user);
  }

  private deliverNick(event: Extract<BusEvent, { kind: 'nick' }>): void {
    const out = new Outgoing({ type: 'nick', old: event.old, name: event.name });
    const sent = new Set<number>();
    for (const device of this.persons.get(foldName(event.name))?.devices ?? []) {
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

  /**
   * Answers a refused frame of `origin` with the failure's code
   * (`unavailable`: send it again later; `mailbox_full`: the store's own
   * words, which say whose bound it passed).
   */
  private answerError(origin: Origin, error: unknown, what: string): void {
    const coded = ConfabError.from(error);
    const message =
      coded.code === 'unavailable'
        ? `${what} right now; send it again later`
        : coded.code === 'mailbox_full'
          ? `${what}: ${coded.message}`
          : what;
    this.deliverReply(origin, {
      type: 'error',
      code: coded.code,
      message,
      ...(origin.ref ? { ref: origin.ref } : {}),
    });
  }

  /** The store refused a room message (unless the bus brought it back after all: then it was acked). */
  private answerFailure(user: ChatUser, id: string, error: unknown): void {
    const origin = this.unechoed.get(id);
    if (origin === undefined) return;
    this.unechoed.delete(id);
    this.answerError(origin, error, 'the message could not be stored');
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

  private leftFrame(room: LocalRoom, who: { name: string }, reason: LeaveReason): LeftFrame {
    return { type: 'left', room: room.name, name: who.name, ts: this.options.clock.now(), reason };
  }

  /** An account remembers the rooms its person is in (those of this connection). */
  private async rememberRooms(user: ChatUser): Promise<void> {
    const id = user.person.accountId;
    if (id === undefined || !this.options.accounts) return;
    const rooms = [...user.rooms.values()].map((m) => m.room.name);
    await this.options.accounts.setRooms(id, rooms).catch(() => undefined);
  }

  private ownerIndex(owner: string, user: ChatUser, add: boolean): void {
    let users = this.owners.get(owner);
    if (add) {
      if (!users) this.owners.set(owner, (users = new Set()));
      users.add(user);
    } else if (users?.delete(user) && users.size === 0) this.owners.delete(owner);
  }

  private removeMembership(membership: Membership): void {
    const { room, user } = membership;
    user.rooms.delete(room.key);
    const id = user.recipient.sessionId;
    if (room.members.get(id) === membership) room.members.delete(id);
    if (room.members.size === 0) this.rooms.delete(room.key);
  }

  /** Whether the membership is still the connection's place in its room (a replay stops when it is not). */
  private isMember(membership: Membership): boolean {
    return (
      this.isRegistered(membership.user) &&
      membership.room.members.get(membership.user.recipient.sessionId) === membership
    );
  }

  /**
   * After a replay: what went by meanwhile is read from the store and sent,
   * then the room's events go to the connection live; the events held
   * meanwhile follow (or, when too many went by, the member list anew).
   */
  private async goLive(membership: Membership): Promise<void> {
    const held = await catchUp({
      user: membership.user,
      held: membership.held!,
      last: () => membership.lastSeq,
      setLast: (seq) => (membership.lastSeq = seq),
      read: (query) => this.options.store.page(membership.room.key, query),
      frameOf: messageFrame,
      numberOf: (stored) => stored.seq,
      still: () => this.isMember(membership),
      goLive: () => (membership.held = undefined),
    });
    if (!held) {
      membership.held = undefined;
      return;
    }
    if (held.overflowed) await this.sendNames(membership.user, membership.room);
    else for (const out of held.events) membership.user.recipient.deliver(out);
  }

  /** The room's member list, in as many `names` frames as it takes to fit the frame limit. */
  private async sendNames(user: ChatUser, room: LocalRoom): Promise<void> {
    if (!(await user.recipient.ready())) return;
    const names = await this.options.directory.members(room.key);
    for (const frame of namesFrames(room.name, names, this.replay.maxFrameBytes)) {
      const out = new Outgoing(frame);
      user.recipient.deliver(out);
      user.recipient.spent(out.line.length);
    }
  }
}

/** The resume seq for a room, matched ignoring case. */
function findResume(resume: ResumeMap, room: string): number | undefined {
  const key = foldRoom(room);
  for (const [name, seq] of Object.entries(resume)) if (foldRoom(name) === key) return seq;
  return undefined;
}
