import type { ClientFrame, ClientFrameType, FrameError } from '@confab/protocol';
import { LIMITS } from '@confab/protocol';
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
    session.core.say(session.user!, frame.room, frame.text, frame.action === true, frame.ref),
  dm: (session, frame) =>
    session.core.dm(session.user!, frame.to, frame.text, frame.action === true, frame.ref),
  join: async (session, frame) => {
    await session.core.join(session.user!, frame.room);
    return undefined;
  },
  part: (session, frame) => session.core.part(session.user!, frame.room),
  nick: (session, frame) => session.core.nick(session.user!, frame.name),
  who: (session, frame) => session.core.who(session.user!, frame.room),
  history: (session, frame) =>
    session.core.history(
      session.user!,
      frame.room,
      frame.before,
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
};
