import type {
  DeleteFrame,
  EditFrame,
  FrameError,
  LeaveReason,
  ReactFrame,
  ReadFrame,
  SearchFrame,
  ResumeMap,
} from '@confab/protocol';
import {
  ConfabError,
  LIMITS,
  PROTOCOL_VERSION,
  QUIT_WORD,
  foldName,
  foldRoom,
} from '@confab/protocol';
import { Acks } from './acks.js';
import {
  appendThenPublish,
  appendThenPublishDirect,
  changeThenPublish,
} from './append-then-publish.js';
import { Connections } from './connections.js';
import { DirectMessages, copyMailbox } from './direct-messages.js';
import { HeldEvents } from './held-events.js';
import { DirectChanges } from './direct-changes.js';
import { Search } from './search.js';
import { ReadMarkers } from './read-markers.js';
import { MessageChanges } from './message-changes.js';
import { Moderation } from './moderation.js';
import type { RoomRequest, ServerRequest } from './moderation.js';
import { Names } from './names.js';
import { Outgoing } from './outgoing.js';
import type { Recipient } from './outgoing.js';
import { accountOwner, keepsDirects, sessionOwner } from './owners.js';
import type { ChatUser } from './people.js';
import { wants } from './people.js';
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
  ChangePoster,
  ChangeStore,
  RoomStore,
  SearchIndex,
  ReadMarkerStore,
} from './ports.js';
import { RoomRecords } from './room-records.js';
import { Rooms } from './rooms.js';

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
  /** Changes to room messages (reactions, edits, deletes), and each room's change numbering. */
  changes: ChangeStore;
  /** The history's full-text index, for `search`; none: searches are answered `unavailable`. */
  search?: SearchIndex;
  /** Where each identity has read up to; none: no marker is kept. */
  readMarkers?: ReadMarkerStore;
  /** How changes to messages are made and published. @default apply in `changes`, then publish on `bus` */
  changePoster?: ChangePoster;
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
  /**
   * Rooms' records (owners, roles, topics, modes, bans), the server's bans
   * and the moderation log; none: every room is anyone's, as in protocol 1.0.
   */
  rooms?: RoomStore;
  /** Folded names of the accounts that are the server's operators. */
  operators?: ReadonlySet<string>;
  /** Rooms an account may own; past it, a room it makes has no owner. @default 100 */
  maxOwnedRooms?: number;
  /** Called for a connection the server's bans now refuse (its account or address): the session must end. */
  onBanned?: (sessionId: number) => void;
  /** An address as per-address limits count it, or undefined when the text is none (for server bans). */
  addressKey?: (address: string) => string | undefined;
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
  /** Where the connection comes from, as per-address limits count it. */
  address?: string;
  /** The connection asked for rooms' state and moderation events (`hello.features`: `rooms`). */
  roomEvents?: boolean;
  /** The connection asked to be told who is typing (`hello.features`: `typing`). */
  typingEvents?: boolean;
  /** The connection asked for reactions as they change (`hello.features`: `reactions`). */
  reactionEvents?: boolean;
  /** The connection asked for edits and deletes as they happen (`hello.features`: `edits`). */
  editEvents?: boolean;
  /** The connection asked for read markers (`hello.features`: `read`). */
  readEvents?: boolean;
  /** Room -> the last change `rev` the client has (`hello.revs`), for a resume. */
  revs?: ResumeMap;
  /** The last change `rev` of the mailbox the client has (`hello.drev`), for a resume. */
  drev?: number;
}

/**
 * The chat, as the session layer sees it. It knows nothing of sockets:
 * sessions call it, it answers through each connection's `Recipient`, and
 * it reaches history, fan-out, presence and accounts only through its
 * ports. Each concern has its module: this node's people and connections
 * (`Connections`), names (`Names`), rooms, membership and a room's fan-out
 * (`Rooms`), direct messages (`DirectMessages`), and answers to senders
 * (`Acks`). This class puts them together: it registers connections and
 * lets them go, and hands each bus event to the module it is for.
 */
export class ChatCore {
  private readonly connections = new Connections();
  private readonly names: Names;
  private readonly rooms: Rooms;
  private readonly directs: DirectMessages;
  private readonly acks: Acks;
  private readonly moderation: Moderation;
  private readonly changes: MessageChanges;
  private readonly directChanges: DirectChanges;
  private readonly searches: Search;
  private readonly readMarkers: ReadMarkers;

  constructor(private readonly options: ChatCoreOptions) {
    const { node, store, bus, directory, accounts, clock, ids } = options;
    const maxFrameBytes = options.maxFrameBytes ?? LIMITS.maxFrameBytes;
    const replay = { store, changes: options.changes, maxFrameBytes };
    const records = new RoomRecords(options.rooms, bus);
    this.acks = new Acks(node, bus, this.connections, (user, frame, origin) =>
      this.directs.handedOver(user, frame, origin),
    );
    this.names = new Names(
      node,
      directory,
      bus,
      this.connections,
      accounts,
      options.operators ?? new Set(),
    );
    this.moderation = new Moderation({
      bus,
      directory,
      accounts,
      store: options.rooms,
      records,
      names: this.names,
      clock,
      maxFrameBytes,
    });
    if (options.addressKey) this.moderation.normalAddress = options.addressKey;
    this.rooms = new Rooms({
      node,
      store,
      bus,
      directory,
      accounts,
      poster: options.poster ?? appendThenPublish(store, bus),
      clock,
      ids,
      replay,
      connections: this.connections,
      acks: this.acks,
      records,
      maxOwnedRooms: options.maxOwnedRooms ?? 100,
    });
    const changePoster = options.changePoster ?? changeThenPublish(options.changes, bus);
    this.changes = new MessageChanges({
      store,
      poster: changePoster,
      clock,
      isMember: (membership) => this.rooms.isMember(membership),
    });
    this.directChanges = new DirectChanges({ store, poster: changePoster, clock });
    this.searches = new Search(options.search);
    this.readMarkers = new ReadMarkers(options.readMarkers, bus);
    this.directs = new DirectMessages({
      node,
      ids,
      clock,
      bus,
      store,
      replay,
      poster: options.directPoster ?? appendThenPublishDirect(store, bus),
      holder: (nameKey) => this.names.holder(nameKey),
      renamedTo: (nameKey) => directory.renamedTo(nameKey),
      devicesOf: (owner) => this.connections.devicesOf(owner),
      isRegistered: (user) => this.connections.isRegistered(user),
      acknowledge: (origin, frame) => this.acks.acknowledge(origin, frame),
      answer: (origin, frame) => this.acks.answer(origin, frame),
      answerError: (origin, error, what) => this.acks.answerError(origin, error, what),
    });
    bus.subscribe((event) => this.onBusEvent(event));
  }

  /** Reads what must be known before the first connection: the server's bans. */
  async start(): Promise<void> {
    await this.moderation.loadServer();
  }

  /** Why connections from this address (its per-address key) are refused now, if they are. */
  addressBanned(address: string): string | undefined {
    const ban = this.moderation.server.addressBan(address, this.options.clock.now());
    return ban && `this address is banned from the server${ban.reason ? `: ${ban.reason}` : ''}`;
  }

  /** Why this account may not log in now, if it may not. */
  accountBanned(accountId: string): string | undefined {
    const ban = this.moderation.server.accountBan(accountId, this.options.clock.now());
    return ban && `this account is banned from the server${ban.reason ? `: ${ban.reason}` : ''}`;
  }

  /** People with a connection to this node. */
  get userCount(): number {
    return this.connections.personCount;
  }

  /** Rooms with members on this node. */
  get roomCount(): number {
    return this.rooms.count;
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
    const person = await this.names.personFor(
      key,
      account?.name ?? name,
      owner,
      account,
      identity.address,
    );
    if ('code' in person) return person;
    const user: ChatUser = {
      person,
      key,
      name: person.name,
      recipient,
      login: identity.login,
      address: identity.address,
      roomEvents: identity.roomEvents === true,
      typingEvents: identity.typingEvents === true,
      reactionEvents: identity.reactionEvents === true,
      editEvents: identity.editEvents === true,
      readEvents: identity.readEvents === true,
      typingSent: new Map(),
      rooms: new Map(),
      lastDseq: 0,
      lastDrev: 0,
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
    this.connections.add(user);

    const roomNames = this.rooms.roomsToJoin(person, account, resume, inherited);
    recipient.deliver(
      new Outgoing({
        type: 'welcome',
        version: PROTOCOL_VERSION,
        name: person.name,
        text: `Welcome ${person.name}: if you want to leave the chat, write ${QUIT_WORD}`,
        rooms: roomNames,
        server: this.options.serverName,
        ...(account ? { account: account.name } : {}),
        ...(identity.token ? { token: identity.token } : {}),
      }),
    );
    recipient.welcomed();
    // Before the replays: a client counts what is unread in them from its markers.
    await this.readMarkers.tell(user).catch(() => undefined);
    const remembered = new Set(account?.rooms.map(foldRoom));
    for (const room of roomNames) {
      const after = resume ? findResume(resume, room) : undefined;
      const rev =
        after !== undefined && identity.revs ? findResume(identity.revs, room) : undefined;
      try {
        const refused = await this.rooms.enter(
          user,
          room,
          { ...(after === undefined ? {} : { after }), ...(rev === undefined ? {} : { rev }) },
          remembered.has(foldRoom(room)),
        );
        // A room whose rules keep them out now (a ban, an invitation gone) is left out, and they are told.
        if (refused) recipient.deliver(new Outgoing({ type: 'error', ...refused }));
      } catch (error) {
        // Welcomed, so registered: a room the cluster cannot record now is
        // left out and the user told, rather than the session half made.
        const { code } = ConfabError.from(error);
        if (code !== 'unavailable') throw error;
        recipient.deliver(
          new Outgoing({
            type: 'error',
            code,
            message: `cannot join ${room} right now; /join it again in a moment`,
          }),
        );
      }
    }
    const joined = new Set(user.rooms.keys());
    if (account && (joined.size !== remembered.size || [...joined].some((r) => !remembered.has(r))))
      await this.rooms.rememberRooms(user);
    if (user.directHeld) await this.directs.replayMailbox(user, identity.dseq, identity.drev);
    return user;
  }

  /** Whether someone here holds a name that looks like `name` (and is not it). */
  looksLikeSomeoneHere(name: string): Promise<boolean> {
    return this.names.looksLikeSomeoneHere(name);
  }

  /** Whether a connection is still registered (a session may end while a call awaits). */
  isRegistered(user: ChatUser): boolean {
    return this.connections.isRegistered(user);
  }

  /** Joins a room, for the person, if its rules let them in (see `Rooms.join`). */
  join(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    return this.rooms.join(user, roomName);
  }

  /** A moderation request on a room (see `Moderation.room`). */
  moderate(
    user: ChatUser,
    roomName: string,
    request: RoomRequest,
  ): Promise<FrameError | undefined> {
    return this.moderation.room(user, roomName, request);
  }

  /** A ban or unban of the whole server, by an operator. */
  moderateServer(user: ChatUser, request: ServerRequest): Promise<FrameError | undefined> {
    return this.moderation.serverChange(user, request);
  }

  /** Answers `list` with the room list. */
  list(user: ChatUser, filter: string | undefined): Promise<void> {
    return this.moderation.list(user, filter);
  }

  /** Answers `bans`: a room's, or (no room) the server's. */
  bans(user: ChatUser, roomName: string | undefined): Promise<FrameError | undefined> {
    return this.moderation.bans(user, roomName);
  }

  /** Answers `users` (operators). */
  users(user: ChatUser, filter: string | undefined): Promise<FrameError | undefined> {
    return this.moderation.users(user, filter);
  }

  /** Answers `modlog`: a page of a room's or the server's moderation log. */
  modlog(
    user: ChatUser,
    roomName: string | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<FrameError | undefined> {
    return this.moderation.modlog(user, roomName, before, limit);
  }

  /** Leaves a room, for the person (see `Rooms.part`). */
  part(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    return this.rooms.part(user, roomName);
  }

  /** Posts a room message (see `Rooms.say`). */
  say(
    user: ChatUser,
    roomName: string,
    text: string,
    action: boolean,
    ref: string | undefined,
    replyTo?: string,
  ): FrameError | undefined | Promise<FrameError | undefined> {
    return this.rooms.say(user, roomName, text, action, ref, replyTo);
  }

  /** Sends a direct message to one person (see `DirectMessages`). */
  dm(
    user: ChatUser,
    to: string,
    text: string,
    action: boolean,
    ref: string | undefined,
    replyTo?: string,
  ): Promise<FrameError | undefined> {
    return this.directs.send(user, to, text, action, this.acks.origin(user, ref), replyTo);
  }

  /** The user read a conversation up to a message (see `ReadMarkers`). */
  read(user: ChatUser, frame: ReadFrame): Promise<FrameError | undefined> {
    return this.readMarkers.read(user, frame);
  }

  /** Finds messages by their words, where the user may read them (see `Search`). */
  search(user: ChatUser, frame: SearchFrame): Promise<FrameError | undefined> {
    return this.searches.search(user, frame);
  }

  /** Puts a reaction on a message, or takes it back (see `MessageChanges.react`, `DirectChanges.react`). */
  react(user: ChatUser, frame: ReactFrame): Promise<FrameError | undefined> {
    return frame.room === undefined
      ? this.directChanges.react(user, frame)
      : this.changes.react(user, frame.room, frame);
  }

  /** Replaces the text of one's own message (see `MessageChanges.edit`, `DirectChanges.edit`). */
  edit(user: ChatUser, frame: EditFrame): Promise<FrameError | undefined> {
    return frame.room === undefined
      ? this.directChanges.edit(user, frame)
      : this.changes.edit(user, frame.room, frame);
  }

  /** Deletes a message (see `MessageChanges.remove`, `DirectChanges.remove`). */
  remove(user: ChatUser, frame: DeleteFrame): Promise<FrameError | undefined> {
    return frame.room === undefined
      ? this.directChanges.remove(user, frame)
      : this.changes.remove(user, frame.room, frame);
  }

  /** Tells a room, or a person (`to`), that the user is typing, or stopped (see `typing.ts`). */
  typing(
    user: ChatUser,
    where: { room: string } | { to: string },
    stopped: boolean,
  ): FrameError | undefined | Promise<FrameError | undefined> {
    return 'room' in where
      ? this.rooms.typing(user, where.room, stopped)
      : this.directs.typing(user, where.to, stopped);
  }

  /** Changes a guest's name (see `Names.nick`). */
  nick(user: ChatUser, name: string): Promise<FrameError | undefined> {
    return this.names.nick(user, name);
  }

  /** Answers `who` with the room's `names`. */
  who(user: ChatUser, roomName: string): Promise<FrameError | undefined> {
    return this.rooms.who(user, roomName);
  }

  /** Answers `history`: a page of messages before `before` (or the newest). */
  history(
    user: ChatUser,
    roomName: string,
    before: number | undefined,
    limit: number,
  ): Promise<FrameError | undefined> {
    return this.rooms.history(user, roomName, before, limit);
  }

  /** Answers `history` with `around`: the messages around a seq (see `Rooms.historyAround`). */
  historyAround(
    user: ChatUser,
    roomName: string,
    around: number,
    limit: number,
  ): Promise<FrameError | undefined> {
    return this.rooms.historyAround(user, roomName, around, limit);
  }

  /** Resolves once every message the user sent has been answered (ack or error). */
  settled(user: ChatUser): Promise<void> {
    return this.acks.settled(user);
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
    this.connections.reindex(person, owner);
    person.accountId = account.id;
    person.operator = this.names.isOperator(account.nameKey);
    user.login = login;
    // The name is now held by the account's identity, for messages sent from other nodes.
    await this.names.holdForAccount(person, owner);
    await this.rooms.rememberRooms(user);
  }

  /**
   * Removes a connection from the chat. When it was the person's last one
   * in a room (on every node), the other members get `left` with `reason`
   * (unless `announce` is false); when it was their last one here, the
   * name is freed on this node. The connection itself is told nothing.
   */
  async leave(user: ChatUser, reason: LeaveReason, announce = true): Promise<void> {
    if (!this.connections.isRegistered(user)) return;
    const person = user.person;
    this.connections.remove(user);
    await this.rooms.leaveAll(user, reason, announce);
    if (person.devices.size === 0) await this.names.release(person);
  }

  /**
   * Takes a guest's old connection out of the chat for the new one, which
   * takes its place: the person stays in the directory and in their rooms
   * (no room hears them leave and come back), and the old session is told
   * to end (its leave then finds nothing to do).
   */
  private replace(device: ChatUser): void {
    this.connections.remove(device);
    this.rooms.dropMemberships(device);
    this.options.onReplaced?.(device.recipient.sessionId);
  }

  /** Hands each event from the bus to the module it is for. */
  private onBusEvent(event: BusEvent): void {
    switch (event.kind) {
      case 'room':
        this.rooms.deliverToRoom(
          event.roomKey,
          new Outgoing(event.frame),
          event.seq,
          event.except,
          event.feature,
          event.rev,
        );
        if (event.frame.type === 'message') this.acks.echoed(event.frame);
        break;
      case 'room-changed':
        void this.rooms.roomChanged(event).catch(() => undefined);
        break;
      case 'evict':
        void this.rooms.evict(event);
        break;
      case 'server-changed':
        void this.serverChanged();
        break;
      case 'to-person': {
        const out = new Outgoing(event.frame);
        for (const device of this.connections.devicesOf(event.owner))
          if (wants(device, event.feature)) device.recipient.deliver(out);
        break;
      }
      case 'direct':
        this.directs.deliverToOwner(event.owner, event.frame, event.ack);
        break;
      case 'direct-change':
        this.directs.deliverChange(event.owner, event.frame, event.rev, event.feature);
        break;
      case 'handover':
        if (event.node === this.options.node)
          this.directs.handOver(event.owner, event.frame, event.origin);
        break;
      case 'nick':
        this.rooms.deliverNick(event);
        break;
      case 'reply':
        this.acks.deliverReply(event.origin, event.frame);
        break;
      case 'person':
        if (event.node !== this.options.node) void this.rooms.followPerson(event);
        break;
      case 'revoked':
        this.endLogins(new Set(event.logins));
        break;
      case 'returned':
        if (event.node !== this.options.node)
          for (const device of [...this.connections.devicesOf(event.owner)])
            this.options.onReplaced?.(device.recipient.sessionId);
        break;
      case 'resync':
        void this.rooms.catchUp();
        break;
    }
  }

  /** The server's bans changed: they are read again, and the connections they now refuse end. */
  private async serverChanged(): Promise<void> {
    await this.moderation.loadServer().catch(() => undefined);
    const now = this.options.clock.now();
    const rules = this.moderation.server;
    for (const user of [...this.connections.users()]) {
      const id = user.person.accountId;
      const banned =
        (id !== undefined && rules.accountBan(id, now)) ||
        (user.address !== undefined && rules.addressBan(user.address, now));
      if (banned) this.options.onBanned?.(user.recipient.sessionId);
    }
  }

  /** Connections logged in with these logins end (logged out from elsewhere). */
  private endLogins(logins: ReadonlySet<string>): void {
    for (const user of this.connections.users())
      if (user.login !== undefined && logins.has(user.login))
        this.options.onRevoked?.(user.recipient.sessionId);
  }
}

/** The resume seq (or rev) for a room, matched ignoring case. */
function findResume(resume: ResumeMap, room: string): number | undefined {
  const key = foldRoom(room);
  for (const [name, seq] of Object.entries(resume)) if (foldRoom(name) === key) return seq;
  return undefined;
}
