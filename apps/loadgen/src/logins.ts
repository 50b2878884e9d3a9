import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PASSWORD_COST, SqliteStore, hashPassword, lookalikeKey } from '@confab/server';
import { cpuSeconds } from './proc.js';
import { ask, eventLoopDelay, startChat } from './probes.js';
import { startServer } from './servers.js';
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
        chatLost: talk.lost,
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
