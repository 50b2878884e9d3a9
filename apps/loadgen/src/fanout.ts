import type { LoadClient, LoadTransport } from './clients/load-client.js';
import { makeClient, messageText } from './clients/load-client.js';
import { cpuSeconds, memory } from './proc.js';
import type { ClusterShape, ServerKind } from './servers.js';
import { startCluster, startServer } from './servers.js';
import { LatencySample, nowMs } from './stats.js';

/** One fan-out run (W1): C clients in one room, some of them sending. */
export interface FanoutConfig {
  label: string;
  server: ServerKind;
  transport: LoadTransport;
  store?: 'sqlite' | 'memory';
  clients: number;
  senders: number;
  /** `closed`: each sender keeps `window` unconfirmed (saturation); `open`: a fixed offered load. */
  mode: 'closed' | 'open';
  window?: number;
  /** Offered deliveries per second (open loop). */
  offered?: number;
  seconds: number;
  /** One more receiver that stops reading: it must be dropped and cost the others nothing. */
  slowReader?: boolean;
  /** Confab nodes on a redis-server instead of one process (clients spread over them in turn). */
  cluster?: ClusterShape;
  /** Another build's `cli.js` to run instead (a baseline to compare with). */
  cli?: string;
  pin: boolean;
}

/** What a run drives: one server process, or a cluster of them. */
interface Deployment {
  ports: number[];
  /** CPU seconds so far: the Confab processes, and Redis (0 without one). */
  cpu(): { server: number; redis: number };
  /** Peak resident memory of the Confab processes, summed. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

async function deploy(config: FanoutConfig): Promise<Deployment> {
  if (config.cluster) {
    const cluster = await startCluster(config.cluster, config.pin);
    const pids = cluster.nodePids();
    return {
      ports: cluster.ports,
      cpu: () => ({
        server: pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
        redis: cpuSeconds(cluster.redisPid),
      }),
      peakRssBytes: () => pids.reduce((sum, pid) => sum + memory(pid).peak, 0),
      stop: () => cluster.stop(),
    };
  }
  const server = await startServer(config.server, {
    store: config.store ?? 'sqlite',
    pin: config.pin,
    ...(config.cli ? { cli: config.cli } : {}),
  });
  return {
    ports: [server.port],
    cpu: () => ({ server: cpuSeconds(server.pid), redis: 0 }),
    peakRssBytes: () => memory(server.pid).peak,
    stop: () => server.stop(),
  };
}

/** What a run measured. */
export interface FanoutResult {
  label: string;
  workload: 'W1';
  server: ServerKind;
  transport: LoadTransport;
  store: string;
  clients: number;
  mode: string;
  connectSeconds: number;
  messages: number;
  deliveries: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  expected: number;
  lost: number;
  serverCpuSeconds: number;
  serverMicrosPerDelivery: number;
  serverPeakRssMB: number;
  loadgenCpuShare: number;
  loadgenBound: boolean;
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds each run's load is offered, unmeasured, before the measured run. */
export const WARMUP_SECONDS = 1.5;

/** Waits until `activity()` has not changed for `quietMs` (or `limitMs` passed). */
async function quiet(activity: () => number, quietMs: number, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  let last = activity();
  let still = Date.now();
  while (Date.now() < end) {
    await sleep(50);
    const now = activity();
    if (now !== last) {
      last = now;
      still = Date.now();
    } else if (Date.now() - still >= quietMs) return;
  }
}

/** Joins `count` clients, `batch` at a time. */
async function joinAll(clients: LoadClient[], names: string[], batch = 100): Promise<void> {
  for (let i = 0; i < clients.length; i += batch) {
    await Promise.all(clients.slice(i, i + batch).map((client, j) => client.join(names[i + j]!)));
  }
}

/** Runs one fan-out workload against a fresh server process. */
export async function runFanout(config: FanoutConfig): Promise<FanoutResult> {
  const server = await deploy(config);
  const portOf = (index: number) => server.ports[index % server.ports.length]!;
  const latency = new LatencySample();
  const notes: string[] = [];
  const clients: LoadClient[] = [];
  const names: string[] = [];
  const samplers = Math.min(10, config.clients - config.senders);
  for (let i = 0; i < config.clients; i++) {
    const sender = i < config.senders;
    const sampler = !sender && i < config.senders + samplers;
    clients.push(
      makeClient(config.transport, portOf(i), {
        parses: sender || sampler,
        latency: sampler ? latency : undefined,
      }),
    );
    names.push(sender ? `s${i}` : `c${i}`);
  }
  const slow = config.slowReader
    ? makeClient(config.transport, portOf(config.clients), { parses: false })
    : undefined;
  try {
    const connectStart = nowMs();
    await joinAll(clients, names);
    if (slow) await slow.join('slow');
    const connectSeconds = (nowMs() - connectStart) / 1000;
    const all = slow ? [...clients, slow] : clients;
    // Let the join storm (every join goes to every member) drain before counting.
    const activity = () => all.reduce((sum, c) => sum + c.activity, 0);
    await quiet(activity, 300, 60_000);
    await sleep(300);

    const senders = clients.slice(0, config.senders);
    let running = false;
    let sent = 0;
    let confirmed = 0;
    const seqs = new Array<number>(senders.length).fill(0);
    const sendFrom = (index: number) => {
      const client = senders[index]!;
      client.send(messageText(names[index]!, ++seqs[index]!));
      sent++;
    };
    senders.forEach((client, index) => {
      client.onConfirm = () => {
        confirmed++;
        if (running && config.mode === 'closed') sendFrom(index);
      };
    });
    /** Offers the run's load for `seconds`, then stops sending. */
    const offer = async (seconds: number) => {
      running = true;
      const start = nowMs();
      const first = sent;
      let timer: NodeJS.Timeout | undefined;
      if (config.mode === 'closed') {
        for (let index = 0; index < senders.length; index++)
          for (let k = 0; k < (config.window ?? 1); k++) sendFrom(index);
      } else {
        // Messages per second so that each is delivered to every member: offered / C.
        const perSecond = (config.offered ?? 50_000) / (config.clients + (slow ? 1 : 0));
        let next = 0;
        timer = setInterval(() => {
          const due = first + Math.floor(((nowMs() - start) / 1000) * perSecond);
          for (; sent < due; next = (next + 1) % senders.length) sendFrom(next);
        }, 1);
      }
      await sleep(seconds * 1000);
      running = false;
      if (timer) clearInterval(timer);
    };

    // Warm-up: the same load, unmeasured, so the figures are of a server
    // (and generator) whose hot paths are compiled, as in a long run; the
    // first second otherwise holds most of an open-loop run's tail.
    await offer(WARMUP_SECONDS);
    const warmDeadline = Date.now() + 30_000;
    while (confirmed < sent && Date.now() < warmDeadline) await sleep(20);
    await quiet(activity, 300, 30_000);
    sent = 0;
    confirmed = 0;
    for (const client of all) client.startCounting();
    slow?.pauseReading();

    const cpu0 = server.cpu();
    const self0 = process.cpuUsage();
    const t0 = nowMs();
    await offer(config.seconds);

    // Drain: every confirmed message must reach every reader.
    const readers = clients;
    const expectedNow = () => confirmed * readers.length;
    const deliveredNow = () => readers.reduce((sum, c) => sum + c.delivered, 0);
    const drainEnd = Date.now() + 30_000;
    let lastProgress = Date.now();
    let lastDelivered = -1;
    while (Date.now() < drainEnd && (confirmed < sent || deliveredNow() < expectedNow())) {
      await sleep(20);
      const delivered = deliveredNow();
      if (delivered !== lastDelivered) {
        lastDelivered = delivered;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > 3_000) break;
    }
    const t1 = nowMs();
    const self = process.cpuUsage(self0);
    const cpuNow = server.cpu();
    // A cluster's cost is its nodes' CPU and Redis's: both count per delivery.
    const redisCpu = cpuNow.redis - cpu0.redis;
    const cpu = cpuNow.server - cpu0.server + redisCpu;
    if (config.cluster)
      notes.push(`Redis ${((redisCpu / Math.max(cpu, 1e-9)) * 100).toFixed(0)}% of server CPU`);
    const deliveries = deliveredNow();
    const expected = expectedNow();
    if (confirmed < sent) notes.push(`${sent - confirmed} sent but never confirmed`);
    if (slow) {
      const dropped = await Promise.race([
        slow.closed.then(() => true),
        sleep(2_000).then(() => false),
      ]);
      notes.push(dropped ? 'slow reader dropped (slow_consumer)' : 'slow reader NOT dropped');
    }
    const wall = (t1 - t0) / 1000;
    const loadgenShare = (self.user + self.system) / 1e6 / wall;
    return {
      label: config.label,
      workload: 'W1',
      server: config.server,
      transport: config.transport,
      store: config.cluster
        ? 'redis'
        : config.server === 'confab'
          ? (config.store ?? 'sqlite')
          : '-',
      clients: config.clients,
      mode:
        config.mode === 'closed' ? `closed, window ${config.window}` : `open, ${config.offered}/s`,
      connectSeconds,
      messages: confirmed,
      deliveries,
      deliveriesPerSecond: deliveries / wall,
      p50Ms: latency.quantile(0.5),
      p99Ms: latency.quantile(0.99),
      maxMs: latency.max,
      expected,
      lost: expected - deliveries,
      serverCpuSeconds: cpu,
      serverMicrosPerDelivery: deliveries > 0 ? (cpu * 1e6) / deliveries : Number.NaN,
      serverPeakRssMB: server.peakRssBytes() / 2 ** 20,
      loadgenCpuShare: loadgenShare,
      loadgenBound: loadgenShare >= 0.9,
      notes,
    };
  } finally {
    for (const client of clients) client.close();
    slow?.close();
    await server.stop();
  }
}
