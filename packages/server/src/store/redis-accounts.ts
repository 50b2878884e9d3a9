import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { defineScripts } from '../cluster/scripts.js';
import type { Account, AccountStore, SessionRecord } from '../core/ports.js';
import { SESSION_TTL_MS } from '../core/ports.js';

/*
 * Keys (under the chat's prefix):
 *   account:<nameKey>    hash: id, name, hash, created, rooms (JSON)
 *   account-id:<id>      the account's nameKey
 *   session:<tokenHash>  hash: id, account, client, created, seen; expires unused
 *   session-id:<id>      the session's tokenHash; expires with it
 *   sessions:<accountId> set of the account's session ids (expired ones pruned on listing)
 */

/** KEYS account, account-id. ARGV id, name, hash, created, rooms, nameKey. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'hash', ARGV[3], 'created', ARGV[4], 'rooms', ARGV[5])
redis.call('SET', KEYS[2], ARGV[6])
return 1
`;

/** KEYS account. ARGV the hash to replace, its replacement. */
const REHASH = `
if redis.call('HGET', KEYS[1], 'hash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'hash', ARGV[2])
return 1
`;

/** KEYS session, session-id, sessions. ARGV id, account, client, created, seen, tokenHash, ttl. */
const ADD_SESSION = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'account', ARGV[2], 'client', ARGV[3], 'created', ARGV[4], 'seen', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

/**
 * KEYS session, session-id. ARGV seen, ttl. Renews a session that still
 * exists; HSET answering 1 means it had expired (the hash was made anew,
 * holding only `seen`), so that hash goes again.
 */
const TOUCH = `
if redis.call('HSET', KEYS[1], 'seen', ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

/**
 * KEYS sessions. ARGV prefix. The account's live sessions as flat
 * quintuples (id, tokenHash, client, created, seen); expired ids pruned.
 */
const LIST = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local hash = redis.call('GET', ARGV[1] .. 'session-id:' .. id)
  local fields = hash and redis.call('HMGET', ARGV[1] .. 'session:' .. hash, 'client', 'created', 'seen')
  if hash and fields[3] then
    out[#out + 1] = id
    out[#out + 1] = hash
    out[#out + 1] = fields[1]
    out[#out + 1] = fields[2]
    out[#out + 1] = fields[3]
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out
`;

/**
 * KEYS sessions (the account's set, so only its own sessions can go). ARGV
 * prefix, then a session id, or `*` and the id to keep (every other goes).
 * Returns the ids removed.
 */
const REVOKE = `
local removed = {}
local ids = {}
if ARGV[2] == '*' then
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if id ~= ARGV[3] then ids[#ids + 1] = id end
  end
elseif redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1 then
  ids[1] = ARGV[2]
end
for _, id in ipairs(ids) do
  local idKey = ARGV[1] .. 'session-id:' .. id
  local hash = redis.call('GET', idKey)
  if hash then redis.call('DEL', ARGV[1] .. 'session:' .. hash) end
  redis.call('DEL', idKey)
  redis.call('SREM', KEYS[1], id)
  if hash then removed[#removed + 1] = id end
end
return removed
`;

type ScriptedRedis = Redis & {
  confabCreateAccount(...args: Array<string | number>): Promise<number>;
  confabRehash(...args: string[]): Promise<number>;
  confabAddSession(...args: Array<string | number>): Promise<number>;
  confabTouchSession(...args: Array<string | number>): Promise<number>;
  confabListSessions(...args: string[]): Promise<string[]>;
  confabRevokeSessions(...args: string[]): Promise<string[]>;
};

function unavailable(error: unknown): ConfabError {
  return new ConfabError('unavailable', 'the account store cannot be reached right now', {
    cause: error,
  });
}

/** Accounts and sessions in Redis, beside the history: every node of a cluster sees the same. */
export class RedisAccounts implements AccountStore {
  private readonly client: ScriptedRedis;

  constructor(
    client: Redis,
    private readonly prefix = 'confab:',
  ) {
    this.client = defineScripts<ScriptedRedis>(client, {
      confabCreateAccount: { keys: 2, lua: CREATE },
      confabRehash: { keys: 1, lua: REHASH },
      confabAddSession: { keys: 3, lua: ADD_SESSION },
      confabTouchSession: { keys: 2, lua: TOUCH },
      confabListSessions: { keys: 1, lua: LIST },
      confabRevokeSessions: { keys: 1, lua: REVOKE },
    });
  }

  create(account: Account): Promise<boolean> {
    return this.run(async () => {
      const made = await this.client.confabCreateAccount(
        this.key('account', account.nameKey),
        this.key('account-id', account.id),
        account.id,
        account.name,
        account.passwordHash,
        account.created,
        JSON.stringify(account.rooms),
        account.nameKey,
      );
      return made === 1;
    });
  }

  byName(nameKey: string): Promise<Account | undefined> {
    return this.run(async () => {
      const value = await this.client.hgetall(this.key('account', nameKey));
      if (value.id === undefined) return undefined;
      return {
        id: value.id,
        nameKey,
        name: value.name ?? '',
        passwordHash: value.hash ?? '',
        created: Number(value.created),
        rooms: JSON.parse(value.rooms ?? '[]') as string[],
      };
    });
  }

  async byId(id: string): Promise<Account | undefined> {
    const nameKey = await this.run(() => this.client.get(this.key('account-id', id)));
    return nameKey === null ? undefined : this.byName(nameKey);
  }

  async setPassword(id: string, passwordHash: string): Promise<void> {
    await this.setField(id, 'hash', passwordHash);
  }

  async setRooms(id: string, rooms: string[]): Promise<void> {
    await this.setField(id, 'rooms', JSON.stringify(rooms));
  }

  async rehashPassword(id: string, from: string, to: string): Promise<boolean> {
    const nameKey = await this.run(() => this.client.get(this.key('account-id', id)));
    if (nameKey === null) return false;
    const replaced = await this.run(() =>
      this.client.confabRehash(this.key('account', nameKey), from, to),
    );
    return replaced === 1;
  }

  addSession(session: SessionRecord): Promise<void> {
    return this.run(async () => {
      await this.client.confabAddSession(
        this.key('session', session.tokenHash),
        this.key('session-id', session.id),
        this.key('sessions', session.accountId),
        session.id,
        session.accountId,
        session.client,
        session.created,
        session.seen,
        session.tokenHash,
        SESSION_TTL_MS,
      );
    });
  }

  sessionByToken(tokenHash: string, now: number): Promise<SessionRecord | undefined> {
    return this.run(async () => {
      const value = await this.client.hgetall(this.key('session', tokenHash));
      if (value.id === undefined || value.account === undefined) return undefined;
      const session: SessionRecord = {
        id: value.id,
        accountId: value.account,
        tokenHash,
        client: value.client ?? '',
        created: Number(value.created),
        seen: Number(value.seen),
      };
      return now - session.seen > SESSION_TTL_MS ? undefined : session;
    });
  }

  touchSession(session: SessionRecord, now: number): Promise<void> {
    return this.run(async () => {
      await this.client.confabTouchSession(
        this.key('session', session.tokenHash),
        this.key('session-id', session.id),
        now,
        SESSION_TTL_MS,
      );
    });
  }

  sessions(accountId: string, now: number): Promise<SessionRecord[]> {
    return this.run(async () => {
      const flat = await this.client.confabListSessions(
        this.key('sessions', accountId),
        this.prefix,
      );
      const sessions: SessionRecord[] = [];
      for (let i = 0; i + 4 < flat.length; i += 5) {
        const session: SessionRecord = {
          id: flat[i]!,
          tokenHash: flat[i + 1]!,
          accountId,
          client: flat[i + 2]!,
          created: Number(flat[i + 3]),
          seen: Number(flat[i + 4]),
        };
        if (now - session.seen <= SESSION_TTL_MS) sessions.push(session);
      }
      return sessions.sort((a, b) => b.seen - a.seen || b.created - a.created);
    });
  }

  async revoke(accountId: string, sessionId: string): Promise<boolean> {
    const removed = await this.run(() =>
      this.client.confabRevokeSessions(this.key('sessions', accountId), this.prefix, sessionId),
    );
    return removed.length === 1;
  }

  revokeAllBut(accountId: string, keep: string | undefined): Promise<string[]> {
    return this.run(() =>
      this.client.confabRevokeSessions(
        this.key('sessions', accountId),
        this.prefix,
        '*',
        keep ?? '',
      ),
    );
  }

  private async setField(id: string, field: string, value: string): Promise<void> {
    const nameKey = await this.run(() => this.client.get(this.key('account-id', id)));
    if (nameKey !== null)
      await this.run(() => this.client.hset(this.key('account', nameKey), field, value));
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  /** Runs a command; Redis out of reach becomes `unavailable`. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw unavailable(error);
    }
  }
}
