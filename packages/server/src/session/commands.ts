import type { ClientFrame, ClientFrameType, FrameError } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
import type { RoomRequest } from '../core/moderation.js';
import { changePassword, listSessions, logout, register, revoke } from './accounts.js';
import type { Session } from './session.js';

/** What a command handler returns: nothing, or a refusal to send back. */
export type CommandResult = FrameError | undefined | Promise<FrameError | undefined>;

type Handler<F> = (session: Session, frame: F) => CommandResult;

/**
 * One handler per client frame type. The session's dispatcher validates the
 * frame, checks the handshake state and the rate limit first; a handler
 * talks to the chat core and never touches a socket. `session.user` is set
 * for every type the handshake gate lets through after `welcome`.
 */
export const COMMANDS: { [T in ClientFrameType]: Handler<Extract<ClientFrame, { type: T }>> } = {
  hello: (session, frame) => session.register(frame),
  say: (session, frame) =>
    session.core.say(
      session.user!,
      frame.room,
      frame.text,
      frame.action === true,
      frame.ref,
      frame.reply_to,
    ),
  dm: (session, frame) =>
    session.core.dm(
      session.user!,
      frame.to,
      frame.text,
      frame.action === true,
      frame.ref,
      frame.reply_to,
    ),
  join: (session, frame) => session.core.join(session.user!, frame.room),
  part: (session, frame) => session.core.part(session.user!, frame.room),
  nick: (session, frame) => session.core.nick(session.user!, frame.name),
  who: (session, frame) => session.core.who(session.user!, frame.room),
  history: (session, frame) =>
    frame.around === undefined
      ? session.core.history(
          session.user!,
          frame.room,
          frame.before,
          frame.limit ?? LIMITS.defaultHistoryLimit,
        )
      : session.core.historyAround(
          session.user!,
          frame.room,
          frame.around,
          frame.limit ?? LIMITS.defaultHistoryLimit,
        ),
  ping: (session, frame) => {
    session.reply(frame.ref === undefined ? { type: 'pong' } : { type: 'pong', ref: frame.ref });
    return undefined;
  },
  pong: () => undefined,
  quit: (session, frame) => session.quit(frame.reason),
  register: (session, frame) => register(session, frame),
  password: (session, frame) => changePassword(session, frame),
  logout: (session) => logout(session),
  sessions: (session) => listSessions(session),
  revoke: (session, frame) => revoke(session, frame),
  topic: (session, { room, text }) => moderate(session, room, { kind: 'topic', text }),
  mode: (session, { type: _type, room, ref: _ref, ...modes }) =>
    moderate(session, room, { kind: 'mode', modes }),
  role: (session, { room, name, role }) => moderate(session, room, { kind: 'role', name, role }),
  claim: (session, { room }) => moderate(session, room, { kind: 'claim' }),
  kick: (session, { room, name, reason }) =>
    moderate(session, room, { kind: 'kick', name, ...optional({ reason }) }),
  ban: (session, { room, name, address, duration, reason }) =>
    room === undefined
      ? session.core.moderateServer(session.user!, {
          kind: 'ban',
          ...optional({ name, address, duration, reason }),
        })
      : name === undefined
        ? { code: 'invalid_field', message: 'a room ban names a person' }
        : moderate(session, room, { kind: 'ban', name, ...optional({ duration, reason }) }),
  unban: (session, { room, name, address }) =>
    room === undefined
      ? session.core.moderateServer(session.user!, {
          kind: 'unban',
          ...optional({ name, address }),
        })
      : name === undefined
        ? { code: 'invalid_field', message: 'a room unban names a person' }
        : moderate(session, room, { kind: 'unban', name }),
  bans: (session, { room }) => session.core.bans(session.user!, room),
  mute: (session, { room, name, duration, reason }) =>
    moderate(session, room, { kind: 'mute', name, ...optional({ duration, reason }) }),
  unmute: (session, { room, name }) => moderate(session, room, { kind: 'unmute', name }),
  invite: (session, { room, name }) => moderate(session, room, { kind: 'invite', name }),
  uninvite: (session, { room, name }) => moderate(session, room, { kind: 'uninvite', name }),
  react: (session, frame) => session.core.react(session.user!, frame),
  edit: (session, frame) => session.core.edit(session.user!, frame),
  delete: (session, frame) => session.core.remove(session.user!, frame),
  search: (session, frame) => session.core.search(session.user!, frame),
  read: (session, frame) => session.core.read(session.user!, frame),
  typing: (session, { room, to, stopped }) =>
    session.core.typing(
      session.user!,
      room === undefined ? { to: to! } : { room },
      stopped === true,
    ),
  list: async (session, { filter }) => {
    await session.core.list(session.user!, filter);
    return undefined;
  },
  close: (session, { room, reason }) =>
    moderate(session, room, { kind: 'close', ...optional({ reason }) }),
  reopen: (session, { room }) => moderate(session, room, { kind: 'reopen' }),
  users: (session, { filter }) => session.core.users(session.user!, filter),
  modlog: (session, { room, before, limit }) =>
    session.core.modlog(session.user!, room, before, limit ?? LIMITS.defaultModlogLimit),
};

function moderate(session: Session, room: string, request: RoomRequest): CommandResult {
  return session.core.moderate(session.user!, room, request);
}

/** The fields of `fields` that are set (optional fields stay absent, not undefined). */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
