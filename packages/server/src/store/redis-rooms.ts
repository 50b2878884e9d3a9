import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from '../cluster/cluster-keys.js';
import { defineScripts } from '../cluster/scripts.js';
import type { ModlogRecord, RoomStore, ServerRecord } from '../core/ports.js';
import { MODLOG_KEEP } from '../core/ports.js';
import type { RoomRecord } from '../core/room-policy.js';

/*
 * Keys (see `ClusterKeys`): `room:<key>` (a hash: v, rec, owner),
 * `owned-counts` (identity to rooms owned), `owned-rooms` (a set of keys),
 * `server-record` (a hash: v, rec), `modlog:<scope>` (a sorted set of JSON
 * entries scored by id) and `modlog-id`.
 */

/**
 * KEYS: the record's hash, owned-counts, owned-rooms. ARGV: the version
 * read ('0': none), the new version, the JSON, the new owner or '', the
 * room key. Writes only over the version read; keeps the counts of rooms
 * owned right as the owner changes. Returns 1, or 0 when the version moved.
 */
const PUT_ROOM = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if stored ~= tonumber(ARGV[1]) then return 0 end
local before = redis.call('HGET', KEYS[1], 'owner') or ''
if before ~= ARGV[4] then
  if before ~= '' and redis.call('HINCRBY', KEYS[2], before, -1) <= 0 then redis.call('HDEL', KEYS[2], before) end
  if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[4], 1) end
end
if ARGV[4] ~= '' then redis.call('SADD', KEYS[3], ARGV[5]) else redis.call('SREM', KEYS[3], ARGV[5]) end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'rec', ARGV[3], 'owner', ARGV[4])
return 1
`;

/** KEYS: the record's hash. ARGV: the version read, the new version, the JSON. */
const PUT_SERVER = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if stored ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'rec', ARGV[3])
return 1
`;

/**
 * KEYS: the scope's log, modlog-id. ARGV: the entry's JSON without its id,
 * how many to keep. Numbers the entry, adds it, drops the oldest past the
 * bound; returns the id.
 */
const LOG = `
local id = redis.call('INCR', KEYS[2])
local entry = cjson.decode(ARGV[1])
entry['id'] = id
redis.call('ZADD', KEYS[1], id, cjson.encode(entry))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
return id
`;

type ScriptedRedis = Redis & {
  confabPutRoom(...args: Array<string | number>): Promise<number>;
  confabPutServer(...args: Array<string | number>): Promise<number>;
  confabLog(...args: Array<string | number>): Promise<number>;
};

function unavailable(error: unknown): ConfabError {
  return new ConfabError('unavailable', 'the room store cannot be reached right now', {
    cause: error,
  });
}

/** Rooms' records, the server's bans and the moderation log in Redis: every node sees the same. */
export class RedisRooms implements RoomStore {
  private readonly client: ScriptedRedis;

  constructor(
    client: Redis,
    private readonly keys: ClusterKeys,
  ) {
    this.client = defineScripts<ScriptedRedis>(client, {
      confabPutRoom: { keys: 3, lua: PUT_ROOM },
      confabPutServer: { keys: 1, lua: PUT_SERVER },
      confabLog: { keys: 2, lua: LOG },
    });
  }

  async room(key: string): Promise<RoomRecord | undefined> {
    const json = await this.run(() => this.client.hget(this.keys.room(key), 'rec'));
    return json === null ? undefined : (JSON.parse(json) as RoomRecord);
  }

  async rooms(keys: readonly string[]): Promise<RoomRecord[]> {
    if (keys.length === 0) return [];
    const results = await this.run(() => {
      const pipeline = this.client.pipeline();
      for (const key of keys) pipeline.hget(this.keys.room(key), 'rec');
      return pipeline.exec();
    });
    const found: RoomRecord[] = [];
    for (const [error, json] of results ?? []) {
      if (error) throw unavailable(error);
      if (typeof json === 'string') found.push(JSON.parse(json) as RoomRecord);
    }
    return found;
  }

  async putRoom(next: RoomRecord, expected: number): Promise<boolean> {
    const written = await this.run(() =>
      this.client.confabPutRoom(
        this.keys.room(next.key),
        this.keys.ownedCounts,
        this.keys.ownedRooms,
        expected,
        next.version,
        JSON.stringify(next),
        next.owner?.identity ?? '',
        next.key,
      ),
    );
    return written === 1;
  }

  async ownedCount(identity: string): Promise<number> {
    return Number((await this.run(() => this.client.hget(this.keys.ownedCounts, identity))) ?? 0);
  }

  async ownedRooms(limit: number): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.run(() =>
        this.client.sscan(this.keys.ownedRooms, cursor, 'COUNT', 200),
      );
      for (const key of found) if (keys.length < limit) keys.push(key);
      cursor = next;
    } while (cursor !== '0' && keys.length < limit);
    return keys;
  }

  async server(): Promise<ServerRecord> {
    const json = await this.run(() => this.client.hget(this.keys.serverRecord, 'rec'));
    return json === null ? { version: 0, bans: [] } : (JSON.parse(json) as ServerRecord);
  }

  async putServer(next: ServerRecord, expected: number): Promise<boolean> {
    const written = await this.run(() =>
      this.client.confabPutServer(
        this.keys.serverRecord,
        expected,
        next.version,
        JSON.stringify(next),
      ),
    );
    return written === 1;
  }

  async log(entry: Omit<ModlogRecord, 'id'>): Promise<ModlogRecord> {
    const id = await this.run(() =>
      this.client.confabLog(
        this.keys.modlog(entry.scope),
        this.keys.modlogId,
        JSON.stringify(entry),
        MODLOG_KEEP,
      ),
    );
    return { ...entry, id: Number(id) };
  }

  async readLog(scope: string, before: number | undefined, limit: number): Promise<ModlogRecord[]> {
    const found = await this.run(() =>
      this.client.zrevrangebyscore(
        this.keys.modlog(scope),
        before === undefined ? '+inf' : `(${before}`,
        '-inf',
        'LIMIT',
        0,
        limit,
      ),
    );
    return found.reverse().map((json) => JSON.parse(json) as ModlogRecord);
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw unavailable(error);
    }
  }
}
