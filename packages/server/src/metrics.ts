import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ClusterStatus } from './cluster/cluster.js';
import type { SessionStats } from './session/session.js';
import type { TransportStats } from './transport/stats.js';

/** What the metrics read when scraped. */
export interface MetricSources {
  transport: TransportStats;
  session: SessionStats;
  /** Open connections by transport. */
  connections: () => Record<'json' | 'ws' | 'plain', number>;
  users: () => number;
  rooms: () => number;
  messagesStored: () => number;
  /** Times the server gave memory back after a burst (`--memory-trim`). */
  memoryTrims: () => number;
  /** Password hashes waiting for their turn (logins in a storm). */
  hashBacklog: () => number;
  /** The cluster's state, when this process is a node of one: the Redis metrics exist only then. */
  cluster?: () => ClusterStatus;
}

/**
 * `/metrics` in Prometheus text. Hot paths only bump plain counters; the
 * values are read here at scrape time. Node's own metrics (event-loop lag,
 * memory, GC) come with prom-client's defaults.
 */
export function createMetrics(sources: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix: 'confab_process_',
    eventLoopMonitoringPrecision: 20,
  });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        // The count lives in a plain number; the counter shows it at scrape time.
        this.reset();
        this.inc(read());
      },
    });
  counter(
    'confab_frames_in_total',
    'Frames received from clients.',
    () => sources.transport.framesIn,
  );
  counter(
    'confab_frames_out_total',
    'Frames queued to clients.',
    () => sources.transport.framesOut,
  );
  counter('confab_bytes_in_total', 'Bytes received from clients.', () => sources.transport.bytesIn);
  counter('confab_bytes_out_total', 'Bytes written to clients.', () => sources.transport.bytesOut);
  counter(
    'confab_slow_consumers_total',
    'Connections dropped because they read too slowly.',
    () => sources.transport.slowConsumers,
  );
  counter(
    'confab_oversized_frames_total',
    'Frames over the frame limit the server was about to send, replaced by an internal error (a bug).',
    () => sources.transport.oversizedFrames,
  );
  counter(
    'confab_rate_limited_total',
    'Frames refused by the rate limit.',
    () => sources.session.rateLimited,
  );
  counter(
    'confab_errors_sent_total',
    'Error frames sent to clients.',
    () => sources.session.errorsSent,
  );
  counter(
    'confab_messages_stored_total',
    'Room messages stored in history.',
    sources.messagesStored,
  );
  counter(
    'confab_memory_trims_total',
    'Times the server, quiet after a burst, gave memory back to the system (each a pause of tens of ms).',
    sources.memoryTrims,
  );
  new Gauge({
    name: 'confab_connections',
    help: 'Open client connections, by transport.',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const [transport, count] of Object.entries(sources.connections()))
        this.set({ transport }, count);
    },
  });
  new Gauge({
    name: 'confab_password_hash_backlog',
    help: 'Password hashes (logins, registrations) waiting for their turn.',
    registers: [registry],
    collect() {
      this.set(sources.hashBacklog());
    },
  });
  new Gauge({
    name: 'confab_users',
    help: 'Registered users on this node.',
    registers: [registry],
    collect() {
      this.set(sources.users());
    },
  });
  new Gauge({
    name: 'confab_rooms',
    help: 'Rooms with members on this node.',
    registers: [registry],
    collect() {
      this.set(sources.rooms());
    },
  });
  if (sources.cluster) clusterMetrics(registry, sources.cluster, counter);
  return registry;
}

/** The metrics of a node of a Redis cluster (a single process has none: a `redis_up 0` there would alarm). */
function clusterMetrics(
  registry: Registry,
  status: () => ClusterStatus,
  counter: (name: string, help: string, read: () => number) => void,
): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('confab_redis_up', 'Whether Redis answers (1) or not (0).', () =>
    status().redis === 'up' ? 1 : 0,
  );
  gauge(
    'confab_cluster_nodes',
    'Nodes in the cluster at the last heartbeat.',
    () => status().nodes,
  );
  counter(
    'confab_redis_outages_total',
    'Times the connection to Redis was lost.',
    () => status().outages,
  );
  counter(
    'confab_redis_command_errors_total',
    'Redis commands that failed (out of reach, or an error reply).',
    () => status().commandErrors,
  );
}
