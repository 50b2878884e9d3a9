import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus } from '../core/ports.js';
import type { ClusterKeys } from './cluster-keys.js';
import type { RedisDirectory } from './redis-directory.js';
import type { RedisLink } from './redis-link.js';
import { MAX_RETRY_DELAY_MS } from './redis-link.js';
import { DROP_NODE_FROM_NAME, DROP_NODE_FROM_ROOM } from './redis-directory.js';
import { defineScripts } from './scripts.js';

/**
 * KEYS: node, nodes, node-names. ARGV: node, ttl ms, name prefix,
 * look-alike prefix, then quadruples of folded name, name, owner and
 * look-alike key (or ''). Renews the node's key and its names with their
 * look-alike keys (writing them again if Redis lost them). Returns whether
 * the node had been reaped (taken for dead), then the names another
 * identity now holds.
 */
const HEARTBEAT = `
local known = redis.call('SISMEMBER', KEYS[2], ARGV[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
local result = { known }
for i = 5, #ARGV, 4 do
  local key = ARGV[3] .. ARGV[i]
  local owner = redis.call('HGET', key, 'owner')
  if owner == false or owner == ARGV[i + 2] then
    redis.call('HSET', key, 'owner', ARGV[i + 2], 'name', ARGV[i + 1], 'n:' .. ARGV[1], '1')
    redis.call('PEXPIRE', key, ARGV[2])
    redis.call('SADD', KEYS[3], ARGV[i])
    local look = ARGV[i + 3]
    if look ~= '' then
      local lookKey = ARGV[4] .. look
      local holder = redis.call('GET', lookKey)
      if holder == false or holder == ARGV[i] then
        redis.call('SET', lookKey, ARGV[i], 'PX', ARGV[2])
        redis.call('HSET', key, 'look', look)
      end
    end
  else
    result[#result + 1] = ARGV[i]
  end
end
return result
`;

/**
 * KEYS: the dead node's key, nodes, its node-names, its node-members, its
 * numbering guard. ARGV: its id, name prefix, members prefix, member-nodes
 * prefix, look-alike prefix, rooms index. Once, by
 * whichever node gets there first: lets go of the dead node's names and
 * takes its people out of their rooms. Returns nothing when the node lives
 * or was reaped already; else `reaped`, then pairs of room key and
 * `room\nname` for the `left` frames (people no other node has in the room).
 */
const REAP = `${DROP_NODE_FROM_NAME}${DROP_NODE_FROM_ROOM}
if redis.call('EXISTS', KEYS[1]) == 1 then return {} end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return {} end
for _, nameKey in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  drop_node_from_name(ARGV[2] .. nameKey, ARGV[1], nameKey, ARGV[5])
end
local left = { 'reaped' }
local entries = redis.call('HGETALL', KEYS[4])
for i = 1, #entries, 2 do
  local field = entries[i]
  local cut = string.find(field, '\\n', 1, true)
  local roomKey = string.sub(field, 1, cut - 1)
  local nameKey = string.sub(field, cut + 1)
  if drop_node_from_room(ARGV[3] .. roomKey, ARGV[4] .. roomKey, nameKey, ARGV[6], roomKey) == 1 then
    left[#left + 1] = roomKey
    left[#left + 1] = entries[i + 1]
  end
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
return left
`;

type ScriptedRedis = Redis & {
  confabHeartbeat(...args: Array<string | number>): Promise<Array<number | string>>;
  confabReap(...args: string[]): Promise<string[]>;
};

/** Options of {@link NodePresence}. */
export interface NodePresenceOptions {
  link: RedisLink;
  keys: ClusterKeys;
  node: string;
  directory: RedisDirectory;
  /** `left` frames for a dead node's users go out on the bus. */
  bus: Bus;
  /** A node silent this long is taken for dead. */
  ttlMs: number;
  logger: Logger;
  now: () => number;
  /** This node was taken for dead by the others while it lived: its users must come back. */
  onReaped: () => void;
  /** Names of this node's users that another node holds now (after this node was taken for dead). */
  onNamesLost: (nameKeys: string[]) => void;
}

/**
 * A node's life in the cluster. Every `ttl / 5` it renews its key and its
 * users' names, and looks for nodes whose key has expired: the first node
 * to find one reaps it (frees its names, removes its users from their
 * rooms and sends `left` with reason `disconnected`). So a dead node's
 * users leave everywhere at most `ttl + ttl / 5` after its last heartbeat.
 *
 * A node that has just started waits one `ttl` before reaping: the others
 * may have been cut off too, and need a heartbeat to say they live. After a
 * Redis outage it waits longer, by the longest pause between two attempts
 * to reconnect: the others' keys expired during the outage, and each comes
 * back on its own schedule.
 */
export class NodePresence {
  private readonly client: ScriptedRedis;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  /** No node is reaped before this time (a grace after connecting). */
  private reapFrom: number;
  private first = true;
  /** Nodes in the cluster at the last look (this one included). */
  nodeCount = 1;

  constructor(private readonly options: NodePresenceOptions) {
    this.client = defineScripts<ScriptedRedis>(options.link.commands, {
      confabHeartbeat: { keys: 3, lua: HEARTBEAT },
      confabReap: { keys: 5, lua: REAP },
    });
    this.reapFrom = options.now() + options.ttlMs;
    options.link.onReconnected((which) => {
      if (which !== 'commands') return;
      this.reapFrom = options.now() + options.ttlMs + MAX_RETRY_DELAY_MS;
      void this.beat().then(() => options.directory.reconcile());
    });
  }

  get intervalMs(): number {
    return Math.max(50, Math.floor(this.options.ttlMs / 5));
  }

  /** The first heartbeat (it must succeed), then one every interval. */
  async start(): Promise<void> {
    await this.heartbeat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Stops beating and leaves the cluster. The node's users have left by
   * now; whatever a failed write left behind is reaped as for a dead node.
   * When Redis cannot be reached, the others reap this node once its key
   * expires.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const { node } = this.options;
    try {
      await this.client.del(this.options.keys.node(node));
      this.announceLeaves((await this.reap(node)) ?? []);
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not leave the cluster cleanly');
      // Out of reach: the expiry does it.
    }
  }

  private async beat(): Promise<void> {
    if (this.beating || this.options.link.commands.status !== 'ready') return;
    this.beating = true;
    try {
      await this.heartbeat();
      if (this.options.directory.needsReconcile) await this.options.directory.reconcile();
      const nodes = await this.client.smembers(this.options.keys.nodes);
      this.nodeCount = nodes.length;
      if (this.options.now() >= this.reapFrom) await this.reapDeadNodes(nodes);
    } catch (error) {
      this.options.link.failed(error);
      this.options.logger.debug({ err: error }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  private async heartbeat(): Promise<void> {
    const { keys, node, ttlMs, directory } = this.options;
    const names: string[] = [];
    for (const [nameKey, { name, owner, lookalike }] of directory.heldNames)
      names.push(nameKey, name, owner, lookalike ?? '');
    const [known, ...lost] = await this.client.confabHeartbeat(
      keys.node(node),
      keys.nodes,
      keys.nodeNames(node),
      node,
      ttlMs,
      keys.namePrefix,
      keys.lookalikePrefix,
      ...names,
    );
    if (known === 0 && !this.first) {
      this.options.logger.warn(
        'this node was taken for dead by the cluster (no heartbeat in time): its users reconnect',
      );
      this.options.onReaped();
    }
    this.first = false;
    if (lost.length > 0) this.options.onNamesLost(lost.map(String));
  }

  private async reapDeadNodes(nodes: string[]): Promise<void> {
    const { keys, node } = this.options;
    for (const other of nodes) {
      if (other === node || (await this.client.exists(keys.node(other))) === 1) continue;
      const left = await this.reap(other);
      if (left === undefined) continue;
      this.announceLeaves(left);
      this.options.logger.info(
        { node: other, memberships: left.length / 2 },
        'a node stopped answering: its users left',
      );
    }
  }

  /** Reaps a node whose key is gone: the pairs for its `left` frames, or undefined when another node did it. */
  private async reap(node: string): Promise<string[] | undefined> {
    const { keys } = this.options;
    const [reaped, ...left] = await this.client.confabReap(
      keys.node(node),
      keys.nodes,
      keys.nodeNames(node),
      keys.nodeMembers(node),
      keys.guard(node),
      node,
      keys.namePrefix,
      keys.membersPrefix,
      keys.memberNodesPrefix,
      keys.lookalikePrefix,
      keys.activeRooms,
    );
    return reaped === undefined ? undefined : left;
  }

  /** `left` (disconnected) in each room a reaped node's user was in. */
  private announceLeaves(left: string[]): void {
    const now = this.options.now();
    for (let i = 0; i + 1 < left.length; i += 2) {
      const roomKey = left[i]!;
      const value = left[i + 1]!;
      const cut = value.indexOf('\n');
      this.options.bus.publish({
        kind: 'room',
        roomKey,
        frame: {
          type: 'left',
          room: value.slice(0, cut),
          name: value.slice(cut + 1),
          ts: now,
          reason: 'disconnected',
        },
      });
    }
  }
}
