import { availableParallelism } from 'node:os';
import type { FrameError } from '@confab/protocol';
import { foldName } from '@confab/protocol';
import type { Account, AccountStore, SessionRecord } from '../core/ports.js';
import { HashQueue } from './hash-queue.js';
import type { PasswordCost } from './passwords.js';
import { hashPassword, madeAtOtherCost, verifyPassword } from './passwords.js';
import type { Throttle } from './throttle.js';
import { addressKey, networkKey } from '../net/address-group.js';
import { looksLikeAnAccount, newNameProblem } from '../names/name-refusals.js';
import { lookalikeKey } from '../names/lookalikes.js';
import { newAccountId, newSessionId, newToken, tokenHash } from './tokens.js';

/** How often secrets may be tried and accounts made. */
export interface AuthThrottles {
  /** Password attempts per name, and per address. */
  byName: Throttle;
  byAddress: Throttle;
  /** New accounts per address, and per network (an IPv4 /24 or an IPv6 /64). */
  registrationsByAddress: Throttle;
  registrationsByNetwork: Throttle;
}

/** Options of {@link Auth}. */
export interface AuthOptions extends AuthThrottles {
  accounts: AccountStore;
  cost: PasswordCost;
  /** Hashes run at once. @default one core fewer than there are (at least 1) */
  hashConcurrency?: number;
  /** Hashes waiting at most; past it a login is refused as `unavailable`. @default 1000 */
  maxWaitingHashes?: number;
  now: () => number;
}

/** A login: the account, and the session it came with or made. */
export interface Login {
  account: Account;
  session: SessionRecord;
  /** The new session's token, when the login made one (with a password). */
  token?: string;
}

const WRONG: FrameError = { code: 'auth_failed', message: 'the name or the password is wrong' };
const BAD_TOKEN: FrameError = {
  code: 'auth_failed',
  message: 'this login has ended (logged out, or unused for 30 days): log in with the password',
};
const TOO_MANY: FrameError = {
  code: 'rate_limited',
  message: 'too many login attempts: wait a little, then try again',
};
const TOO_MANY_ACCOUNTS: FrameError = {
  code: 'rate_limited',
  message: 'too many new accounts from your network lately: try again in an hour',
};

/**
 * Accounts' secrets: passwords checked with scrypt (on the thread pool,
 * compared in constant time), attempts throttled per name and per address,
 * session tokens made, and only their hashes kept. Nothing here logs: a
 * password or a token is never written anywhere but through `hashPassword`
 * and `tokenHash`.
 */
export class Auth {
  /** A hash to check against when the name has no account: the same work, so the time tells nothing. */
  private decoy: Promise<string> | undefined;
  private readonly queue: HashQueue;

  constructor(private readonly options: AuthOptions) {
    this.queue = new HashQueue(
      options.hashConcurrency ?? Math.max(1, availableParallelism() - 1),
      options.maxWaitingHashes ?? 1_000,
    );
  }

  /** Password hashes waiting for their turn now (a metric). */
  get hashBacklog(): number {
    return this.queue.backlog;
  }

  /** Logs in with a password: a new session, with its token. */
  async login(
    name: string,
    password: string,
    address: string,
    client: string,
  ): Promise<Login | FrameError> {
    const nameKey = foldName(name);
    if (!(await this.allowed(nameKey, address))) return TOO_MANY;
    const account = await this.options.accounts.byName(nameKey);
    const stored = account?.passwordHash ?? (await this.decoyHash());
    const matches = await this.queue.run(() => verifyPassword(password, stored));
    if (!account || !matches) return WRONG;
    if (madeAtOtherCost(stored, this.options.cost)) await this.rehash(account, password, stored);
    return this.openSession(account, client);
  }

  /** Logs in with a session token given earlier, as the account `name`. */
  async loginWithToken(name: string, token: string): Promise<Login | FrameError> {
    const now = this.options.now();
    const session = await this.options.accounts.sessionByToken(tokenHash(token), now);
    const account = session && (await this.options.accounts.byId(session.accountId));
    if (!session || !account || account.nameKey !== foldName(name)) return BAD_TOKEN;
    await this.options.accounts.touchSession(session, now);
    return { account, session: { ...session, seen: now } };
  }

  /**
   * Makes the account `name` with a password, and a session for it. The
   * caller has checked that no one else holds the name now.
   */
  async register(
    name: string,
    password: string,
    rooms: string[],
    address: string,
    client: string,
  ): Promise<Login | FrameError> {
    const nameKey = foldName(name);
    const problem = newNameProblem(name);
    if (problem) return problem;
    if (!(await this.allowed(nameKey, address))) return TOO_MANY;
    const taken: FrameError = {
      code: 'name_taken',
      message: `the name ${name} belongs to an account already: log in with its password`,
      account: true,
    };
    // Before the hash's work: there is no secret in whether a name is an account.
    if (await this.options.accounts.byName(nameKey)) return taken;
    const lookalike = lookalikeKey(name);
    if (await this.options.accounts.byLookalike(lookalike)) return looksLikeAnAccount(name);
    if (!(await this.registrationAllowed(address))) return TOO_MANY_ACCOUNTS;
    const account: Account = {
      id: newAccountId(),
      nameKey,
      name,
      lookalike,
      passwordHash: await this.queue.run(() => hashPassword(password, this.options.cost)),
      created: this.options.now(),
      rooms,
    };
    if (!(await this.options.accounts.create(account))) return taken;
    return this.openSession(account, client);
  }

  /**
   * Changes an account's password, given the current one. Resolves with
   * the sessions logged out (all but `keep`), or the refusal.
   */
  async changePassword(
    account: Account,
    current: string,
    password: string,
    keep: string | undefined,
    address: string,
  ): Promise<string[] | FrameError> {
    if (!(await this.allowed(account.nameKey, address))) return TOO_MANY;
    const fresh = (await this.options.accounts.byId(account.id)) ?? account;
    if (!(await this.queue.run(() => verifyPassword(current, fresh.passwordHash))))
      return { code: 'auth_failed', message: 'the current password is wrong' };
    const hash = await this.queue.run(() => hashPassword(password, this.options.cost));
    await this.options.accounts.setPassword(account.id, hash);
    return this.options.accounts.revokeAllBut(account.id, keep);
  }

  /**
   * Hashes a password again at the server's cost (raised or lowered since
   * it was kept), while it is at hand: the only moment it is. A change of
   * password made meanwhile on another device wins. One that cannot be
   * made now (hashes queued to the limit, the store out of reach) does not
   * refuse the login: the next login tries again.
   */
  private async rehash(account: Account, password: string, stored: string): Promise<void> {
    try {
      const hash = await this.queue.run(() => hashPassword(password, this.options.cost));
      await this.options.accounts.rehashPassword(account.id, stored, hash);
    } catch {
      // Left at the old cost until the next login.
    }
  }

  /** Whether an attempt on `nameKey` from `address` is within both rates (both are spent). */
  private async allowed(nameKey: string, address: string): Promise<boolean> {
    const now = this.options.now();
    const [byAddress, byName] = await Promise.all([
      this.options.byAddress.take(`ip:${addressKey(address)}`, now),
      this.options.byName.take(`name:${nameKey}`, now),
    ]);
    return byAddress && byName;
  }

  /**
   * Whether one more account may be made from `address`, and from its
   * network. The address's allowance is spent first: one address refused
   * for its own attempts spends none of its neighbours'.
   */
  private async registrationAllowed(address: string): Promise<boolean> {
    const now = this.options.now();
    if (!(await this.options.registrationsByAddress.take(`made:${addressKey(address)}`, now)))
      return false;
    return this.options.registrationsByNetwork.take(`made-net:${networkKey(address)}`, now);
  }

  private async openSession(account: Account, client: string): Promise<Login> {
    const token = newToken();
    const now = this.options.now();
    const session: SessionRecord = {
      id: newSessionId(),
      accountId: account.id,
      tokenHash: tokenHash(token),
      client,
      created: now,
      seen: now,
    };
    await this.options.accounts.addSession(session);
    return { account, session, token };
  }

  private decoyHash(): Promise<string> {
    this.decoy ??= this.queue.run(() => hashPassword(newToken(), this.options.cost));
    return this.decoy;
  }
}
