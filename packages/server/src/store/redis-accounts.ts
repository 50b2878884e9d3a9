import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import { defineScripts } from '../cluster/scripts.js';
import type { Account, AccountStore, SessionRecord } from '../core/ports.js';
import { MAX_SESSIONS_PER_ACCOUNT, SESSION_TTL_MS } from '../core/ports.js';
import { LOOKALIKE_VERSION, lookalikeKey } from '../names/lookalikes.js';

/*
 * Keys (under the chat's prefix):
 *   account:<nameKey>    hash: id, name, lookalike, hash, created, rooms (JSON)
 *   account-id:<id>      the account's nameKey
 *   account-lookalike:<lookalike>  the nameKey of the account whose name has that look-alike key
 *   lookalike-version    how the look-alike keys were made (they are made again when it changes)
 *   session:<tokenHash>  hash: id, account, client, created, seen; expires unused
 *   session-id:<id>      the session's tokenHash; expires with it
 *   sessions:<accountId> set of the account's session ids (expired ones pruned on listing)
 */

/** KEYS account, account-id, account-lookalike. ARGV id, name, hash, created, rooms, nameKey, lookalike. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'hash', ARGV[3], 'created', ARGV[4], 'rooms', ARGV[5], 'lookalike', ARGV[7])
redis.call('SET', KEYS[2], ARGV[6])
redis.call('SET', KEYS[3], ARGV[6])
return 1
`;

/** KEYS account. ARGV the hash to replace, its replacement. */
const REHASH = `
if redis.call('HGET', KEYS[1], 'hash') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'hash', ARGV[2])
return 1
`;

/**
 * KEYS session, session-id, sessions. ARGV id, account, client, created,
 * seen, tokenHash, ttl, prefix, the most sessions an account keeps. Past
 * that many, the session used longest ago goes (or one that expired).
 */
const ADD_SESSION = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'account', ARGV[2], 'client', ARGV[3], 'created', ARGV[4], 'seen', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])
redis.call('SADD', KEYS[3], ARGV[1])
while redis.call('SCARD', KEYS[3]) > tonumber(ARGV[9]) do
  local oldest, oldestSeen, oldestHash = nil, nil, nil
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local hash = redis.call('GET', ARGV[8] .. 'session-id:' .. id)
    local seen = hash and tonumber(redis.call('HGET', ARGV[8] .. 'session:' .. hash, 'seen'))
    if not seen then seen = -1 end
    if oldest == nil or seen < oldestSeen then oldest, oldestSeen, oldestHash = id, seen, hash end
  end
  if oldestHash then redis.call('DEL', ARGV[8] .. 'session:' .. oldestHash) end
  redis.call('DEL', ARGV[8] .. 'session-id:' .. oldest)
  redis.call('SREM', KEYS[3], oldest)
end
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
      confabCreateAccount: { keys: 3, lua: CREATE },
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
        this.key('account-lookalike', account.lookalike),
        account.id,
        account.name,
        account.passwordHash,
        account.created,
        JSON.stringify(account.rooms),
        account.nameKey,
        account.lookalike,
      );
      return made === 1;
    });
  }

  async byLookalike(lookalike: string): Promise<Account | undefined> {
    const nameKey = await this.run(() => this.client.get(this.key('account-lookalike', lookalike)));
    return nameKey === null ? undefined : this.byName(nameKey);
  }

  /**
   * Gives every account a look-alike key made this version's way: once, when
   * accounts made by an earlier version (or keys made another way) are found.
   */
  async indexLookalikes(): Promise<void> {
    const marker = `${this.prefix}lookalike-version`;
    if ((await this.run(() => this.client.get(marker))) === LOOKALIKE_VERSION) return;
    const pattern = `${this.prefix}account:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.run(() =>
        this.client.scan(cursor, 'MATCH', pattern, 'COUNT', 500),
      );
      cursor = next;
      for (const key of keys) {
        const name = await this.run(() => this.client.hget(key, 'name'));
        if (name === null) continue;
        const nameKey = key.slice(`${this.prefix}account:`.length);
        const lookalike = lookalikeKey(name);
        await this.run(() => this.client.hset(key, 'lookalike', lookalike));
        await this.run(() =>
          this.client.set(this.key('account-lookalike', lookalike), nameKey, 'NX'),
        );
      }
    } while (cursor !== '0');
    await this.run(() => this.client.set(marker, LOOKALIKE_VERSION));
  }

  byName(nameKey: string): Promise<Account | undefined> {
    return this.run(async () => {
      const value = await this.client.hgetall(this.key('account', nameKey));
      if (value.id === undefined) return undefined;
      return {
        id: value.id,
        nameKey,
        name: value.name ?? '',
        lookalike: value.lookalike ?? lookalikeKey(value.name ?? ''),
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
        this.prefix,
        MAX_SESSIONS_PER_ACCOUNT,
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
