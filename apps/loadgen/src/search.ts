import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { cpuSeconds } from './proc.js';
import { eventLoopDelay, startChat } from './probes.js';
import { startCluster, startServer } from './servers.js';
import { LatencySample, nowMs } from './stats.js';

/** One search benchmark (W6). */
export interface SearchBenchResult {
  label: string;
  workload: 'W6';
  /** Messages said (and indexed), and how long from the first sent to the last acked. */
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** The talking room meanwhile. */
  chatLost: number;
  chatP99Ms: number;
  /** The history file (with its write-ahead log) per message; the index's part of it. */
  bytesPerMessage: number;
  indexBytesPerMessage: number;
  /** Searches as one person in every room asks them, one after another: a word in many messages and one in few. */
  common: QueryFigures;
  rare: QueryFigures;
  /** How late the server's event loop ran while searches were answered. */
  eventLoopP99Ms: number;
  serverCpuSeconds: number;
}

/** How a query was answered: its hits on the first page and the round trip's quantiles. */
export interface QueryFigures {
  query: string;
  hits: number;
  p50Ms: number;
  p99Ms: number;
}

/** Rooms the messages are said in, and a connection saying in each. */
const ROOMS = 20;
/** Messages each sender has unanswered at most. */
const WINDOW = 64;
/** Searches of each kind. */
const SEARCHES = 200;
/** One message in this many has the rare word. */
const RARE_EVERY = 100_000;
const COMMON = 'the';
const RARE = 'zyxquvik';

/* Sentences to draw from: English, accented Latin and CJK, about a third each. */
const ENGLISH = [
  'the meeting moved to thursday afternoon',
  'can someone review the deploy script before lunch',
  'i pushed a fix for the flaky login test',
  'coffee machine on the third floor is broken again',
  'release notes are in the shared folder',
  'who owns the billing service these days',
];
const LATIN = [
  'le café est prêt, venez vite',
  'la réunion de demain est annulée',
  'mañana llegamos a la estación a las ocho',
  'für die Prüfung brauchen wir noch Übungen',
  'o relatório está quase pronto, só falta revisão',
  'ça marche, à tout à l’heure',
];
const CJK = [
  '明日の会議は午後三時からです',
  '東京タワーの近くで昼ごはんを食べました',
  '这个问题我们下周再讨论吧',
  '新しいバージョンをリリースしました',
  '请把文件发到共享文件夹',
  '서버가 다시 느려졌어요 확인해 주세요',
];
const CORPUS = [...ENGLISH, ...LATIN, ...CJK];

/** The nth message's text: a sentence, a number, and now and then the rare word. */
function textOf(n: number): string {
  const sentence = CORPUS[(n * 7919) % CORPUS.length]!;
  return n % RARE_EVERY === RARE_EVERY / 2 ? `${sentence} ${RARE} ${n}` : `${sentence} #${n}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JSON-stream connection that answers its own frames by a callback per line. */
function connect(port: number, onLine: (line: string) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    let partial = '';
    socket.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    socket.once('error', reject);
  });
}

/** Waits until `done` holds, checking every few milliseconds, or throws after `ms`. */
async function until(
  done: () => boolean,
  what: string | (() => string),
  ms = 600_000,
): Promise<void> {
  const deadline = nowMs() + ms;
  while (!done()) {
    if (nowMs() > deadline)
      throw new Error(`W6: timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(2);
  }
}

/**
 * Says `total` messages over `ROOMS` connections, each keeping `WINDOW`
 * unanswered; the connections are spread over `ports` in turn.
 */
async function fill(ports: readonly number[], total: number): Promise<void> {
  let next = 0;
  let acked = 0;
  const senders = await Promise.all(
    Array.from({ length: ROOMS }, async (_, r) => {
      let inFlight = 0;
      let joined = false;
      const room = `#s${r}`;
      const socket = await connect(ports[r % ports.length]!, (line) => {
        if (line.startsWith('{"type":"ack"')) {
          inFlight--;
          acked++;
          top();
        } else if (!joined && line.startsWith('{"type":"history"') && line.includes(`"${room}"`))
          joined = true;
      });
      // Keeps `WINDOW` messages unanswered (acks come only after the join, below).
      const top = () => {
        let batch = '';
        while (inFlight < WINDOW && next < total) {
          const n = next++;
          batch += `${JSON.stringify({ type: 'say', room, text: textOf(n), ref: String(n) })}\n`;
          inFlight++;
        }
        if (batch) socket.write(batch);
      };
      socket.write(
        `{"type":"hello","version":1,"name":"writer${r}"}\n{"type":"join","room":"${room}"}\n`,
      );
      await until(() => joined, `${room}'s join`, 30_000);
      return { top, socket };
    }),
  );
  for (const sender of senders) sender.top();
  await until(() => acked === total, 'every message acked');
  for (const sender of senders) sender.socket.destroy();
}

let seekers = 0;

/** Asks one query `SEARCHES` times, one after another; the round trips' quantiles. */
async function searchTimes(port: number, query: string): Promise<QueryFigures> {
  let answered = 0;
  let hits = 0;
  let joined = 0;
  // For a failure's message: the first error the server gave, else its last line.
  let told = '';
  const socket = await connect(port, (line) => {
    if (!told.startsWith('{"type":"error"')) told = line;
    if (line.startsWith('{"type":"search_results"')) {
      hits = (JSON.parse(line) as { hits: unknown[] }).hits.length;
      answered++;
    } else if (line.startsWith('{"type":"history"')) joined++;
  });
  // A name of its own: on a cluster the last seeker's may not be free again yet.
  socket.write(`{"type":"hello","version":1,"name":"seeker${++seekers}"}\n`);
  for (let r = 0; r < ROOMS; r++) socket.write(`{"type":"join","room":"#s${r}"}\n`);
  // #general, then each room's join replay.
  await until(
    () => joined >= ROOMS + 1,
    () =>
      `the seeker in every room (${joined} of ${ROOMS + 1} joined; the server said: ${told.slice(0, 200)})`,
    60_000,
  );
  const latency = new LatencySample();
  for (let i = 0; i < SEARCHES; i++) {
    const sent = nowMs();
    socket.write(`${JSON.stringify({ type: 'search', query, ref: String(i) })}\n`);
    await until(() => answered > i, 'a search answer', 60_000);
    latency.add(nowMs() - sent);
  }
  socket.destroy();
  return { query, hits, p50Ms: latency.quantile(0.5), p99Ms: latency.quantile(0.99) };
}

/** Bytes of every file in a folder. */
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** Bytes the full-text index takes in the history file (its FTS5 tables and row map). */
function indexBytes(dir: string): number {
  const db = new DatabaseSync(join(dir, 'confab.db'), { readOnly: true });
  try {
    const row = db
      .prepare(
        "SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'search_index%' OR name = 'search_rows'",
      )
      .get() as { bytes: number | null };
    return row.bytes ?? 0;
  } finally {
    db.close();
  }
}

/**
 * W6: `messages` said in 20 rooms as fast as the server takes them (mixed
 * English, accented Latin and CJK), each indexed as it is stored, while a
 * small room keeps talking; then searches for a common word and a rare one
 * by someone in every room; then the file's size per message.
 */
export async function runSearchBench(messages: number, pin: boolean): Promise<SearchBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-search-bench-'));
  try {
    const server = await startServer('confab', { pin, dataDir });
    let result: Omit<SearchBenchResult, 'bytesPerMessage' | 'indexBytesPerMessage'>;
    try {
      const chat = await startChat(server.port);
      await sleep(500);
      chat.start();
      const cpuBefore = cpuSeconds(server.pid);
      const started = nowMs();
      await fill([server.port], messages);
      const seconds = (nowMs() - started) / 1000;
      const talk = await chat.finish();
      await eventLoopDelay(server.port);
      const common = await searchTimes(server.port, COMMON);
      const rare = await searchTimes(server.port, RARE);
      const delay = await eventLoopDelay(server.port);
      result = {
        label: `W6 search, ${messages.toLocaleString('en-US')} messages`,
        workload: 'W6',
        messages,
        seconds,
        messagesPerSecond: messages / seconds,
        chatLost: talk.lost,
        chatP99Ms: talk.latency.quantile(0.99),
        common,
        rare,
        eventLoopP99Ms: delay.p99Ms,
        serverCpuSeconds: cpuSeconds(server.pid) - cpuBefore,
      };
    } finally {
      await server.stop();
    }
    return {
      ...result,
      bytesPerMessage: folderBytes(dataDir) / messages,
      indexBytesPerMessage: indexBytes(dataDir) / messages,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** W6 on a Redis cluster: each node's copy of the index, and what it costs. */
export interface ClusterSearchResult {
  label: string;
  workload: 'W6';
  nodes: number;
  /** Whether the nodes kept an index (`off`: the same run without, to compare). */
  index: 'file' | 'off';
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  chatLost: number;
  chatP99Ms: number;
  /** Each node's CPU per message said in the whole chat (µs), and Redis's. */
  nodeMicrosPerMessage: number[];
  redisMicrosPerMessage: number;
  /** Each node's copy of the index (its file) per message. */
  replicaBytesPerMessage: number[];
  /** Searches, asked of the second node. */
  common?: QueryFigures;
  rare?: QueryFigures;
  /** A node started afresh after the fill: seconds until its copy has every message. */
  catchUpSeconds?: number;
}

/**
 * W6 on two nodes of a Redis cluster: the writers spread over both, the
 * small room talking on the first; then the searches asked of the second,
 * and a third node started with no copy of the index, timed until it has
 * read every message from Redis. With `index` off, the same fill without
 * any index: the difference in a node's CPU per message is what its copy
 * of the index costs it.
 */
export async function runClusterSearchBench(
  messages: number,
  pin: boolean,
  index: 'file' | 'off',
): Promise<ClusterSearchResult> {
  const cluster = await startCluster({ nodes: 2, args: ['--search-index', index] }, pin);
  try {
    const chat = await startChat(cluster.ports[0]!);
    await sleep(500);
    chat.start();
    const pids = cluster.nodePids();
    const cpuBefore = pids.map(cpuSeconds);
    const redisBefore = cpuSeconds(cluster.redisPid);
    const started = nowMs();
    await fill(cluster.ports, messages);
    const seconds = (nowMs() - started) / 1000;
    const talk = await chat.finish();
    const micros = (before: number, pid: number) => ((cpuSeconds(pid) - before) * 1e6) / messages;
    const result: ClusterSearchResult = {
      label: `W6 search, ${messages.toLocaleString('en-US')} messages, 2 nodes, index ${index}`,
      workload: 'W6',
      nodes: 2,
      index,
      messages,
      seconds,
      messagesPerSecond: messages / seconds,
      chatLost: talk.lost,
      chatP99Ms: talk.latency.quantile(0.99),
      nodeMicrosPerMessage: pids.map((pid, i) => micros(cpuBefore[i]!, pid)),
      redisMicrosPerMessage: micros(redisBefore, cluster.redisPid),
      replicaBytesPerMessage: cluster.dataDirs.map((dir) =>
        index === 'off' ? 0 : folderBytes(dir) / messages,
      ),
    };
    if (index === 'off') return result;
    result.common = await searchTimes(cluster.ports[1]!, COMMON);
    result.rare = await searchTimes(cluster.ports[1]!, RARE);
    const caughtUpMs = await cluster.joinAndMeasure(
      /"ms":(\d+)[^\n]*"msg":"the search index caught up"/,
    );
    result.catchUpSeconds = caughtUpMs / 1000;
    return result;
  } finally {
    await cluster.stop();
  }
}
