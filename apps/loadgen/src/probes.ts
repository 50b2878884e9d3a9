import net from 'node:net';
import { scrapeMetrics } from './servers.js';
import { LatencySample, nowMs } from './stats.js';

/*
 * What a workload watches while it loads the server: a small room that
 * keeps talking (how late its messages come, and whether any is lost), and
 * how late the server's event loop runs.
 */

/** Readers of the talking room. */
export const CHAT_READERS = 5;
const CHAT_EVERY_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection that sends one line and resolves with the first answer line that matches. */
export function ask(
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
export async function startChat(port: number) {
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
      return { sent, delivered, lost: sent * CHAT_READERS - delivered, latency };
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
export async function eventLoopDelay(port: number): Promise<{ p99Ms: number; maxMs: number }> {
  const text = await scrapeMetrics(port);
  const pattern = (name: string) =>
    new RegExp(`^confab_process_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm');
  const lateMs = (name: string) =>
    Math.max(0, Number(pattern(name).exec(text)?.[1]) * 1000 - MONITOR_INTERVAL_MS);
  return { p99Ms: lateMs('p99'), maxMs: lateMs('max') };
}
