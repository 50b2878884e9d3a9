import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PASSWORD_COST, SqliteStore, hashPassword, lookalikeKey } from '@confab/server';
import { cpuSeconds } from './proc.js';
import { scrapeMetrics, startServer } from './servers.js';
import { LatencySample, nowMs } from './stats.js';

/** One login storm (W3). */
export interface LoginStormResult {
  label: string;
  workload: 'W3';
  logins: number;
  /** scrypt's cost the accounts were hashed with (log2 N; r 8, p 1): the server's default. */
  passwordCost: number;
  seconds: number;
  loginsPerSecond: number;
  loginP50Ms: number;
  loginP99Ms: number;
  /** Logins refused (`unavailable`: the hash queue was full; anything else is a bug). */
  refused: number;
  /** How late the server's event loop ran during the storm, beyond the monitor's 20 ms sampling interval. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  /** A room kept talking meanwhile: a message every 10 ms to 5 readers. */
  chatDelivered: number;
  chatLost: number;
  chatP99Ms: number;
  serverCpuSeconds: number;
  notes: string[];
}

const PASSWORD = 'the benchmark password';
/** Logins under way at once: enough to keep the hash queue full, not so many that connecting is the load. */
const IN_FLIGHT = 400;
const CHAT_READERS = 5;
const CHAT_EVERY_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes `count` accounts in a fresh SQLite store, before the server opens it:
 * each with the same password hash (one scrypt, not `count`: every login
 * still checks the hash at full cost), in no room (so logging in is the
 * load, not `joined` frames to a room of thousands).
 */
async function seedAccounts(dataDir: string, count: number): Promise<void> {
  const store = await SqliteStore.open({ dataDir });
  const passwordHash = await hashPassword(PASSWORD, DEFAULT_PASSWORD_COST);
  for (let i = 0; i < count; i++) {
    await store.accounts.create({
      id: `bench${i}`,
      nameKey: `storm${i}`,
      name: `storm${i}`,
      lookalike: lookalikeKey(`storm${i}`),
      passwordHash,
      created: Date.now(),
      rooms: [],
    });
  }
  await store.close();
}

/** A connection that sends one line and resolves with the first answer line that matches. */
function ask(
  port: number,
  line: string,
  answer: RegExp,
): Promise<{ socket: net.Socket; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(line));
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const match = answer.exec(seen);
      if (!match) return;
      socket.off('data', onData);
      // Keep reading (and dropping) so nothing backs up.
      socket.on('data', () => undefined);
      resolve({ socket, reply: match[0] });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** A room that keeps talking: one sender, readers measuring how late each message comes. */
async function startChat(port: number) {
  const latency = new LatencySample();
  let delivered = 0;
  /** Messages sent from this time on are counted, at both ends. */
  let countFrom = Number.POSITIVE_INFINITY;
  const readers: net.Socket[] = [];
  for (let i = 0; i < CHAT_READERS; i++) {
    const { socket } = await ask(
      port,
      `{"type":"hello","version":1,"name":"reader${i}"}\n`,
      /"type":"history"/,
    );
    let partial = '';
    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      const now = nowMs();
      for (const line of lines) {
        const sent = /"text":"chat (\d+(?:\.\d+)?)"/.exec(line);
        if (!sent || Number(sent[1]) < countFrom) continue;
        delivered++;
        latency.add(now - Number(sent[1]));
      }
    });
    readers.push(socket);
  }
  const { socket: sender } = await ask(
    port,
    `{"type":"hello","version":1,"name":"talker"}\n`,
    /"type":"history"/,
  );
  let sent = 0;
  const timer = setInterval(() => {
    const now = nowMs();
    if (now >= countFrom) sent++;
    sender.write(`{"type":"say","room":"#general","text":"chat ${now}"}\n`);
  }, CHAT_EVERY_MS);
  return {
    /** Starts counting: what is sent from now on must reach every reader. */
    start: () => {
      countFrom = nowMs();
    },
    /** Stops sending, waits for the last messages, and says what came. */
    finish: async () => {
      clearInterval(timer);
      await sleep(1_000);
      for (const socket of [...readers, sender]) socket.destroy();
      return { sent, delivered, latency };
    },
  };
}

/**
 * The server's event-loop monitor samples every 20 ms (`eventLoopMonitoringPrecision`
 * in its metrics) and records the time between samples: an idle server reads 20 ms.
 */
const MONITOR_INTERVAL_MS = 20;

/**
 * How late the server's event loop has run since the last scrape (prom-client
 * resets the monitor on each): what it recorded, less the sampling interval.
 */
async function eventLoopDelay(port: number): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await scrapeMetrics(port);
  const pattern = (name: string) =>
    new RegExp(`^confab_process_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm');
  const lateMs = (name: string) =>
    Math.max(0, Number(pattern(name).exec(text)?.[1]) * 1000 - MONITOR_INTERVAL_MS);
  return { p99Ms: lateMs('p99'), maxMs: lateMs('max') };
}

/**
 * W3: `count` logins with a password, as many at once as a server restart
 * would bring, against a server holding `count` accounts; meanwhile a room
 * keeps talking. Reports logins a second, and what the storm did to the
 * chat: the server's event-loop delay, and how late messages came.
 */
export async function runLoginStorm(count: number, pin: boolean): Promise<LoginStormResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-bench-logins-'));
  const sockets: net.Socket[] = [];
  const notes: string[] = [];
  try {
    await seedAccounts(dataDir, count);
    const server = await startServer('confab', {
      store: 'sqlite',
      dataDir,
      args: ['--login-rate', '0'],
      pin,
    });
    try {
      const chat = await startChat(server.port);
      await sleep(500);
      chat.start();
      await eventLoopDelay(server.port);
      const cpuBefore = cpuSeconds(server.pid);
      const latency = new LatencySample();
      let refused = 0;
      let next = 0;
      const started = nowMs();
      const loginOne = async (i: number) => {
        const begun = nowMs();
        const { socket, reply } = await ask(
          server.port,
          `{"type":"hello","version":1,"name":"storm${i}","password":"${PASSWORD}","client":"loadgen"}\n`,
          /"type":"(welcome|error)"[^\n]*/,
        );
        sockets.push(socket);
        if (reply.includes('"type":"error"')) refused++;
        else latency.add(nowMs() - begun);
      };
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
          while (next < count) await loginOne(next++);
        }),
      );
      const seconds = (nowMs() - started) / 1000;
      const cpu = cpuSeconds(server.pid) - cpuBefore;
      const delay = await eventLoopDelay(server.port);
      const talk = await chat.finish();
      if (refused > 0) notes.push(`${refused} refused (the hash queue was full)`);
      return {
        label: `W3 login storm, ${count.toLocaleString('en-US')} logins`,
        workload: 'W3',
        logins: count - refused,
        passwordCost: DEFAULT_PASSWORD_COST.log2N,
        seconds,
        loginsPerSecond: (count - refused) / seconds,
        loginP50Ms: latency.quantile(0.5),
        loginP99Ms: latency.quantile(0.99),
        refused,
        eventLoopP99Ms: delay.p99Ms,
        eventLoopMaxMs: delay.maxMs,
        chatDelivered: talk.delivered,
        chatLost: talk.sent * CHAT_READERS - talk.delivered,
        chatP99Ms: talk.latency.quantile(0.99),
        serverCpuSeconds: cpu,
        notes,
      };
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
