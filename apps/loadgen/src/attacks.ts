import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@confab/server';
import { cpuSeconds } from './proc.js';
import { scrapeMetrics, startServer } from './servers.js';
import { LatencySample, nowMs } from './stats.js';

/** What one address does to the server in an attack run. */
export type Attack = 'none' | 'resume' | 'join' | 'history';

/** One attack run (W4). */
export interface AttackResult {
  label: string;
  workload: 'W4';
  attack: Attack;
  /** Which build of the server: this one, or the one given with `--baseline`. */
  build: 'current' | 'baseline';
  seconds: number;
  /** What the attacking address got out of the server. */
  attackerMegabytesPerSecond: number;
  attackerAnswersPerSecond: number;
  /** Bystanders' pings (from another address) answered, and how long each took. */
  pings: number;
  pingP50Ms: number;
  pingP99Ms: number;
  pingMaxMs: number;
  /** Pings that had no answer by the end of the run. */
  unanswered: number;
  /** How late the server's event loop ran during the run, beyond the monitor's 20 ms sampling interval. */
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  serverCpuSeconds: number;
  notes: string[];
}

/** The history the attacks ask for: four rooms of 250 messages of 4 KB (about 4 MB). */
const ROOMS = ['#hist1', '#hist2', '#hist3', '#hist4'];
const MESSAGES_PER_ROOM = 250;
const TEXT = 'a'.repeat(4_000);
/** The attacking address, and how many connections it uses (within the per-address limits). */
const ATTACKER = '127.0.0.2';
const ATTACK_CONNECTIONS = 20;
/** Requests a second each attacking connection makes: the server's default rate limit. */
const REQUESTS_PER_SECOND = 20;
const BYSTANDERS = 5;
const PING_EVERY_MS = 100;
/** The server's event-loop monitor samples every 20 ms; an idle server reads 20 ms. */
const MONITOR_INTERVAL_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills the rooms, straight into the store before the server opens it. */
async function seedHistory(dataDir: string): Promise<void> {
  const store = await SqliteStore.open({ dataDir });
  let id = 0;
  for (const room of ROOMS)
    for (let i = 0; i < MESSAGES_PER_ROOM; i++)
      void store.append({
        id: `seed${id++}`,
        roomKey: room,
        room,
        from: 'seeder',
        text: TEXT,
        ts: Date.now(),
        action: false,
      });
  await store.flush();
  await store.close();
}

/** A connection that speaks the JSON stream and counts what comes back. */
class LineClient {
  readonly socket: net.Socket;
  bytes = 0;
  private partial = '';
  private readonly listeners: Array<(line: string) => void> = [];

  constructor(port: number, localAddress: string) {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.socket.setNoDelay(true);
    this.socket.on('error', () => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (this.listeners.length === 0) return;
      const lines = (this.partial + chunk.toString('latin1')).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) for (const listener of this.listeners) listener(line);
    });
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  send(frame: object): void {
    this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** How late the server's event loop ran since the last scrape (the monitor restarts on each). */
async function eventLoopDelay(port: number): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await scrapeMetrics(port);
  const lateMs = (name: string) => {
    const match = new RegExp(`^confab_process_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm');
    return Math.max(0, Number(match.exec(text)?.[1]) * 1000 - MONITOR_INTERVAL_MS);
  };
  return { p99Ms: lateMs('p99'), maxMs: lateMs('max') };
}

/** Resolves once a frame matching `pattern` comes on `client`. */
function frameLike(client: LineClient, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => client.onLine((line) => pattern.test(line) && resolve()));
}

/** Resolves true once `client` is welcomed, false if the server closes it first (refused). */
function welcomedOrRefused(client: LineClient): Promise<boolean> {
  return new Promise((resolve) => {
    client.onLine((line) => line.startsWith('{"type":"welcome"') && resolve(true));
    client.socket.once('close', () => resolve(false));
  });
}

/**
 * One attacking connection's loop until `until`. Resume: connect, `hello`
 * resuming every room from 0, read the replays, go, again. Join and
 * history: one connection asking again and again at the rate limit.
 */
async function attackLoop(
  attack: Exclude<Attack, 'none'>,
  port: number,
  index: number,
  until: number,
  counted: { bytes: number; answers: number },
): Promise<void> {
  let round = 0;
  if (attack === 'resume') {
    while (nowMs() < until) {
      const client = new LineClient(port, ATTACKER);
      let ends = 0;
      const done = new Promise<void>((resolve) => {
        client.onLine((line) => {
          if (line.includes('"type":"history"') && line.endsWith('"more":false}')) {
            counted.answers++;
            if (++ends === ROOMS.length) resolve();
          }
        });
        // Refused (over the address's limits), or dropped: the next round.
        client.socket.once('close', () => resolve());
      });
      client.send({
        type: 'hello',
        version: 1,
        name: `resumer${index}x${round++}`,
        resume: Object.fromEntries(ROOMS.map((room) => [room, 0])),
      });
      await Promise.race([done, sleep(Math.max(0, until - nowMs()))]);
      counted.bytes += client.bytes;
      client.close();
    }
    return;
  }
  // Twenty handshakes at once from one address pass its handshake limit:
  // a refused connection tries again, as an attacker would.
  let welcomed: LineClient | undefined;
  while (!welcomed && nowMs() < until) {
    const trying = new LineClient(port, ATTACKER);
    const answer = welcomedOrRefused(trying);
    trying.send({ type: 'hello', version: 1, name: `asker${index}` });
    if (await answer) welcomed = trying;
    else {
      counted.bytes += trying.bytes;
      await sleep(50);
    }
  }
  if (!welcomed) return;
  const client = welcomed;
  client.onLine((line) => {
    if (line.startsWith('{"type":"history"')) counted.answers++;
  });
  client.send({ type: 'join', room: ROOMS[index % ROOMS.length] });
  const every = 1000 / REQUESTS_PER_SECOND;
  while (nowMs() < until) {
    const room = ROOMS[index % ROOMS.length]!;
    client.send(attack === 'join' ? { type: 'join', room } : { type: 'history', room, limit: 200 });
    await sleep(every);
  }
  counted.bytes += client.bytes;
  client.close();
}

/**
 * W4: while one address (20 connections, within the rate limit) asks for
 * all the history it can (resume replays, joins of a room it is in,
 * history pages), bystanders from another address ping the server: how
 * late their answers come, and how late the server's event loop ran, say
 * whether one address can stall everyone else.
 */
export async function runAttack(
  attack: Attack,
  options: { pin: boolean; seconds: number; baseline?: string },
): Promise<AttackResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'confab-bench-attack-'));
  const notes: string[] = [];
  const bystanders: LineClient[] = [];
  try {
    await seedHistory(dataDir);
    const server = await startServer('confab', {
      store: 'sqlite',
      dataDir,
      pin: options.pin,
      defaults: true,
      ...(options.baseline ? { cli: options.baseline } : {}),
    });
    try {
      for (let i = 0; i < BYSTANDERS; i++) {
        const client = new LineClient(server.port, '127.0.0.1');
        const welcomed = frameLike(client, /^\{"type":"welcome"/);
        client.send({ type: 'hello', version: 1, name: `bystander${i}` });
        await welcomed;
        bystanders.push(client);
      }
      const sent = new Map<string, number>();
      const rtts = new LatencySample();
      for (const client of bystanders)
        client.onLine((line) => {
          const ref = /^\{"type":"pong","ref":"([^"]+)"/.exec(line)?.[1];
          const at = ref === undefined ? undefined : sent.get(ref);
          if (at === undefined) return;
          sent.delete(ref!);
          rtts.add(nowMs() - at);
        });
      await eventLoopDelay(server.port);
      const cpuBefore = cpuSeconds(server.pid);
      const started = nowMs();
      const until = started + options.seconds * 1000;
      let pingRef = 0;
      const pinging = setInterval(() => {
        for (const client of bystanders) {
          const ref = `p${pingRef++}`;
          sent.set(ref, nowMs());
          client.send({ type: 'ping', ref });
        }
      }, PING_EVERY_MS);
      const counted = { bytes: 0, answers: 0 };
      if (attack === 'none') await sleep(options.seconds * 1000);
      else
        await Promise.all(
          Array.from({ length: ATTACK_CONNECTIONS }, (_, i) =>
            attackLoop(attack, server.port, i, until, counted),
          ),
        );
      clearInterval(pinging);
      const seconds = (nowMs() - started) / 1000;
      // Answers already on their way count: a moment for them, then what is missing is missing.
      for (let i = 0; i < 50 && sent.size > 0; i++) await sleep(20);
      const delay = await eventLoopDelay(server.port);
      const cpu = cpuSeconds(server.pid) - cpuBefore;
      return {
        label: `W4 ${attack === 'none' ? 'no attack' : `${attack} attack`}${options.baseline ? ' (baseline build)' : ''}`,
        workload: 'W4',
        attack,
        build: options.baseline ? 'baseline' : 'current',
        seconds,
        attackerMegabytesPerSecond: counted.bytes / 1_048_576 / seconds,
        attackerAnswersPerSecond: counted.answers / seconds,
        pings: rtts.size,
        pingP50Ms: rtts.quantile(0.5),
        pingP99Ms: rtts.quantile(0.99),
        pingMaxMs: rtts.max,
        unanswered: sent.size,
        eventLoopP99Ms: delay.p99Ms,
        eventLoopMaxMs: delay.maxMs,
        serverCpuSeconds: cpu,
        notes,
      };
    } finally {
      await server.stop();
    }
  } finally {
    for (const client of bystanders) client.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
