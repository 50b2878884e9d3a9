import type { Account, AccountStore, SessionRecord } from '../core/ports.js';
import { MAX_SESSIONS_PER_ACCOUNT, SESSION_TTL_MS } from '../core/ports.js';

/** Options of {@link MemoryAccounts}. */
export interface MemoryAccountsOptions {
  /** Sessions kept per account; past it, the least recently used goes. @default MAX_SESSIONS_PER_ACCOUNT */
  maxSessionsPerAccount?: number;
}

/** Accounts in memory (`--store memory`): for tests and trials; gone on restart. */
export class MemoryAccounts implements AccountStore {
  private readonly byKey = new Map<string, Account>();
  private readonly byLookalikeKey = new Map<string, Account>();
  private readonly byAccountId = new Map<string, Account>();
  private readonly byToken = new Map<string, SessionRecord>();
  /** Token hashes of each account's sessions. */
  private readonly ofAccount = new Map<string, Set<string>>();
  private readonly maxSessions: number;

  constructor(options: MemoryAccountsOptions = {}) {
    this.maxSessions = options.maxSessionsPerAccount ?? MAX_SESSIONS_PER_ACCOUNT;
  }

  async create(account: Account): Promise<boolean> {
    if (this.byKey.has(account.nameKey) || this.byLookalikeKey.has(account.lookalike)) return false;
    const copy = { ...account, rooms: [...account.rooms] };
    this.byKey.set(account.nameKey, copy);
    this.byLookalikeKey.set(account.lookalike, copy);
    this.byAccountId.set(account.id, copy);
    return true;
  }

  async byName(nameKey: string): Promise<Account | undefined> {
    const account = this.byKey.get(nameKey);
    return account && { ...account, rooms: [...account.rooms] };
  }

  async byLookalike(lookalike: string): Promise<Account | undefined> {
    const account = this.byLookalikeKey.get(lookalike);
    return account && { ...account, rooms: [...account.rooms] };
  }

  async byId(id: string): Promise<Account | undefined> {
    const account = this.byAccountId.get(id);
    return account && { ...account, rooms: [...account.rooms] };
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    const account = this.byAccountId.get(id);
    if (account) account.passwordHash = passwordHash;
  }

  async rehashPassword(id: string, from: string, to: string): Promise<boolean> {
    const account = this.byAccountId.get(id);
    if (account?.passwordHash !== from) return false;
    account.passwordHash = to;
    return true;
  }

  async setRooms(id: string, rooms: string[]): Promise<void> {
    const account = this.byAccountId.get(id);
    if (account) account.rooms = [...rooms];
  }

  async addSession(session: SessionRecord): Promise<void> {
    this.byToken.set(session.tokenHash, { ...session });
    let tokens = this.ofAccount.get(session.accountId);
    if (!tokens) this.ofAccount.set(session.accountId, (tokens = new Set()));
    tokens.add(session.tokenHash);
    // The least recently used go past the bound.
    for (const old of this.all(session.accountId).slice(this.maxSessions)) this.drop(old);
  }

  async sessionByToken(tokenHash: string, now: number): Promise<SessionRecord | undefined> {
    const session = this.byToken.get(tokenHash);
    if (!session) return undefined;
    if (now - session.seen > SESSION_TTL_MS) {
      this.drop(session);
      return undefined;
    }
    return { ...session };
  }

  async touchSession(session: SessionRecord, now: number): Promise<void> {
    const kept = this.byToken.get(session.tokenHash);
    if (kept) kept.seen = now;
  }

  async sessions(accountId: string, now: number): Promise<SessionRecord[]> {
    return this.all(accountId)
      .filter((s) => now - s.seen <= SESSION_TTL_MS)
      .map((s) => ({ ...s }));
  }

  async revoke(accountId: string, sessionId: string): Promise<boolean> {
    const session = this.all(accountId).find((s) => s.id === sessionId);
    if (!session) return false;
    this.drop(session);
    return true;
  }

  async revokeAllBut(accountId: string, keep: string | undefined): Promise<string[]> {
    const gone = this.all(accountId).filter((s) => s.id !== keep);
    for (const session of gone) this.drop(session);
    return gone.map((s) => s.id);
  }

  /** The account's sessions, most recently used first. */
  private all(accountId: string): SessionRecord[] {
    return [...(this.ofAccount.get(accountId) ?? [])]
      .map((hash) => this.byToken.get(hash)!)
      .sort((a, b) => b.seen - a.seen || b.created - a.created);
  }

  private drop(session: SessionRecord): void {
    this.byToken.delete(session.tokenHash);
    const tokens = this.ofAccount.get(session.accountId);
    tokens?.delete(session.tokenHash);
    if (tokens?.size === 0) this.ofAccount.delete(session.accountId);
  }
}
