import type { Logger } from 'pino';
import type { MailboxLimits } from '../core/ports.js';
import type { Throttle, ThrottleRate } from '../accounts/throttle.js';
import { RedisAccounts } from '../store/redis-accounts.js';
import { RedisChanges } from '../store/redis-changes.js';
import { RedisRooms } from '../store/redis-rooms.js';
import { RedisReadMarkers } from '../store/redis-read-markers.js';
import { RedisStore, storeKey } from '../store/redis-store.js';
import { ClusterKeys } from './cluster-keys.js';
import { NodePresence } from './node-presence.js';
import { RedisBus } from './redis-bus.js';
import { RedisDirectory } from './redis-directory.js';
import { RedisLink, redactUrl } from './redis-link.js';
import { RedisThrottle } from './redis-throttle.js';
import { SearchReplica } from './search-replica.js';
import type { ReplicaFile } from './search-replica.js';
import { checkDurability } from './durability.js';
import type { RedisDurability } from './durability.js';
import { NumberingGuard } from './numbering-guard.js';
import type { DataLoss } from './numbering-guard.js';

/** Options of {@link joinCluster}. */
export interface ClusterOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** This node's id, unique in the cluster. */
  node: string;
  /** Prefix of every key and channel: chats with different prefixes share nothing. */
  prefix: string;
  /** Messages kept per room stream. */
  historyPerRoom: number;
  /** What a mailbox keeps, and what may wait in it. */
  mailbox: MailboxLimits;
  /** What Redis may lose of what is acked: its persistence is checked at start against it. */
  durability: RedisDurability;
  /** Where this node keeps its replica of the search index, or none (`off`). */
  searchIndex: ReplicaFile | 'off';
  /** A node silent this long is taken for dead and its users leave. */
  nodeTtlMs: number;
  logger: Logger;
  /** This node was taken for dead while it lived: its users must reconnect. */
  onReaped: () => void;
  /** Names of this node's users that another node holds now. */
  onNamesLost: (nameKeys: string[]) => void;
}

/** What `/healthz` and `/metrics` say about the cluster. */
export interface ClusterStatus {
  redis: 'up' | 'down';
  node: string;
  nodes: number;
  outages: number;
  commandErrors: number;
  /** What Redis was found to have lost, when it was (numbering went on past it). */
  lost?: DataLoss;
}

/** A node joined to a cluster: the Redis ports for the chat core, and its state. */
export interface Cluster {
  store: RedisStore;
  changes: RedisChanges;
  bus: RedisBus;
  directory: RedisDirectory;
  accounts: RedisAccounts;
  rooms: RedisRooms;
  readMarkers: RedisReadMarkers;
  /** This node's replica of the search index, unless it keeps none. */
  search?: SearchReplica;
  /** A throttle (of login attempts, of new accounts) that every node shares. */
  throttle(rate: ThrottleRate): Throttle;
  status(): ClusterStatus;
  /** Leaves the cluster; call after this node's users have left. */
  close(): Promise<void>;
}

/** Whether Redis has sharded pub/sub (version 7 and later). */
async function hasShardedPubSub(link: RedisLink): Promise<boolean> {
  const info = await link.commands.info('server');
  const major = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0);
  return major >= 7;
}

/**
 * Connects to Redis and makes this process a node of the chat kept there:
 * history in Streams, fan-out over pub/sub, names and membership in keys
 * kept alive by a heartbeat. Throws `redis_unreachable` when Redis does not
 * answer at start; after that, outages are ridden out.
 */
export async function joinCluster(options: ClusterOptions): Promise<Cluster> {
  const { logger, node } = options;
  const link = new RedisLink(options.url, logger);
  await link.connect();
  let persistence: string;
  try {
    persistence = await checkDurability(link.commands, options.durability);
  } catch (error) {
    link.close();
    throw error;
  }
  const keys = new ClusterKeys(options.prefix);
  const sharded = await hasShardedPubSub(link);
  const guard = new NumberingGuard(
    link.commands,
    keys.guard(node),
    (kind, id) => storeKey(options.prefix, kind, id),
    logger,
    () => Date.now(),
  );
  const store = new RedisStore({
    client: link.commands,
    prefix: options.prefix,
    maxPerRoom: options.historyPerRoom,
    mailbox: options.mailbox,
    guard,
  });
  await guard.arm();
  link.onReconnected((which) => {
    if (which === 'commands')
      guard
        .check()
        .catch((error: unknown) => logger.debug({ err: error }, 'numbering check failed'));
  });
  const changes = new RedisChanges({
    client: link.commands,
    prefix: options.prefix,
    maxPerRoom: options.historyPerRoom,
    mailbox: options.mailbox,
    guard,
  });
  const bus = new RedisBus({
    link,
    store,
    changes,
    channel: keys.channel,
    sharded,
    logger,
    guard,
    node,
  });
  const directory = new RedisDirectory({
    link,
    keys,
    node,
    ttlMs: options.nodeTtlMs,
    logger,
  });
  const presence = new NodePresence({
    link,
    keys,
    node,
    directory,
    bus,
    ttlMs: options.nodeTtlMs,
    logger,
    now: () => Date.now(),
    onReaped: options.onReaped,
    onNamesLost: options.onNamesLost,
  });
  const accounts = new RedisAccounts(link.commands, options.prefix);
  await accounts.indexLookalikes();
  const search =
    options.searchIndex === 'off'
      ? undefined
      : new SearchReplica({
          file: options.searchIndex,
          store,
          changes,
          client: link.commands,
          prefix: options.prefix,
          historyPerRoom: options.historyPerRoom,
          historyPerMailbox: options.mailbox.history,
          barrier: () => bus.barrier(),
          logger,
        });
  if (search) bus.subscribe((event) => search.take(event));
  await bus.start();
  await presence.start();
  // Searches are answered meanwhile, from what the replica has so far.
  void search?.catchUp();
  logger.info(
    { redis: redactUrl(options.url), node, prefix: options.prefix, sharded, persistence },
    'joined the cluster',
  );
  return {
    store,
    changes,
    bus,
    directory,
    accounts,
    rooms: new RedisRooms(link.commands, keys),
    readMarkers: new RedisReadMarkers(link.commands, options.prefix, options.mailbox.guestTtlMs),
    ...(search ? { search } : {}),
    throttle: (rate) => new RedisThrottle(link.commands, `${options.prefix}throttle:`, rate),
    status: () => ({
      redis: link.stats.up ? 'up' : 'down',
      node,
      nodes: presence.nodeCount,
      outages: link.stats.outages,
      commandErrors: link.stats.commandErrors,
      ...(guard.lost ? { lost: guard.lost } : {}),
    }),
    close: async () => {
      await presence.stop();
      await guard.disarm().catch(() => undefined);
      await bus.close();
      search?.close();
      await directory.close();
      link.close();
    },
  };
}
