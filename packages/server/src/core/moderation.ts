import type {
  BanInfo,
  FrameError,
  ModAction,
  ModFrame,
  ModlogEntry,
  ModlogFrame,
  RoomListing,
  RoomModes,
  RoomRole,
  ServerFrame,
  UserInfo,
} from '@confab/protocol';
import { foldName, foldRoom } from '@confab/protocol';
import { listFrames } from './history-pages.js';
import type { Names } from './names.js';
import { Outgoing } from './outgoing.js';
import type { ChatUser } from './people.js';
import { actorOf } from './people.js';
import type {
  AccountStore,
  Bus,
  Clock,
  Directory,
  ModlogRecord,
  RoomStore,
  ServerRecord,
} from './ports.js';
import type { RoomRecords, Written } from './room-records.js';
import type { Actor, RoomChange, RoomRecord } from './room-policy.js';
import type { ServerTarget } from './server-policy.js';
import { ServerRules, applyServerChange } from './server-policy.js';

/** Rooms looked at for the room list (those with people, and those owned), at most. */
const LIST_SCAN = 1_000;
/** Rooms in one answer to `list`; a filter finds the others. */
const LIST_MOST = 200;
/** People in one answer to `users`. */
const USERS_MOST = 1_000;
/** Writes of the server's record retried when another node wrote it first. */
const WRITE_ATTEMPTS = 8;

/** What moderation needs of the rest of the chat. */
export interface ModerationContext {
  bus: Bus;
  directory: Directory;
  accounts: AccountStore | undefined;
  store: RoomStore | undefined;
  records: RoomRecords;
  names: Names;
  clock: Clock;
  maxFrameBytes: number;
}

/** A moderation request on a room, as the session layer passes it on. */
export type RoomRequest =
  | { kind: 'topic'; text: string }
  | { kind: 'mode'; modes: Partial<RoomModes> }
  | { kind: 'claim' }
  | { kind: 'role'; name: string; role: RoomRole }
  | { kind: 'kick'; name: string; reason?: string }
  | { kind: 'ban'; name: string; duration?: number; reason?: string }
  | { kind: 'unban'; name: string }
  | { kind: 'mute'; name: string; duration?: number; reason?: string }
  | { kind: 'unmute'; name: string }
  | { kind: 'invite'; name: string }
  | { kind: 'uninvite'; name: string }
  | { kind: 'close'; reason?: string }
  | { kind: 'reopen' };

/** A ban or unban of the server: a person's (their account, or a guest's address) or an address's. */
export type ServerRequest =
  | { kind: 'ban'; name?: string; address?: string; duration?: number; reason?: string }
  | { kind: 'unban'; name?: string; address?: string };

function error(code: FrameError['code'], message: string): FrameError {
  return { code, message };
}

/**
 * What owners, moderators and operators do: each request is checked and
 * applied by the room's rules (`room-policy.ts`) against its record as
 * stored now, written over the version read, logged, and told to the room
 * as a `mod` event; kicks and bans go to every node (`evict`), and each
 * takes its own people out. Also the lists: rooms, bans, who is connected
 * and the moderation log.
 */
export class Moderation {
  /** The server's bans as this node last read them. */
  private serverRules = new ServerRules();

  constructor(private readonly context: ModerationContext) {}

  /** The server's bans, for the checks at connecting and logging in. */
  get server(): ServerRules {
    return this.serverRules;
  }

  /** Reads the server's bans again (at start, and when another node changed them). */
  async loadServer(): Promise<void> {
    const record = await this.context.store?.server();
    if (record && record.version >= this.serverRules.version)
      this.serverRules = new ServerRules(record);
  }

  /** A change to a room: applied, logged and told, or refused. */
  async room(
    user: ChatUser,
    roomName: string,
    request: RoomRequest,
  ): Promise<FrameError | undefined> {
    const actor = actorOf(user);
    const roomKey = foldRoom(roomName);
    const rules = await this.context.records.rules(roomKey, roomName);
    // A room is claimed, and its topic set by anyone without a role there, from inside it: a room
    // one is not in (a secret one included) answers as one that does not exist.
    if (request.kind === 'claim' || request.kind === 'topic') {
      if (!user.rooms.has(roomKey) && (request.kind === 'claim' || !rules.moderates(actor)))
        return error('not_in_room', `you are not in ${roomName}`);
    } else if (!rules.moderates(actor)) {
      // Refused before anything is looked up, so that the answer says nothing of the room or the person.
      return error('not_allowed', `only ${roomName}'s owner and moderators may do that`);
    }
    const found = 'name' in request ? await this.target(request.name) : undefined;
    // A ban is lifted by the name it was made against, even when no one holds that name now.
    if (found && 'code' in found && request.kind !== 'unban') return found;
    const target = found && !('code' in found) ? found : undefined;
    const change = this.changeOf(request, target, user);
    if ('code' in change) return change;
    const needsMember = request.kind === 'kick' || request.kind === 'mute';
    if (
      needsMember &&
      target &&
      !(await this.context.directory.isMember(roomKey, foldName(target.name)))
    )
      return error('not_in_room', `${target.name} is not in ${roomName}`);
    const written = await this.context.records.write(
      roomKey,
      roomName,
      actor,
      change,
      this.context.clock.now(),
    );
    if ('code' in written) return written;
    const mod = await this.tell(actor, written, request, change, target);
    // Someone acting on a room they are not in hears what they did from here.
    if (!user.rooms.has(roomKey)) user.recipient.deliver(new Outgoing(mod));
    return undefined;
  }

  /** The change a request asks for, with its person and the end of a ban or mute. */
  private changeOf(
    request: RoomRequest,
    target: Actor | undefined,
    user: ChatUser,
  ): RoomChange | FrameError {
    const until = (seconds: number | undefined) =>
      seconds === undefined ? {} : { until: this.context.clock.now() + seconds * 1000 };
    const reason = (text: string | undefined) => (text === undefined ? {} : { reason: text });
    switch (request.kind) {
      case 'topic':
      case 'mode':
      case 'claim':
      case 'reopen':
        return request.kind === 'topic'
          ? { kind: 'topic', text: request.text }
          : request.kind === 'mode'
            ? { kind: 'mode', modes: request.modes }
            : { kind: request.kind };
      case 'close':
        return { kind: 'close', ...reason(request.reason) };
      case 'unban':
        return { kind: 'unban', name: request.name, ...(target ? { target } : {}) };
      default:
        break;
    }
    if (!target) return error('no_such_user', 'name someone');
    if (target.identity === user.person.owner && request.kind !== 'role')
      return error('not_allowed', 'you cannot do that to yourself');
    switch (request.kind) {
      case 'role':
        return { kind: 'role', target, role: request.role };
      case 'kick':
        return { kind: 'kick', target };
      case 'ban':
        return { kind: 'ban', target, ...until(request.duration), ...reason(request.reason) };
      case 'mute':
        return { kind: 'mute', target, ...until(request.duration), ...reason(request.reason) };
      case 'unmute':
        return { kind: 'unmute', target };
      case 'invite':
        return { kind: 'invite', target };
      case 'uninvite':
        return { kind: 'uninvite', target };
    }
  }

  /**
   * Someone acted on, as the rules see them: whoever holds the name now (a
   * guest with their address), or the account of that name (away).
   */
  private async target(name: string): Promise<Actor | FrameError> {
    const nameKey = foldName(name);
    const holder = await this.context.names.holder(nameKey);
    if (!holder)
      return error('no_such_user', `no one called ${name} is here, and no account has that name`);
    const account = holder.owner.startsWith('a:');
    return {
      identity: holder.owner,
      name: holder.name,
      account,
      operator: account && this.context.names.isOperator(nameKey),
      ...(holder.address === undefined ? {} : { address: holder.address }),
    };
  }

  /** A change made: the room hears it, those removed leave on every node, the log keeps it. Returns its `mod` event. */
  private async tell(
    actor: Actor,
    written: Written,
    request: RoomRequest,
    change: RoomChange,
    target: Actor | undefined,
  ): Promise<ModFrame> {
    const { bus, clock } = this.context;
    const record = written.after;
    const roomKey = record.key;
    const now = clock.now();
    const until = 'until' in change ? change.until : undefined;
    const text =
      request.kind === 'topic' ? request.text : 'reason' in request ? request.reason : undefined;
    const mod: ModFrame = {
      type: 'mod',
      room: record.name,
      action: request.kind as ModAction,
      by: actor.name,
      ts: now,
      ...(target ? { name: target.name } : 'name' in request ? { name: request.name } : {}),
      ...(request.kind === 'role' ? { role: request.role } : {}),
      ...(request.kind === 'mode' ? { modes: record.modes } : {}),
      ...(text === undefined || text === '' ? {} : { text }),
      ...(until === undefined ? {} : { until }),
    };
    // A kick is told by the `left` it causes, to everyone, with who and why.
    if (request.kind !== 'kick')
      bus.publish({ kind: 'room', roomKey, frame: mod, feature: 'rooms' });
    if (request.kind === 'invite' && target)
      bus.publish({ kind: 'to-person', owner: target.identity, frame: mod, feature: 'rooms' });
    if ((request.kind === 'kick' || request.kind === 'ban') && target) {
      bus.publish({
        kind: 'evict',
        roomKey,
        identity: target.identity,
        ...(request.kind === 'ban' && !target.account && target.address !== undefined
          ? { address: target.address }
          : {}),
        by: actor.name,
        ...(text === undefined ? {} : { text }),
        ...(request.kind === 'ban' ? { banned: true } : {}),
        ...(until === undefined ? {} : { until }),
      });
      if (request.kind === 'ban' && target.account) await this.forgetRoom(target.identity, roomKey);
    }
    if (request.kind === 'close')
      bus.publish({
        kind: 'evict',
        roomKey,
        all: true,
        by: actor.name,
        ...(text === undefined ? {} : { text }),
      });
    await this.log({
      scope: roomKey,
      ts: now,
      room: record.name,
      action: mod.action,
      by: actor.name,
      ...(mod.name === undefined ? {} : { name: mod.name }),
      ...(mod.role === undefined ? {} : { role: mod.role }),
      ...(request.kind === 'mode'
        ? { text: modesText(record) }
        : text === undefined
          ? {}
          : { text }),
      ...(until === undefined ? {} : { until }),
    });
    return mod;
  }

  /** A banned account forgets the room, so that no login of it tries to come back. */
  private async forgetRoom(identity: string, roomKey: string): Promise<void> {
    const accounts = this.context.accounts;
    if (!accounts || !identity.startsWith('a:')) return;
    const account = await accounts.byId(identity.slice(2));
    if (!account) return;
    const rooms = account.rooms.filter((room) => foldRoom(room) !== roomKey);
    if (rooms.length !== account.rooms.length)
      await accounts.setRooms(account.id, rooms).catch(() => undefined);
  }

  private async log(entry: Omit<ModlogRecord, 'id'>): Promise<void> {
    await this.context.store?.log(entry).catch(() => undefined);
  }

  // --- The server's bans -----------------------------------------------------------

  /** A ban or unban of the server, by an operator: every node then ends what it now refuses. */
  async serverChange(user: ChatUser, request: ServerRequest): Promise<FrameError | undefined> {
    const { store, bus, clock } = this.context;
    const actor = actorOf(user);
    if (!actor.operator) return error('not_allowed', "only the server's operators may do that");
    if (!store) return error('not_allowed', 'this server keeps no bans');
    const target = await this.serverTarget(request);
    if ('code' in target) return target;
    const now = clock.now();
    const until =
      request.kind === 'ban' && request.duration !== undefined
        ? now + request.duration * 1000
        : undefined;
    const reason = request.kind === 'ban' ? request.reason : undefined;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const record: ServerRecord = await store.server();
      const result = applyServerChange(
        record,
        actor,
        request.kind === 'ban'
          ? {
              kind: 'ban',
              target,
              ...(until === undefined ? {} : { until }),
              ...(reason === undefined ? {} : { reason }),
            }
          : { kind: 'unban', target },
        now,
      );
      if ('refused' in result) return result.refused;
      if (!(await store.putServer(result.record, record.version))) continue;
      bus.publish({ kind: 'server-changed', version: result.record.version });
      const name = 'account' in target ? target.account.name : target.name;
      user.recipient.deliver(
        new Outgoing({
          type: 'mod',
          action: request.kind,
          by: actor.name,
          name: name ?? ('address' in target ? target.address : ''),
          ts: now,
          ...(reason === undefined ? {} : { text: reason }),
          ...(until === undefined ? {} : { until }),
        }),
      );
      await this.log({
        scope: '',
        ts: now,
        action: request.kind,
        by: actor.name,
        ...(name === undefined ? {} : { name }),
        ...('address' in target ? { address: target.address } : {}),
        ...(reason === undefined ? {} : { text: reason }),
        ...(until === undefined ? {} : { until }),
      });
      return undefined;
    }
    return error('unavailable', 'the server’s bans are changing too fast right now; try again');
  }

  /** What a server ban names: an account, a guest's address, or an address given. */
  private async serverTarget(request: ServerRequest): Promise<ServerTarget | FrameError> {
    if (request.address !== undefined) {
      const address = this.normalAddress(request.address);
      return address === undefined
        ? error('invalid_field', `${request.address} is not an IP address`)
        : { address };
    }
    const name = request.name ?? '';
    const nameKey = foldName(name);
    const holder = await this.context.names.holder(nameKey);
    if (holder?.owner.startsWith('a:'))
      return {
        account: { id: holder.owner.slice(2), name: holder.name },
        operator: this.context.names.isOperator(nameKey),
      };
    if (request.kind === 'unban') {
      // A guest's ban is lifted by the name it was made against.
      const ban = (await this.context.store!.server()).bans.find(
        (b) => b.name !== undefined && foldName(b.name) === nameKey,
      );
      if (ban?.address !== undefined) return { address: ban.address, name: ban.name! };
    }
    if (holder?.address !== undefined) return { address: holder.address, name: holder.name };
    return error('no_such_user', `no one called ${name} is here, and no account has that name`);
  }

  /** Set by the server: an address as per-address limits count it, or undefined when it is none. */
  normalAddress: (address: string) => string | undefined = () => undefined;

  // --- Lists ----------------------------------------------------------------------------

  /** `list`: rooms that are not secret, the fullest first, those matching `filter`. */
  async list(user: ChatUser, filter: string | undefined): Promise<void> {
    const { directory, store } = this.context;
    const counts = await directory.roomCounts(LIST_SCAN);
    const owned = (await store?.ownedRooms(LIST_SCAN)) ?? [];
    const keys = [...new Set([...counts.map((c) => c.roomKey), ...owned])];
    const records = new Map(((await store?.rooms(keys)) ?? []).map((r) => [r.key, r]));
    const people = new Map(counts.map((c) => [c.roomKey, c]));
    const wanted = filter === undefined ? undefined : foldName(filter);
    const rooms: RoomListing[] = [];
    for (const key of keys) {
      const record = records.get(key);
      if (record?.modes.secret || record?.closed) continue;
      const room = record?.name ?? people.get(key)?.room ?? key;
      const topic = record?.topic?.text;
      if (wanted !== undefined && !foldName(`${room} ${topic ?? ''}`).includes(wanted)) continue;
      rooms.push({ room, members: people.get(key)?.members ?? 0, ...(topic ? { topic } : {}) });
    }
    rooms.sort((a, b) => b.members - a.members || (foldRoom(a.room) < foldRoom(b.room) ? -1 : 1));
    await this.sendList(user, rooms.slice(0, LIST_MOST), (page, more) => ({
      type: 'rooms' as const,
      rooms: page,
      ...(more ? { more } : {}),
    }));
  }

  /** `bans`: a room's, to its owner and moderators; the server's, to operators (with addresses). */
  async bans(user: ChatUser, roomName: string | undefined): Promise<FrameError | undefined> {
    const actor = actorOf(user);
    const now = this.context.clock.now();
    const live = (until: number | undefined) => until === undefined || until > now;
    let bans: BanInfo[];
    if (roomName === undefined) {
      if (!actor.operator)
        return error('not_allowed', "only the server's operators may see its bans");
      const record = (await this.context.store?.server()) ?? { version: 0, bans: [] };
      bans = record.bans
        .filter((ban) => live(ban.until))
        .map((ban) => ({
          ...(ban.account
            ? { name: ban.account.name, account: true }
            : ban.name === undefined
              ? {}
              : { name: ban.name }),
          ...(ban.address === undefined ? {} : { address: ban.address }),
          by: ban.by,
          ...(ban.reason === undefined ? {} : { reason: ban.reason }),
          ts: ban.ts,
          ...(ban.until === undefined ? {} : { until: ban.until }),
        }));
    } else {
      const rules = await this.context.records.rules(foldRoom(roomName), roomName);
      if (!rules.moderates(actor))
        return error('not_allowed', `only ${roomName}'s owner and moderators may see its bans`);
      bans = rules.record.bans
        .filter((ban) => live(ban.until))
        .map((ban) => ({
          name: ban.name,
          ...(ban.account ? { account: true } : {}),
          by: ban.by,
          ...(ban.reason === undefined ? {} : { reason: ban.reason }),
          ts: ban.ts,
          ...(ban.until === undefined ? {} : { until: ban.until }),
        }));
    }
    const room = roomName === undefined ? {} : { room: roomName };
    await this.sendList(user, bans, (page, more) => ({
      type: 'bans' as const,
      ...room,
      bans: page,
      ...(more ? { more } : {}),
    }));
    return undefined;
  }

  /** `users`, for operators: who is connected, with the address each came from. */
  async users(user: ChatUser, filter: string | undefined): Promise<FrameError | undefined> {
    if (!user.person.operator)
      return error('not_allowed', "only the server's operators may list who is connected");
    const wanted = filter === undefined ? undefined : foldName(filter);
    const people: UserInfo[] = (await this.context.directory.people(USERS_MOST))
      .filter((holder) => wanted === undefined || foldName(holder.name).includes(wanted))
      .map((holder) => ({
        name: holder.name,
        account: holder.owner.startsWith('a:'),
        ...(holder.address === undefined ? {} : { address: holder.address }),
      }))
      .sort((a, b) => (foldName(a.name) < foldName(b.name) ? -1 : 1));
    await this.sendList(user, people, (page, more) => ({
      type: 'users' as const,
      users: page,
      ...(more ? { more } : {}),
    }));
    return undefined;
  }

  /** `modlog`: a room's log to its owner (and operators); the server's to operators. */
  async modlog(
    user: ChatUser,
    roomName: string | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<FrameError | undefined> {
    const actor = actorOf(user);
    const store = this.context.store;
    let scope = '';
    if (roomName === undefined) {
      if (!actor.operator)
        return error('not_allowed', "only the server's operators may read the server's log");
    } else {
      scope = foldRoom(roomName);
      const rules = await this.context.records.rules(scope, roomName);
      if (!rules.owns(actor))
        return error('not_allowed', `only ${roomName}'s owner may read its moderation log`);
    }
    const found = (await store?.readLog(scope, before, limit + 1)) ?? [];
    const older = found.length > limit;
    const entries: ModlogEntry[] = found
      .slice(older ? 1 : 0)
      .map(({ scope: _scope, ...entry }) => entry);
    const frame = (page: ModlogEntry[], more: boolean): ModlogFrame => ({
      type: 'modlog',
      ...(roomName === undefined ? {} : { room: roomName }),
      entries: page,
      more,
    });
    // One page, of the newest entries that fit a frame: `more` says older ones exist.
    const pages = listFrames(entries, this.context.maxFrameBytes, frame);
    const newest = pages.at(-1)!;
    if (!(await user.recipient.ready())) return undefined;
    const out = new Outgoing(frame(newest.entries, older || pages.length > 1));
    user.recipient.deliver(out);
    user.recipient.spent(out.line.length);
    return undefined;
  }

  /** A list in as many frames as it takes to fit, each when the connection is ready for it. */
  private async sendList<T, F extends ServerFrame>(
    user: ChatUser,
    items: readonly T[],
    make: (page: T[], more: boolean) => F,
  ): Promise<void> {
    for (const frame of listFrames(items, this.context.maxFrameBytes, make)) {
      if (!(await user.recipient.ready())) return;
      const out = new Outgoing(frame);
      user.recipient.deliver(out);
      user.recipient.spent(out.line.length);
    }
  }
}

/** A room's modes as `+i -s +m -t`, for the log. */
function modesText(record: RoomRecord): string {
  const { invite_only, secret, moderated, topic_locked } = record.modes;
  const sign = (on: boolean) => (on ? '+' : '-');
  return `${sign(invite_only)}i ${sign(secret)}s ${sign(moderated)}m ${sign(topic_locked)}t`;
}
