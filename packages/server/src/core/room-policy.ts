import type { FrameError, RoomFrame, RoomModes, RoomRole } from '@confab/protocol';
import { DEFAULT_ROOM, foldName, foldRoom, utcWords } from '@confab/protocol';

/*
 * A room's rules, as pure functions: who may join, who may speak, and what
 * each moderation request does to the room's record. Nothing here reads a
 * store or sends a frame: the record goes in, a new record (or a refusal
 * with its code) comes out, so every rule is tested on its own
 * (`test/room-policy.test.ts`) and the same rules hold on every node.
 */

/** A role someone was given in a room. Roles are kept by account (`identity` is `a:<id>`). */
export interface RoleGrant {
  identity: string;
  name: string;
  role: 'moderator' | 'voice';
}

/** A ban: of an identity, and for a guest also of the address it came from. */
export interface RoomBan {
  identity: string;
  /** The name banned, as it was then. */
  name: string;
  /** An account's ban (it holds whatever name; its address does not matter). */
  account: boolean;
  /** A guest's address (as per-address limits count it: an IPv6 /64 is one). */
  address?: string;
  by: string;
  reason?: string;
  ts: number;
  /** Ends then; absent: until lifted. */
  until?: number;
}

export interface RoomMute {
  identity: string;
  name: string;
  by: string;
  reason?: string;
  ts: number;
  until?: number;
}

export interface RoomInvite {
  identity: string;
  name: string;
  by: string;
  ts: number;
}

/**
 * What is kept of a room beyond its messages. `version` grows with every
 * write: a store writes a record only over the version it was read at, so
 * two nodes changing a room at once cannot lose either change.
 */
export interface RoomRecord {
  key: string;
  name: string;
  version: number;
  owner?: { identity: string; name: string };
  topic?: { text: string; by: string; ts: number };
  modes: RoomModes;
  closed?: { by: string; reason?: string; ts: number };
  roles: RoleGrant[];
  bans: RoomBan[];
  mutes: RoomMute[];
  invites: RoomInvite[];
}

/** Most roles, bans, mutes and invitations a room keeps: every list a client can grow has a bound. */
export const ROOM_LIST_BOUNDS = { roles: 200, bans: 1_000, mutes: 1_000, invites: 1_000 } as const;

/** Someone acting in a room, or acted on. */
export interface Actor {
  /** Their identity (see `owners.ts`): an account's `a:<id>`, a keyed guest's `g:…`, else `e:…`. */
  identity: string;
  name: string;
  /** Logged in to an account. */
  account: boolean;
  /** One of the server's operators. */
  operator: boolean;
  /** Where a guest connects from (the per-address key); for address bans. */
  address?: string;
}

/** How much say someone has in a room; operators above every owner. */
const RANK: Record<RoomRole | 'operator', number> = {
  member: 0,
  voice: 1,
  moderator: 2,
  owner: 3,
  operator: 4,
};

const NO_MODES: RoomModes = {
  invite_only: false,
  secret: false,
  moderated: false,
  topic_locked: false,
};

/** The record of a room nothing was ever kept for: no owner, no rules. */
export function emptyRecord(key: string, name: string): RoomRecord {
  return { key, name, version: 0, modes: NO_MODES, roles: [], bans: [], mutes: [], invites: [] };
}

/** The record of a room just made by someone logged in: theirs, its topic theirs to set. */
export function ownedRecord(key: string, name: string, owner: Actor): RoomRecord {
  return {
    ...emptyRecord(key, name),
    owner: { identity: owner.identity, name: owner.name },
    modes: { ...NO_MODES, topic_locked: true },
  };
}

/** Whether a room belongs to the server's operators (the server's default room). */
export function isOperatorsRoom(key: string): boolean {
  return key === foldRoom(DEFAULT_ROOM);
}

function active(until: number | undefined, now: number): boolean {
  return until === undefined || until > now;
}

/**
 * A room's record with the lookups its checks need, made once per record:
 * the checks on a message's path are a few map reads, however many bans,
 * mutes and roles the room has.
 */
export class RoomRules {
  private readonly roles = new Map<string, RoleGrant['role']>();
  /** Roles by folded name, for member lists (only accounts hold roles, and an account's name is its own). */
  private readonly rolesByName = new Map<string, Exclude<RoomRole, 'member'>>();
  private readonly bansByIdentity = new Map<string, RoomBan>();
  private readonly bansByAddress = new Map<string, RoomBan>();
  private readonly mutes = new Map<string, RoomMute>();
  private readonly invites = new Set<string>();
  /** False when anyone in the room may speak: `say` then checks nothing else. */
  readonly restrictsSpeech: boolean;

  constructor(readonly record: RoomRecord) {
    for (const grant of record.roles) {
      this.roles.set(grant.identity, grant.role);
      this.rolesByName.set(foldName(grant.name), grant.role);
    }
    if (record.owner) this.rolesByName.set(foldName(record.owner.name), 'owner');
    for (const ban of record.bans) {
      this.bansByIdentity.set(ban.identity, ban);
      if (ban.address !== undefined) this.bansByAddress.set(ban.address, ban);
    }
    for (const mute of record.mutes) this.mutes.set(mute.identity, mute);
    for (const invite of record.invites) this.invites.add(invite.identity);
    this.restrictsSpeech = record.modes.moderated || record.mutes.length > 0;
  }

  get key(): string {
    return this.record.key;
  }

  get version(): number {
    return this.record.version;
  }

  /** The role someone holds in the room (an operator's own, not their powers). */
  roleOf(actor: Actor): RoomRole {
    if (this.record.owner?.identity === actor.identity) return 'owner';
    if (actor.operator && isOperatorsRoom(this.key)) return 'owner';
    return this.roles.get(actor.identity) ?? 'member';
  }

  /** The role of a member by name, for member lists. */
  roleByName(nameKey: string): Exclude<RoomRole, 'member'> | undefined {
    return this.rolesByName.get(nameKey);
  }

  /** How much say someone has: their role's rank, or an operator's, above all. */
  rank(actor: Actor): number {
    return actor.operator ? RANK.operator : RANK[this.roleOf(actor)];
  }

  /** Whether `actor` moderates the room: its owner, a moderator, or an operator. */
  moderates(actor: Actor): boolean {
    return this.rank(actor) >= RANK.moderator;
  }

  /** Whether `actor` owns the room (or, as an operator, may do all its owner may). */
  owns(actor: Actor): boolean {
    return this.rank(actor) >= RANK.owner;
  }

  /** The ban that keeps `actor` out now: of their identity, or for a guest of their address. */
  banOf(actor: Actor, now: number): RoomBan | undefined {
    const byIdentity = this.bansByIdentity.get(actor.identity);
    if (byIdentity && active(byIdentity.until, now)) return byIdentity;
    if (actor.account || actor.address === undefined) return undefined;
    const byAddress = this.bansByAddress.get(actor.address);
    return byAddress && active(byAddress.until, now) ? byAddress : undefined;
  }

  /** The mute that keeps `actor` quiet now. */
  muteOf(actor: Actor, now: number): RoomMute | undefined {
    const mute = this.mutes.get(actor.identity);
    return mute && active(mute.until, now) ? mute : undefined;
  }

  isInvited(actor: Actor): boolean {
    return this.invites.has(actor.identity);
  }

  /** The `room` frame members are sent: the room's state as a client shows it. */
  frame(): RoomFrame {
    const { name, owner, topic, modes, closed } = this.record;
    return {
      type: 'room',
      room: name,
      ...(owner ? { owner: owner.name } : isOperatorsRoom(this.key) ? { operators: true } : {}),
      ...(topic ? { topic: topic.text, topic_by: topic.by, topic_ts: topic.ts } : {}),
      ...modes,
      ...(closed ? { closed: true } : {}),
    };
  }
}

function refusal(code: FrameError['code'], message: string): FrameError {
  return { code, message };
}

/** Why `actor` may not join (or come back to) the room; undefined when they may. */
export function checkJoin(
  rules: RoomRules,
  actor: Actor,
  now: number,
  /** The account remembers the room: it was let in before, and needs no new invitation. */
  remembered = false,
): FrameError | undefined {
  const { name, closed, modes } = rules.record;
  if (closed && !actor.operator)
    return refusal('room_closed', `${name} was closed by the server's operators`);
  const ban = rules.banOf(actor, now);
  if (ban && !actor.operator)
    return refusal('banned', `you are banned from ${name}${untilText(ban.until)}`);
  if (
    modes.invite_only &&
    !remembered &&
    rules.rank(actor) < RANK.moderator &&
    !rules.isInvited(actor)
  )
    return refusal(
      'invite_only',
      `${name} is invite-only: ask its owner or a moderator to /invite you`,
    );
  return undefined;
}

/** Why `actor` may not speak in the room now; undefined when they may. O(1): a message's path calls it. */
export function checkSay(rules: RoomRules, actor: Actor, now: number): FrameError | undefined {
  if (!rules.restrictsSpeech) return undefined;
  const mute = rules.muteOf(actor, now);
  if (mute)
    return refusal('muted', `you are muted in ${rules.record.name}${untilText(mute.until)}`);
  if (rules.record.modes.moderated && rules.rank(actor) < RANK.voice)
    return refusal('muted', `${rules.record.name} is moderated: only people with voice speak`);
  return undefined;
}

/** " until <date>" for a ban or mute that ends; "" for one that does not. */
function untilText(until: number | undefined): string {
  return until === undefined ? '' : ` until ${utcWords(until)}`;
}

/** A change to a room someone asks for. */
export type RoomChange =
  | { kind: 'topic'; text: string }
  | { kind: 'mode'; modes: Partial<RoomModes> }
  | { kind: 'claim' }
  | { kind: 'role'; target: Actor; role: RoomRole }
  | { kind: 'kick'; target: Actor }
  | { kind: 'ban'; target: Actor; until?: number; reason?: string }
  | { kind: 'unban'; name: string; target?: Actor }
  | { kind: 'mute'; target: Actor; until?: number; reason?: string }
  | { kind: 'unmute'; target: Actor }
  | { kind: 'invite'; target: Actor }
  | { kind: 'uninvite'; target: Actor }
  | { kind: 'close'; reason?: string }
  | { kind: 'reopen' }
  /** An invitation used by an account's join: kept no longer (its membership is remembered). */
  | { kind: 'use_invite'; target: Actor };

/** What a change came to: the record to write (unchanged for a kick), or why it is refused. */
export type ChangeResult = { record: RoomRecord } | { refused: FrameError };

function refuse(code: FrameError['code'], message: string): ChangeResult {
  return { refused: refusal(code, message) };
}

/** A room's list with `entry` in place of any for the same identity; undefined past the list's bound. */
function replacing<T extends { identity: string }>(
  list: readonly T[],
  entry: T,
  bound: number,
): T[] | undefined {
  const others = list.filter((item) => item.identity !== entry.identity);
  return others.length >= bound ? undefined : [...others, entry];
}

/** A room's list without the entry for `identity`; undefined when it had none. */
function without<T extends { identity: string }>(
  list: readonly T[],
  identity: string,
): T[] | undefined {
  const others = list.filter((item) => item.identity !== identity);
  return others.length === list.length ? undefined : others;
}

/**
 * Applies a change to a room's record, if `actor` may make it: the new
 * record (its version one more), or the refusal. Expired bans and mutes are
 * dropped on the way.
 */
export function applyChange(
  rules: RoomRules,
  actor: Actor,
  change: RoomChange,
  now: number,
): ChangeResult {
  const record = rules.record;
  const room = record.name;
  const rank = rules.rank(actor);
  const next: RoomRecord = {
    ...record,
    version: record.version + 1,
    bans: record.bans.filter((ban) => active(ban.until, now)),
    mutes: record.mutes.filter((mute) => active(mute.until, now)),
  };
  const moderator = () =>
    rank >= RANK.moderator
      ? undefined
      : refuse('not_allowed', `only ${room}'s owner and moderators may do that`);
  /** `actor` may act on `target` only from above: a moderator cannot remove another, nor the owner. */
  const above = (target: Actor) =>
    rank > rules.rank(target)
      ? undefined
      : refuse('not_allowed', `${target.name} is ${describeRole(rules, target)} of ${room}`);

  switch (change.kind) {
    case 'topic': {
      if (record.modes.topic_locked && rank < RANK.moderator)
        return refuse('not_allowed', `only ${room}'s owner and moderators may set its topic`);
      const { topic: _old, ...rest } = next;
      return {
        record:
          change.text === ''
            ? rest
            : { ...next, topic: { text: change.text, by: actor.name, ts: now } },
      };
    }
    case 'mode':
      return moderator() ?? { record: { ...next, modes: { ...record.modes, ...change.modes } } };
    case 'claim':
      if (!actor.account)
        return refuse('not_allowed', 'log in to an account to own a room (/register)');
      if (isOperatorsRoom(record.key))
        return refuse('not_allowed', `${room} belongs to the server's operators`);
      if (record.owner)
        return refuse(
          'not_allowed',
          record.owner.identity === actor.identity
            ? `${room} is yours already`
            : `${room} belongs to ${record.owner.name}`,
        );
      return {
        record: {
          ...next,
          owner: { identity: actor.identity, name: actor.name },
          roles: next.roles.filter((grant) => grant.identity !== actor.identity),
        },
      };
    case 'role':
      return changeRole(rules, actor, change.target, change.role, next);
    case 'kick':
      return moderator() ?? above(change.target) ?? { record };
    case 'ban': {
      const refused = moderator() ?? above(change.target);
      if (refused) return refused;
      const target = change.target;
      const ban: RoomBan = {
        identity: target.identity,
        name: target.name,
        account: target.account,
        ...(!target.account && target.address !== undefined ? { address: target.address } : {}),
        by: actor.name,
        ...(change.reason === undefined ? {} : { reason: change.reason }),
        ts: now,
        ...(change.until === undefined ? {} : { until: change.until }),
      };
      const bans = replacing(next.bans, ban, ROOM_LIST_BOUNDS.bans);
      if (!bans)
        return refuse('not_allowed', `${room} has as many bans as it may keep; lift some first`);
      return {
        record: {
          ...next,
          bans,
          invites: next.invites.filter((invite) => invite.identity !== target.identity),
          roles: next.roles.filter((grant) => grant.identity !== target.identity),
        },
      };
    }
    case 'unban': {
      const refused = moderator();
      if (refused) return refused;
      const key = foldName(change.name);
      const bans = next.bans.filter(
        (ban) => ban.identity !== change.target?.identity && foldName(ban.name) !== key,
      );
      if (bans.length === next.bans.length)
        return refuse('no_such_user', `${change.name} is not banned from ${room}`);
      return { record: { ...next, bans } };
    }
    case 'mute': {
      const refused = moderator() ?? above(change.target);
      if (refused) return refused;
      const target = change.target;
      const mute: RoomMute = {
        identity: target.identity,
        name: target.name,
        by: actor.name,
        ...(change.reason === undefined ? {} : { reason: change.reason }),
        ts: now,
        ...(change.until === undefined ? {} : { until: change.until }),
      };
      const mutes = replacing(next.mutes, mute, ROOM_LIST_BOUNDS.mutes);
      if (!mutes)
        return refuse('not_allowed', `${room} has as many mutes as it may keep; lift some first`);
      return { record: { ...next, mutes } };
    }
    case 'unmute': {
      const refused = moderator();
      if (refused) return refused;
      const mutes = without(next.mutes, change.target.identity);
      if (!mutes) return refuse('no_such_user', `${change.target.name} is not muted in ${room}`);
      return { record: { ...next, mutes } };
    }
    case 'invite': {
      const refused = moderator();
      if (refused) return refused;
      const target = change.target;
      const invite: RoomInvite = {
        identity: target.identity,
        name: target.name,
        by: actor.name,
        ts: now,
      };
      const invites = replacing(next.invites, invite, ROOM_LIST_BOUNDS.invites);
      if (!invites) return refuse('not_allowed', `${room} has as many invitations as it may keep`);
      return { record: { ...next, invites } };
    }
    case 'uninvite': {
      const refused = moderator();
      if (refused) return refused;
      const invites = without(next.invites, change.target.identity);
      if (!invites)
        return refuse('no_such_user', `${change.target.name} has no invitation to ${room}`);
      return { record: { ...next, invites } };
    }
    case 'use_invite':
      return {
        record: {
          ...next,
          invites: next.invites.filter((invite) => invite.identity !== change.target.identity),
        },
      };
    case 'close':
      if (!actor.operator)
        return refuse('not_allowed', "only the server's operators may close a room");
      return {
        record: {
          ...next,
          closed: {
            by: actor.name,
            ts: now,
            ...(change.reason === undefined ? {} : { reason: change.reason }),
          },
        },
      };
    case 'reopen': {
      if (!actor.operator)
        return refuse('not_allowed', "only the server's operators may reopen a room");
      if (!record.closed) return refuse('not_allowed', `${room} is not closed`);
      const { closed: _closed, ...open } = next;
      return { record: open };
    }
  }
}

/** `/op`, `/deop`, `/voice`, `/devoice` and `/owner`. */
function changeRole(
  rules: RoomRules,
  actor: Actor,
  target: Actor,
  role: RoomRole,
  next: RoomRecord,
): ChangeResult {
  const record = rules.record;
  const room = record.name;
  const rank = rules.rank(actor);
  const current = rules.roleOf(target);
  if (!target.account)
    return refuse(
      'not_allowed',
      `${target.name} is a guest: only people logged in to an account have roles`,
    );
  if (current === 'owner' && role !== 'owner')
    return refuse('not_allowed', `${target.name} owns ${room}: the owner hands it on with /owner`);
  // Making or unmaking a moderator, or handing the room on, is the owner's; voice is any moderator's.
  const needed =
    role === 'owner' || role === 'moderator' || current === 'moderator'
      ? RANK.owner
      : RANK.moderator;
  if (rank < needed)
    return refuse(
      'not_allowed',
      needed === RANK.owner
        ? `only ${room}'s owner may do that`
        : `only ${room}'s owner and moderators may do that`,
    );
  const others = next.roles.filter((grant) => grant.identity !== target.identity);
  if (role === 'owner') {
    if (isOperatorsRoom(record.key))
      return refuse('not_allowed', `${room} belongs to the server's operators`);
    if (current === 'owner') return refuse('not_allowed', `${target.name} owns ${room} already`);
    const previous = record.owner;
    // The one who handed it on stays a moderator.
    const roles =
      previous && previous.identity !== target.identity
        ? [
            ...others.filter((g) => g.identity !== previous.identity),
            { identity: previous.identity, name: previous.name, role: 'moderator' as const },
          ]
        : others;
    return { record: { ...next, owner: { identity: target.identity, name: target.name }, roles } };
  }
  if (role === current)
    return refuse(
      'not_allowed',
      `${target.name} is ${describeRole(rules, target)} of ${room} already`,
    );
  if (role === 'member') return { record: { ...next, roles: others } };
  if (others.length >= ROOM_LIST_BOUNDS.roles)
    return refuse('not_allowed', `${room} has as many roles given as it may keep`);
  return {
    record: { ...next, roles: [...others, { identity: target.identity, name: target.name, role }] },
  };
}

function describeRole(rules: RoomRules, actor: Actor): string {
  if (actor.operator) return 'an operator';
  const role = rules.roleOf(actor);
  return role === 'owner'
    ? 'the owner'
    : role === 'moderator'
      ? 'a moderator'
      : role === 'voice'
        ? 'a voiced member'
        : 'a member';
}
