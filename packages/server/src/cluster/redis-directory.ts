import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type {
  ClaimResult,
  Directory,
  MemberEntry,
  NameHolder,
  Rename,
  RoomCount,
} from '../core/ports.js';
import { RENAME_MEMORY_MS } from '../core/ports.js';
import type { ClusterKeys } from './cluster-keys.js';
import type { RedisLink } from './redis-link.js';
import { defineScripts } from './scripts.js';

/*
 * Scripts, so that each change is one atomic step. A name is a hash of its
 * identity (`owner`), its spelling (`name`) and a field `n:<node>` per node
 * holding it; a person may be connected through several nodes (an account
 * on several devices), and the name is free again when no node holds it.
 * Room membership counts, per person, the nodes that have them in the room:
 * the room hears `joined` when the count leaves 0, `left` when it returns.
 */

/**
 * Lua shared by the scripts that let go of a node's hold on a name. When no
 * node holds it any more, the name goes, with its look-alike key (if that
 * is still this name's).
 */
export const DROP_NODE_FROM_NAME = `
local function drop_node_from_name(key, node, nameKey, lookPrefix)
  redis.call('HDEL', key, 'n:' .. node)
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 2) == 'n:' then return end
  end
  local look = redis.call('HGET', key, 'look')
  if look and redis.call('GET', lookPrefix .. look) == nameKey then
    redis.call('DEL', lookPrefix .. look)
  end
  redis.call('DEL', key)
end
`;

/**
 * Lua shared by the scripts that take a node's person out of a room.
 * Returns 1 when no node has them in it now; the room leaves the index of
 * rooms with people when it has none.
 */
export const DROP_NODE_FROM_ROOM = `
local function drop_node_from_room(members, counts, nameKey, index, roomKey)
  if redis.call('HINCRBY', counts, nameKey, -1) > 0 then return 0 end
  redis.call('HDEL', counts, nameKey)
  redis.call('HDEL', members, nameKey)
  if redis.call('HLEN', members) == 0 then redis.call('HDEL', index, roomKey) end
  return 1
end
`;

/**
 * KEYS: name, node-names, look-alike key (of the name; unused without one).
 * ARGV: owner, name, node, ttl ms, nameKey, look-alike key or '', name
 * prefix, address or ''. Returns 1 (claimed), 0 (another identity holds
 * the name) or 2 (someone else holds a name that looks like it).
 */
const CLAIM = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
if ARGV[6] ~= '' then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[5] and redis.call('EXISTS', ARGV[7] .. holder) == 1 then return 2 end
  redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4])
  redis.call('HSET', KEYS[1], 'look', ARGV[6])
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'name', ARGV[2], 'n:' .. ARGV[3], '1')
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'addr', ARGV[8]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
return 1
`;

/** KEYS: name, node-names. ARGV: node, nameKey, look-alike prefix. */
const RELEASE = `${DROP_NODE_FROM_NAME}
drop_node_from_name(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
`;

/**
 * KEYS: members, member-nodes, node-members, rooms index. ARGV: nameKey,
 * name, node field, node value, roomKey, room.
 */
const ADD_MEMBER = `
if redis.call('HSETNX', KEYS[3], ARGV[3], ARGV[4]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSETNX', KEYS[4], ARGV[5], ARGV[6])
if redis.call('HINCRBY', KEYS[2], ARGV[1], 1) == 1 then return 1 end
return 0
`;

/** KEYS: members, member-nodes, node-members, rooms index. ARGV: nameKey, node field, roomKey. */
const REMOVE_MEMBER = `${DROP_NODE_FROM_ROOM}
if redis.call('HDEL', KEYS[3], ARGV[2]) == 0 then return 0 end
return drop_node_from_room(KEYS[1], KEYS[2], ARGV[1], KEYS[4], ARGV[3])
`;

type ScriptedRedis = Redis & {
  confabClaim(...args: Array<string | number>): Promise<number>;
  confabRelease(...args: string[]): Promise<number>;
  confabAddMember(...args: string[]): Promise<number>;
  confabRemoveMember(...args: string[]): Promise<number>;
};

function unavailable(error: unknown): ConfabError {
  return new ConfabError('unavailable', 'the chat cannot reach its cluster right now; try again', {
    cause: error,
  });
}

/** Options of {@link RedisDirectory}. */
export interface RedisDirectoryOptions {
  link: RedisLink;
  keys: ClusterKeys;
  node: string;
  /** How long a claim lives without its node's heartbeat. */
  ttlMs: number;
  logger: Logger;
}

/** A name this node holds: as spelled, whose, and its look-alike key when held with one. */
export interface HeldName {
  name: string;
  owner: string;
  lookalike: string | undefined;
}

/**
 * Names and room membership of the whole cluster, in Redis. A name is
 * claimed with an expiry that its nodes' heartbeats renew
 * ({@link NodePresence}), so the names of a node that dies come free.
 *
 * The directory also keeps what this node holds in memory: that is what the
 * heartbeat renews, and what is written again when Redis comes back (it may
 * have lost it, or missed a release made while it was away).
 */
export class RedisDirectory implements Directory {
  private readonly client: ScriptedRedis;
  /** Names this node holds, by folded name. */
  readonly heldNames = new Map<string, HeldName>();
  /** Memberships of this node's people, by node field (`roomKey\nnameKey`). */
  private readonly heldMembers = new Map<string, MemberEntry>();
  /** A release or removal could not reach Redis: set right at the next reconcile. */
  private stale = false;

  constructor(private readonly options: RedisDirectoryOptions) {
    this.client = defineScripts<ScriptedRedis>(options.link.commands, {
      confabClaim: { keys: 3, lua: CLAIM },
      confabRelease: { keys: 2, lua: RELEASE },
      confabAddMember: { keys: 4, lua: ADD_MEMBER },
      confabRemoveMember: { keys: 4, lua: REMOVE_MEMBER },
    });
  }

  async claim(
    nameKey: string,
    name: string,
    owner: string,
    lookalike?: string,
    address?: string,
  ): Promise<ClaimResult> {
    const { keys, node, ttlMs } = this.options;
    let claimed: number;
    try {
      claimed = await this.client.confabClaim(
        keys.name(nameKey),
        keys.nodeNames(node),
        keys.lookalike(lookalike ?? ''),
        owner,
        name,
        node,
        ttlMs,
        nameKey,
        lookalike ?? '',
        keys.namePrefix,
        address ?? '',
      );
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
    if (claimed === 1) this.heldNames.set(nameKey, { name, owner, lookalike });
    return claimed === 1 ? 'claimed' : claimed === 2 ? 'lookalike' : 'taken';
  }

  async release(nameKey: string): Promise<void> {
    this.heldNames.delete(nameKey);
    await this.releaseInRedis(nameKey).catch((error: unknown) => this.deferred(error));
  }

  private releaseInRedis(nameKey: string): Promise<number> {
    const { keys, node } = this.options;
    return this.client.confabRelease(
      keys.name(nameKey),
      keys.nodeNames(node),
      node,
      nameKey,
      keys.lookalikePrefix,
    );
  }

  async lookalikeHolder(lookalike: string): Promise<string | undefined> {
    const { keys } = this.options;
    try {
      const nameKey = await this.client.get(keys.lookalike(lookalike));
      if (nameKey === null) return undefined;
      // A look-alike key outlives its name by a heartbeat at most: only a held name counts.
      return (await this.client.exists(keys.name(nameKey))) === 1 ? nameKey : undefined;
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async holder(nameKey: string): Promise<NameHolder | undefined> {
    let held: Record<string, string>;
    try {
      held = await this.client.hgetall(this.options.keys.name(nameKey));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
    return holderOf(held);
  }

  async addMember(entry: MemberEntry): Promise<boolean> {
    const field = memberField(entry.roomKey, entry.nameKey);
    this.heldMembers.set(field, entry);
    try {
      return (await this.writeMember(entry)) === 1;
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async removeMember(roomKey: string, nameKey: string): Promise<boolean> {
    const field = memberField(roomKey, nameKey);
    this.heldMembers.delete(field);
    const { keys, node } = this.options;
    try {
      return (
        (await this.client.confabRemoveMember(
          keys.members(roomKey),
          keys.memberNodes(roomKey),
          keys.nodeMembers(node),
          keys.activeRooms,
          nameKey,
          field,
          roomKey,
        )) === 1
      );
    } catch (error) {
      // Set right at the next reconcile; meanwhile the room hears that they left.
      this.deferred(error);
      return true;
    }
  }

  async members(roomKey: string): Promise<string[]> {
    try {
      return await this.client.hvals(this.options.keys.members(roomKey));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async isMember(roomKey: string, nameKey: string): Promise<boolean> {
    try {
      return (await this.client.hexists(this.options.keys.members(roomKey), nameKey)) === 1;
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async memberCount(roomKey: string): Promise<number> {
    try {
      return await this.client.hlen(this.options.keys.members(roomKey));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async roomCounts(limit: number): Promise<RoomCount[]> {
    const { keys } = this.options;
    try {
      const rooms = await scanHash(this.client, keys.activeRooms, limit);
      const pipeline = this.client.pipeline();
      for (const [roomKey] of rooms) pipeline.hlen(keys.members(roomKey));
      const counts = (await pipeline.exec()) ?? [];
      return rooms.map(([roomKey, room], i) => ({
        roomKey,
        room,
        members: Number(counts[i]?.[1] ?? 0),
      }));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async people(limit: number): Promise<NameHolder[]> {
    const { keys } = this.options;
    try {
      const nameKeys = new Set<string>();
      for (const node of await this.client.smembers(keys.nodes)) {
        for (const nameKey of await this.client.smembers(keys.nodeNames(node))) {
          nameKeys.add(nameKey);
          if (nameKeys.size >= limit) break;
        }
        if (nameKeys.size >= limit) break;
      }
      const pipeline = this.client.pipeline();
      for (const nameKey of nameKeys) pipeline.hgetall(keys.name(nameKey));
      const held = (await pipeline.exec()) ?? [];
      return held
        .map(([, value]) => holderOf((value ?? {}) as Record<string, string>))
        .filter((holder): holder is NameHolder => holder !== undefined);
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  /**
   * Makes Redis agree with what this node holds: after Redis came back (it
   * may have lost data, or missed a release), or when a release failed.
   * Names are renewed by the heartbeat; this writes the memberships and
   * removes what this node no longer holds.
   */
  async reconcile(): Promise<void> {
    const { keys, node } = this.options;
    this.stale = false;
    try {
      const [namesInRedis, membersInRedis] = await Promise.all([
        this.client.smembers(keys.nodeNames(node)),
        this.client.hkeys(keys.nodeMembers(node)),
      ]);
      const writes: Array<Promise<unknown>> = [];
      for (const nameKey of namesInRedis)
        if (!this.heldNames.has(nameKey)) writes.push(this.releaseInRedis(nameKey));
      for (const field of membersInRedis) {
        if (this.heldMembers.has(field)) continue;
        const [roomKey = '', nameKey = ''] = field.split('\n');
        writes.push(
          this.client.confabRemoveMember(
            keys.members(roomKey),
            keys.memberNodes(roomKey),
            keys.nodeMembers(node),
            keys.activeRooms,
            nameKey,
            field,
            roomKey,
          ),
        );
      }
      // Counted once per node: a membership Redis still has is not counted again.
      for (const entry of this.heldMembers.values()) writes.push(this.writeMember(entry));
      await Promise.all(writes);
    } catch (error) {
      this.deferred(error);
    }
  }

  /** Whether a reconcile is due (a release or removal failed). */
  get needsReconcile(): boolean {
    return this.stale;
  }

  async roomName(roomKey: string): Promise<string | undefined> {
    try {
      return (await this.client.hget(this.options.keys.activeRooms, roomKey)) ?? undefined;
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async noteRename(oldKey: string, rename: Rename): Promise<void> {
    try {
      await this.client.set(
        this.options.keys.renamed(oldKey),
        JSON.stringify(rename),
        'PX',
        RENAME_MEMORY_MS,
      );
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async renamedTo(oldKey: string): Promise<Rename | undefined> {
    let text: string | null;
    try {
      text = await this.client.get(this.options.keys.renamed(oldKey));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
    if (text === null) return undefined;
    try {
      const { name, owner } = JSON.parse(text) as Partial<Rename>;
      return typeof name === 'string' && typeof owner === 'string' ? { name, owner } : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.heldNames.clear();
    this.heldMembers.clear();
  }

  private writeMember(entry: MemberEntry): Promise<number> {
    const { keys, node } = this.options;
    return this.client.confabAddMember(
      keys.members(entry.roomKey),
      keys.memberNodes(entry.roomKey),
      keys.nodeMembers(node),
      keys.activeRooms,
      entry.nameKey,
      entry.name,
      memberField(entry.roomKey, entry.nameKey),
      `${entry.room}\n${entry.name}`,
      entry.roomKey,
      entry.room,
    );
  }

  private deferred(error: unknown): void {
    this.stale = true;
    this.options.link.failed(error);
    this.options.logger.debug({ err: error }, 'directory write deferred until redis answers');
  }
}

function memberField(roomKey: string, nameKey: string): string {
  return `${roomKey}\n${nameKey}`;
}

/** A name's hash as its holder: undefined when no node holds it. */
function holderOf(held: Record<string, string>): NameHolder | undefined {
  if (held.owner === undefined || held.name === undefined) return undefined;
  const node = Object.keys(held).find((field) => field.startsWith('n:'));
  if (node === undefined) return undefined;
  return {
    name: held.name,
    owner: held.owner,
    node: node.slice('n:'.length),
    ...(held.addr === undefined ? {} : { address: held.addr }),
  };
}

/** Up to `limit` field-value pairs of a hash, read a slice at a time (HSCAN), never the whole of a large one. */
async function scanHash(
  client: Redis,
  key: string,
  limit: number,
): Promise<Array<[string, string]>> {
  const pairs: Array<[string, string]> = [];
  let cursor = '0';
  do {
    const [next, flat] = await client.hscan(key, cursor, 'COUNT', 200);
    for (let i = 0; i + 1 < flat.length && pairs.length < limit; i += 2)
      pairs.push([flat[i]!, flat[i + 1]!]);
    cursor = next;
  } while (cursor !== '0' && pairs.length < limit);
  return pairs;
}
