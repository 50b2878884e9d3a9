import type {
  FrameError,
  HelloFrame,
  PasswordFrame,
  RegisterFrame,
  RevokeFrame,
  SessionsFrame,
} from '@confab/protocol';
import { DEFAULT_ROOM, LOGGED_OUT_REASON } from '@confab/protocol';
import type { Auth, Login } from '../accounts/auth.js';
import type { Identity } from '../core/chat-core.js';
import type { AccountStore, Bus } from '../core/ports.js';
import { listFrames } from '../core/history-pages.js';
import { looksLikeSomeoneHere } from '../names/name-refusals.js';
import { identityOf } from './identity.js';

/** Whether the server has accounts, and whether it takes guests too. Stable: a setting. */
export type AccountsMode = 'required' | 'optional' | 'off';

/** What sessions need for accounts. */
export interface AccountsContext {
  mode: AccountsMode;
  store: AccountStore;
  auth: Auth;
  /** Where logouts go, so that every node ends the connections of a session. */
  bus: Bus;
  now: () => number;
  /** Whether someone in the chat holds a name that looks like `name` (and is not it). */
  looksLikeSomeoneHere: (name: string) => Promise<boolean>;
}

/** What a session tells about itself, for logins. */
export interface Caller {
  address: string;
  /** `hello.client`, or the transport (for a plain-text person). */
  client: string;
  /** A plain-text person: a login made here ends with the connection (there is nowhere to keep its token). */
  transient: boolean;
}

const OFF: FrameError = { code: 'accounts_off', message: 'this server has no accounts' };
const GUEST: FrameError = {
  code: 'auth_required',
  message: 'log in to an account first (this is for accounts)',
};

/**
 * The identity a `hello` comes with: a guest's (with or without a key), or
 * an account's, logged in with a password (a new session) or a session
 * token; or why it cannot be.
 */
export async function identityFor(
  hello: HelloFrame,
  caller: Caller,
  context: AccountsContext,
): Promise<{ identity: Identity; login?: Login } | FrameError> {
  const credentials = hello.password !== undefined || hello.token !== undefined;
  if (context.mode === 'off') return credentials ? OFF : { identity: identityOf(hello) };
  if (!credentials) {
    if (context.mode === 'required')
      return {
        code: 'auth_required',
        message: 'this server needs an account: log in, or register your name with a password',
      };
    return { identity: identityOf(hello) };
  }
  // A new account's name must not pass for the name of someone here either.
  if (hello.register && (await context.looksLikeSomeoneHere(hello.name)))
    return looksLikeSomeoneHere(hello.name);
  const login =
    hello.token !== undefined
      ? await context.auth.loginWithToken(hello.name, hello.token)
      : hello.register
        ? await context.auth.register(
            hello.name,
            hello.password!,
            [DEFAULT_ROOM],
            caller.address,
            caller.client,
          )
        : await context.auth.login(hello.name, hello.password!, caller.address, caller.client);
  if ('code' in login) return login;
  const identity: Identity = {
    account: login.account,
    login: login.session.id,
    ...(hello.dseq === undefined ? {} : { dseq: hello.dseq }),
    ...(login.token !== undefined && !caller.transient ? { token: login.token } : {}),
  };
  return { identity, login };
}

/** What an account command needs of its session. */
export interface AccountSession {
  readonly caller: Caller;
  readonly accounts: AccountsContext;
  /** The person's account and this connection's login; undefined for a guest. */
  account(): { id: string; login: string | undefined } | undefined;
  /** The person's name and rooms, for a guest becoming an account. */
  guest(): { name: string; rooms: string[]; devices: number };
  /** The guest became this account, logged in with `login` (`token`: to hand over). */
  becameAccount(login: Login): Promise<void>;
  /** Ends this connection with `quit` and this reason. */
  end(reason: string): void;
  reply(frame: SessionsFrame | { type: 'account'; name: string; token?: string }): void;
  /** The largest frame the connection may be sent. */
  readonly maxFrameBytes: number;
}

/** `register`: the guest's name becomes an account, with this password. */
export async function register(
  session: AccountSession,
  frame: RegisterFrame,
): Promise<FrameError | undefined> {
  const { accounts, caller } = session;
  if (accounts.mode === 'off') return OFF;
  const current = session.account();
  if (current) return { code: 'invalid_field', message: 'you are logged in to an account already' };
  const guest = session.guest();
  if (guest.devices > 1)
    return { code: 'invalid_field', message: 'register from one connection at a time' };
  const login = await accounts.auth.register(
    guest.name,
    frame.password,
    guest.rooms,
    caller.address,
    caller.client,
  );
  if ('code' in login) return login;
  await session.becameAccount(login);
  session.reply({
    type: 'account',
    name: login.account.name,
    ...(login.token !== undefined && !caller.transient ? { token: login.token } : {}),
  });
  return undefined;
}

/** `password`: a new password, given the current one; the account's other sessions are logged out. */
export async function changePassword(
  session: AccountSession,
  frame: PasswordFrame,
): Promise<FrameError | undefined> {
  const { accounts } = session;
  const current = session.account();
  if (!current) return GUEST;
  const account = await accounts.store.byId(current.id);
  if (!account) return GUEST;
  const ended = await accounts.auth.changePassword(
    account,
    frame.current,
    frame.password,
    current.login,
    session.caller.address,
  );
  if (!Array.isArray(ended)) return ended;
  if (ended.length > 0) accounts.bus.publish({ kind: 'revoked', logins: ended });
  session.reply({ type: 'account', name: account.name });
  return undefined;
}

/** `sessions`: the account's sessions, newest first, this connection's marked. */
export async function listSessions(session: AccountSession): Promise<FrameError | undefined> {
  const current = session.account();
  if (!current) return GUEST;
  await replySessions(session, current);
  return undefined;
}

/** `revoke`: one of the account's sessions is logged out, wherever it is connected. */
export async function revoke(
  session: AccountSession,
  frame: RevokeFrame,
): Promise<FrameError | undefined> {
  const current = session.account();
  if (!current) return GUEST;
  if (!(await session.accounts.store.revoke(current.id, frame.id)))
    return { code: 'invalid_field', message: `you have no session ${frame.id} (see /sessions)` };
  session.accounts.bus.publish({ kind: 'revoked', logins: [frame.id] });
  if (frame.id !== current.login) await replySessions(session, current);
  return undefined;
}

/** `logout`: this connection's session ends (its token stops working), and so does the connection. */
export async function logout(session: AccountSession): Promise<FrameError | undefined> {
  const current = session.account();
  if (!current) return GUEST;
  if (current.login !== undefined) await session.accounts.store.revoke(current.id, current.login);
  session.end(LOGGED_OUT_REASON);
  return undefined;
}

/** The account's sessions, in as many `sessions` frames as it takes to fit the frame limit. */
async function replySessions(
  session: AccountSession,
  current: { id: string; login: string | undefined },
): Promise<void> {
  const records = await session.accounts.store.sessions(current.id, session.accounts.now());
  const sessions = records.map((s) => ({
    id: s.id,
    client: s.client,
    created: s.created,
    seen: s.seen,
    current: s.id === current.login,
  }));
  for (const frame of listFrames(sessions, session.maxFrameBytes, (page, more) =>
    more
      ? { type: 'sessions' as const, sessions: page, more }
      : { type: 'sessions' as const, sessions: page },
  ))
    session.reply(frame);
}
