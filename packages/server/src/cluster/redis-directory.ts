import { ConfabError } from '@confab/protocol';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Directory, MemberEntry, NameHolder } from '../core/ports.js';
import type { ClusterKeys } from './cluster-keys.js';
import { heldNode, heldValue } from './cluster-keys.js';
import type { RedisLink } from './redis-link.js';
import { HELD_BY, defineScripts } from './scripts.js';

/*
 * Scripts, so that each change is one atomic step. A value that says who
 * holds something starts with the node id and a newline; a node only ever
 * deletes what it holds.
 */

/** KEYS: name, node-names. ARGV: holder value, ttl ms, nameKey. */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SADD', KEYS[2], ARGV[3])
  return 1
end
return 0
`;

/** KEYS: name, node-names. ARGV: node, nameKey. */
const RELEASE = `${HELD_BY}
if held_by(redis.call('GET', KEYS[1]), ARGV[1]) then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 1
`;

/** KEYS: members, node-members. ARGV: nameKey, holder value, node field, node value. */
const ADD_MEMBER = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1
`;

/** KEYS: members, node-members. ARGV: nameKey, node, node field. */
const REMOVE_MEMBER = `${HELD_BY}
if held_by(redis.call('HGET', KEYS[1], ARGV[1]), ARGV[2]) then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('HDEL', KEYS[2], ARGV[3])
return 1
`;

type ScriptedRedis = Redis & {
  confabClaim(name: string, nodeNames: string, ...args: Array<string | number>): Promise<number>;
  confabRelease(name: string, nodeNames: string, node: string, nameKey: string): Promise<number>;
  confabAddMember(members: string, nodeMembers: string, ...args: string[]): Promise<number>;
  confabRemoveMember(members: string, nodeMembers: string, ...args: string[]): Promise<number>;
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

/**
 * Names and room membership of the whole cluster, in Redis. A name is
 * claimed with SET NX and an expiry that the node's heartbeat renews
 * ({@link NodePresence}), so the names of a node that dies come free.
 *
 * The directory also keeps what this node holds in memory: that is what the
 * heartbeat renews, and what is written again when Redis comes back (it may
 * have lost it, or missed a release made while it was away).
 */
export class RedisDirectory implements Directory {
  private readonly client: ScriptedRedis;
  /** Names this node holds: folded name to `name\nowner` (display name and identity). */
  readonly heldNames = new Map<string, string>();
  /** Memberships of this node's users, by node field (`roomKey\nnameKey`). */
  private readonly heldMembers = new Map<string, MemberEntry>();
  /** A release or removal could not reach Redis: set right at the next reconcile. */
  private stale = false;

  constructor(private readonly options: RedisDirectoryOptions) {
    this.client = defineScripts<ScriptedRedis>(options.link.commands, {
      confabClaim: { keys: 2, lua: CLAIM },
      confabRelease: { keys: 2, lua: RELEASE },
      confabAddMember: { keys: 2, lua: ADD_MEMBER },
      confabRemoveMember: { keys: 2, lua: REMOVE_MEMBER },
    });
  }

  async claim(nameKey: string, name: string, owner: string): Promise<boolean> {
    const { keys, node, ttlMs } = this.options;
    // What a name's key holds after the node: the name as spelled, and its identity.
    const held = `${name}\n${owner}`;
    let claimed: number;
    try {
      claimed = await this.client.confabClaim(
        keys.name(nameKey),
        keys.nodeNames(node),
        `${node}\n${held}`,
        ttlMs,
        nameKey,
      );
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
    if (claimed === 1) this.heldNames.set(nameKey, held);
    return claimed === 1;
  }

  async release(nameKey: string): Promise<void> {
    this.heldNames.delete(nameKey);
    const { keys, node } = this.options;
    await this.client
      .confabRelease(keys.name(nameKey), keys.nodeNames(node), node, nameKey)
      .catch((error: unknown) => this.deferred(error));
  }

  async holder(nameKey: string): Promise<NameHolder | undefined> {
    let held: string | null;
    try {
      held = await this.client.get(this.options.keys.name(nameKey));
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
    if (held === null) return undefined;
    const [name = '', owner = ''] = heldValue(held).split('\n');
    return { name, node: heldNode(held), owner };
  }

  async addMember(entry: MemberEntry): Promise<void> {
    const field = memberField(entry.roomKey, entry.nameKey);
    this.heldMembers.set(field, entry);
    try {
      await this.writeMember(entry);
    } catch (error) {
      throw unavailable(this.options.link.failed(error));
    }
  }

  async removeMember(roomKey: string, nameKey: string): Promise<void> {
    const field = memberField(roomKey, nameKey);
    this.heldMembers.delete(field);
    const { keys, node } = this.options;
    await this.client
      .confabRemoveMember(keys.members(roomKey), keys.nodeMembers(node), nameKey, node, field)
      .catch((error: unknown) => this.deferred(error));
  }

  async members(roomKey: string): Promise<string[]> {
    try {
      return (await this.client.hvals(this.options.keys.members(roomKey))).map(heldValue);
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
        if (!this.heldNames.has(nameKey))
          writes.push(
            this.client.confabRelease(keys.name(nameKey), keys.nodeNames(node), node, nameKey),
          );
      for (const field of membersInRedis) {
        if (this.heldMembers.has(field)) continue;
        const [roomKey = '', nameKey = ''] = field.split('\n');
        writes.push(
          this.client.confabRemoveMember(
            keys.members(roomKey),
            keys.nodeMembers(node),
            nameKey,
            node,
            field,
          ),
        );
      }
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

  async close(): Promise<void> {
    this.heldNames.clear();
    this.heldMembers.clear();
  }

  private writeMember(entry: MemberEntry): Promise<number> {
    const { keys, node } = this.options;
    return this.client.confabAddMember(
      keys.members(entry.roomKey),
      keys.nodeMembers(node),
      entry.nameKey,
      `${node}\n${entry.name}`,
      memberField(entry.roomKey, entry.nameKey),
      `${entry.room}\n${entry.name}`,
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
