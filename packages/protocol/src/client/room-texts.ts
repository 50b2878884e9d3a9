import type {
  BansFrame,
  LeftFrame,
  ModFrame,
  ModlogEntry,
  RoomFrame,
  RoomModes,
  RoomsFrame,
  UserInfo,
} from '../frames.js';
import { foldName } from '../names.js';

/*
 * Rooms' state and moderation as lines for people: the same words in the
 * terminal client, the page and plain text. Names and texts are put in as
 * they came; each view makes them inert as it shows them.
 */

/** How a view writes a time: the clients in local time, plain text in UTC. */
export type TimeWords = (ts: number) => string;

/** A time as `2026-12-06 14:05 UTC`: the default, the same for everyone. */
export const utcWords: TimeWords = (ts) =>
  `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const MODE_WORDS: Record<keyof RoomModes, string> = {
  invite_only: 'invite-only',
  secret: 'secret',
  moderated: 'moderated',
  topic_locked: 'topic locked',
};

/** The modes that are on, in words: `invite-only, secret`; `open` when none is. */
export function modesWords(modes: RoomModes): string {
  const on = (Object.keys(MODE_WORDS) as Array<keyof RoomModes>).filter((mode) => modes[mode]);
  return on.length === 0 ? 'open' : on.map((mode) => MODE_WORDS[mode]).join(', ');
}

/** Who a room belongs to, in words. */
export function ownerWords(frame: RoomFrame): string {
  if (frame.operators) return "the server's operators";
  return frame.owner ?? 'no one (/claim it)';
}

function until(ts: number | undefined, when: TimeWords): string {
  return ts === undefined ? '' : ` until ${when(ts)}`;
}

function because(text: string | undefined): string {
  return text === undefined || text === '' ? '' : `: ${text}`;
}

/**
 * A moderation event as a line. `isSelf` says whether a name is the
 * reader's (then it reads "you").
 */
export function modText(
  frame: ModFrame,
  isSelf: (name: string) => boolean,
  when: TimeWords = utcWords,
): string {
  const by = isSelf(frame.by) ? 'You' : frame.by;
  const name = frame.name === undefined ? 'someone' : isSelf(frame.name) ? 'you' : frame.name;
  const whose =
    frame.name === undefined ? "someone's" : isSelf(frame.name) ? 'your' : `${frame.name}'s`;
  const room = frame.room ?? 'the server';
  switch (frame.action) {
    case 'claim':
      return `${by} now ${by === 'You' ? 'own' : 'owns'} ${room}`;
    case 'role':
      switch (frame.role) {
        case 'owner':
          return `${by} handed ${room} on to ${name}`;
        case 'moderator':
          return `${by} made ${name} a moderator of ${room}`;
        case 'voice':
          return `${by} gave ${name} voice in ${room}`;
        default:
          return `${by} took ${whose} role in ${room} away`;
      }
    case 'topic':
      return frame.text === undefined
        ? `${by} cleared the topic of ${room}`
        : `${by} set the topic of ${room}: ${frame.text}`;
    case 'mode':
      return `${by} made ${room} ${frame.modes ? modesWords(frame.modes) : 'as it is'}`;
    case 'kick':
      return `${by} removed ${name} from ${room}${because(frame.text)}`;
    case 'ban':
      return `${by} banned ${name} from ${room}${until(frame.until, when)}${because(frame.text)}`;
    case 'unban':
      return `${by} lifted ${whose} ban from ${room}`;
    case 'mute':
      return `${by} muted ${name} in ${room}${until(frame.until, when)}${because(frame.text)}`;
    case 'unmute':
      return `${by} let ${name} speak again in ${room}`;
    case 'invite':
      return name === 'you'
        ? `${by} invited you to ${room}: /join ${room}`
        : `${by} invited ${name} to ${room}`;
    case 'uninvite':
      return `${by} withdrew ${whose} invitation to ${room}`;
    case 'close':
      return `${by} closed ${room}${because(frame.text)}`;
    case 'reopen':
      return `${by} reopened ${room}`;
  }
}

/** A removal (`left` with reason `kicked`) as a line. */
export function removedText(
  frame: LeftFrame,
  isSelf: (name: string) => boolean,
  when: TimeWords = utcWords,
): string {
  const who = isSelf(frame.name) ? 'You were' : `${frame.name} was`;
  const how = frame.banned ? 'banned from' : 'removed from';
  const by = frame.by === undefined ? '' : ` by ${frame.by}`;
  return `${who} ${how} ${frame.room}${by}${frame.banned ? until(frame.until, when) : ''}${because(frame.text)}`;
}

/** A room's state as lines for someone who just joined it: who owns it, its modes, its topic. */
export function roomText(frame: RoomFrame): string[] {
  const lines = [
    `${frame.room} belongs to ${ownerWords(frame)}; ${frame.closed ? 'closed' : modesWords(frame)}`,
  ];
  if (frame.topic !== undefined) lines.push(`Topic of ${frame.room}: ${frame.topic}`);
  return lines;
}

/** The room list as lines. */
export function roomsText(frame: RoomsFrame): string[] {
  if (frame.rooms.length === 0) return ['No rooms to list.'];
  return [
    `Rooms (${frame.rooms.length}); /join one:`,
    ...frame.rooms.map(
      (r) => `  ${r.room} (${r.members})${r.topic === undefined ? '' : `  ${r.topic}`}`,
    ),
  ];
}

/** A list of bans as lines. */
export function bansText(frame: BansFrame, when: TimeWords = utcWords): string[] {
  const of = frame.room === undefined ? 'the server' : frame.room;
  if (frame.bans.length === 0) return [`No one is banned from ${of}.`];
  return [
    `Banned from ${of} (${frame.bans.length}):`,
    ...frame.bans.map((ban) => {
      const who = [ban.name, ban.account ? '(account)' : undefined, ban.address]
        .filter((part) => part !== undefined)
        .join(' ');
      return `  ${who}, by ${ban.by} at ${when(ban.ts)}${until(ban.until, when)}${because(ban.reason)}`;
    }),
  ];
}

/** Who is connected (for operators) as lines. */
export function usersText(users: UserInfo[]): string[] {
  return [
    `Connected (${users.length}):`,
    ...users.map(
      (u) =>
        `  ${u.name}${u.account ? ' (account)' : ' (guest)'}${u.address ? ` from ${u.address}` : ''}`,
    ),
  ];
}

/** A page of a moderation log as lines. */
export function modlogText(
  room: string | undefined,
  entries: ModlogEntry[],
  when: TimeWords = utcWords,
): string[] {
  const of = room ?? 'the server';
  if (entries.length === 0) return [`The moderation log of ${of} is empty.`];
  return [
    `Moderation log of ${of}:`,
    ...entries.map((entry) => `  ${when(entry.ts)}  ${logLine(entry, when)}`),
  ];
}

/** One entry of a moderation log, as a line. */
function logLine(entry: ModlogEntry, when: TimeWords): string {
  if (entry.room === undefined) {
    // The server's own: bans of accounts and addresses.
    const who = [entry.name, entry.address].filter((part) => part !== undefined).join(' ');
    return entry.action === 'ban'
      ? `${entry.by} banned ${who} from the server${until(entry.until, when)}${because(entry.text)}`
      : `${entry.by} lifted the server ban of ${who}`;
  }
  if (entry.action === 'mode')
    return `${entry.by} set the modes of ${entry.room}: ${entry.text ?? ''}`;
  const { id: _id, address: _address, ...fields } = entry;
  return modText({ type: 'mod', ...fields }, () => false, when);
}

/** Whether `name` is `self`'s (ignoring case). */
export function sameName(name: string, self: string): boolean {
  return self !== '' && foldName(name) === foldName(self);
}
